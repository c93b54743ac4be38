"""``sohoa dossier issue`` files a result only sealed, and only with an organisation's seal, on
SQLite and PostgreSQL: the real CLI in a child process, the test PKI's key files.

Refused, with nothing written (the dossier stays unfinished, no result document): no
``--seal-pkcs12`` (exit BAD_ARGS), a person's key as the seal (exit SIGNING, saying what the
certificate lacks), a result file that is already signed (exit INPUT_FILE). Then the same
dossier is issued with the commune's seal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from config.errors import ExitCode
from pipeline.dossier.lifecycle import State, get_case
from pipeline.dossier.receive import DossierView
from signing.testpki import ORGANISATION
from storage.db.engine import read_session, write_session
from storage.db.models import Document
from tests.api.conftest import text_pdf
from tests.db.fixtures import Database
from tests.dossier.helpers import catalogue, receive_confirmation
from tests.signing.conftest import PkiFixture, pki  # noqa: F401


def _sohoa(db: Database, pki: PkiFixture, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:  # noqa: F811
    env = {
        **os.environ,
        "SOHOA_DATA_DIR": str(tmp / "data"),
        "SOHOA_DATABASE__URL": db.url,
        "SOHOA_STORAGE__BACKEND": "directory",
        "SOHOA_SIGNING__ORGANISATION": ORGANISATION,
        "SOHOA_SIGNING__FONT": str(pki.font),
        "SOHOA_SIGNING__TRUST_ROOTS": json.dumps([str(pki.root_pem)]),
        "KEY_PASS": pki.passphrase,
    }
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli.main", "dossier", "issue", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def _state(db: Database, code: str) -> tuple[str, int | None, int]:
    with read_session(db.engine) as s:
        _dossier, case = get_case(s, code)
        documents = s.scalar(select(func.count(Document.id)).where(Document.dossier_id == _dossier.id))
        return case.state, case.result_document_id, int(documents or 0)


def _receive(db: Database, *, day: int) -> DossierView:
    """A confirmation dossier of the one citizen, received on ``day`` December 2026."""
    with write_session(db.engine) as s:
        return receive_confirmation(s, reuse=None, received_at=datetime(2026, 12, day, 3, tzinfo=UTC))


def test_issue_requires_an_organisation_seal(db: Database, pki: PkiFixture, tmp_path: Path) -> None:  # noqa: F811
    with write_session(db.engine) as s:
        catalogue(s)
    view = _receive(db, day=4)
    code = view.code
    before = _state(db, code)
    official = [
        "--pkcs12",
        str(pki.pki.official_ecdsa.p12),
        "--pin-env",
        "KEY_PASS",
        "--chain",
        str(pki.pki.chain),
    ]
    content = ["--content", "Chưa đăng ký kết hôn với ai.", "--place", "Tân Phú", "--level", "B-B"]

    unsealed = _sohoa(db, pki, tmp_path, code, *content, *official)
    assert unsealed.returncode == ExitCode.BAD_ARGS, unsealed.stderr
    assert "phải được đóng dấu cơ quan" in unsealed.stderr and "--seal-pkcs12" in unsealed.stderr
    assert _state(db, code) == before

    person = ["--seal-pkcs12", str(pki.pki.official_rsa.p12), "--seal-pin-env", "KEY_PASS"]
    personal = _sohoa(db, pki, tmp_path, code, *content, *official, *person)
    assert personal.returncode == ExitCode.SIGNING, personal.stderr
    assert "chứng thư số của cơ quan" in personal.stderr and "chức danh" in personal.stderr, personal.stderr
    assert _state(db, code) == before

    seal = ["--seal-pkcs12", str(pki.seal_p12), "--seal-pin-env", "KEY_PASS"]
    presigned = tmp_path / "signed-elsewhere.pdf"
    first = _sohoa(
        db, pki, tmp_path, code, "--file", str(text_pdf(tmp_path / "kq.pdf", f"KET QUA {code}")),
        *official, *seal, "--level", "B-B", "-o", str(presigned),
    )  # fmt: skip
    assert first.returncode == 0, first.stderr  # issued: the dossier is finished
    state, result_id, _documents = _state(db, code)
    assert state == State.FINISHED.value and result_id is not None

    # An already signed file is refused as a result (here: the next dossier's).
    again = _receive(db, day=5)
    before = _state(db, again.code)
    signed = _sohoa(
        db, pki, tmp_path, again.code, "--file", str(presigned), *official, *seal, "--level", "B-B"
    )
    assert signed.returncode == ExitCode.INPUT_FILE, signed.stderr
    assert "đã có chữ ký số" in signed.stderr
    assert _state(db, again.code) == before
