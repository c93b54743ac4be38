"""API fixtures: the real app on SQLite and PostgreSQL, real object stores, real accounts.

Documents are written with the DB engineer's ``record_scan`` after their PDFs are stored, the
same path intake takes; signing uses the test PKI (and its SoftHSM token) of ``tests/signing``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from fastapi.testclient import TestClient

from config.settings import Settings, load_settings
from pipeline.accounts import create_api_key, create_user, get_user, issue_token
from pipeline.api.app import create_app
from pipeline.api.context import ApiContext
from storage.db.dossiers import create_dossier, get_dossier
from storage.db.engine import run_in_transaction
from storage.db.records import DocumentInput, FieldInput, ObjectRef, ScanInput, record_scan
from storage.objects.base import Bucket
from tests.db import fixtures as _db_fixtures
from tests.db.fixtures import Database
from tests.signing import conftest as _signing_fixtures
from tests.storage import moto_fixture as _moto_fixtures

db = _db_fixtures.db
pg_database = _db_fixtures.pg_database
moto_server = _moto_fixtures.moto_server
moto_endpoint = _moto_fixtures.moto_endpoint
pki = _signing_fixtures.pki

AGENCY_A = "000.00.31.H12"
AGENCY_B = "000.00.32.H12"
OWNER_ID = "027095001234"
PASSWORD = "mat-khau-thu-nghiem"


@dataclass
class Api:
    client: TestClient
    ctx: ApiContext
    settings: Settings
    db: Database
    tmp: Path
    _n: list[int] = field(default_factory=lambda: [0])

    def user(
        self, username: str, roles: list[str], agencies: list[str], *, cert_sha256: str | None = None
    ) -> dict[str, str]:
        """Create a staff account and return the headers of a bearer token for it."""

        def work(session: Any) -> str:
            create_user(
                session,
                username,
                PASSWORD,
                roles=roles,
                agencies=agencies,
                cert_sha256=cert_sha256,
                actor="test",
            )
            return issue_token(session, get_user(session, username)).token

        return {"Authorization": f"Bearer {run_in_transaction(self.ctx.engine, work)}"}

    def key(self, name: str, scopes: list[str], agencies: list[str]) -> dict[str, str]:
        raw = run_in_transaction(
            self.ctx.engine,
            lambda s: create_api_key(s, name, scopes=scopes, agencies=agencies, actor="test"),
        )
        return {"X-API-Key": raw}

    def document(
        self,
        pdf: Path,
        *,
        agency: str = AGENCY_A,
        doc_type: str = "birth_certificate",
        fields: dict[str, str] | None = None,
    ) -> tuple[str, int]:
        """A dossier with one digitised document whose original and searchable copy is ``pdf``."""
        store = self.ctx.store
        code = create_dossier(self.ctx.engine, agency, actor="test")
        original = store.put_file(Bucket.ORIGINALS, pdf, content_type="application/pdf")
        searchable = store.put_file(Bucket.DIGITISED, pdf, content_type="application/pdf")
        values = fields if fields is not None else {"full_name": "Nguyễn Văn Bình", "id_number": OWNER_ID}
        scan = ScanInput(
            sha256=original.sha256,
            filename=pdf.name,
            size=original.size,
            pages=1,
            original=ObjectRef(Bucket.ORIGINALS.value, original.key, original.sha256, original.size),
            documents=[
                DocumentInput(
                    doc_type=doc_type,
                    pages=[1],
                    confidence=0.9,
                    fields={
                        k: FieldInput(v, 0.6 if k == "full_name" else 0.97, k == "full_name")
                        for k, v in values.items()
                    },
                    searchable=ObjectRef(
                        Bucket.DIGITISED.value, searchable.key, searchable.sha256, searchable.size
                    ),
                )
            ],
        )

        def work(session: Any) -> int:
            _scan, documents = record_scan(session, scan, dossier=get_dossier(session, code), actor="test")
            return documents[0].id

        return code, run_in_transaction(self.ctx.engine, work)

    def unique_pdf(self, label: str = "KET QUA") -> Path:
        """A small, distinct text PDF (distinct bytes: documents are content-addressed)."""
        self._n[0] += 1
        path = self.tmp / f"doc-{self._n[0]}.pdf"
        return text_pdf(path, f"{label} {self._n[0]} {uuid.uuid4().hex}")


def text_pdf(path: Path, text: str) -> Path:
    """An A4 PDF with one line of text, written by qpdf (pikepdf)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, 595, 842],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=pdf.make_stream(f"BT /F1 12 Tf 72 760 Td ({text}) Tj ET".encode()),
    )
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def make_api(db: Database, tmp_path: Path, *, start_worker: bool = False, **overrides: Any) -> Iterator[Api]:
    data = tmp_path / "data"
    settings = load_settings(
        data_dir=data,
        database={"url": db.url},
        **{"storage": {"backend": "directory"}, "ocr": {"jobs": 1}, **overrides},
    )
    app = create_app(settings, engine=db.engine, start_worker=start_worker)
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        yield Api(client=client, ctx=app.state.ctx, settings=settings, db=db, tmp=tmp_path)


@pytest.fixture
def api(db: Database, tmp_path: Path) -> Iterator[Api]:
    yield from make_api(db, tmp_path)
