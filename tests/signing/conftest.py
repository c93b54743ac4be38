"""SoftHSM2 token filled from the shared TEST PKI, its loopback services and an NSS db for pdfsig.

Everything is session-scoped per xdist worker: SoftHSM reads ``SOFTHSM2_CONF`` once per process
(when the PKCS#11 module is initialised), so the token directory is created, filled and pointed
to before any test loads the module. All keys and certificates are TEST MATERIAL.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from signing.fonts import find_font, pdf_ready_font
from signing.testpki import Identity, TestPki
from signing.testpki_services import PkiServices, start_pki_with_services
from tests.db.fixtures import db, pg_database  # noqa: F401 - SQLite + PostgreSQL fixtures

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_LABEL = "sohoa-test"
WRONG_PIN_TOKEN = "sohoa-pin-test"
USER_PIN = "123456"
SO_PIN = "12345678"
OFFICIAL_NAME = "Nguyễn Văn An (TEST)"
EC_OFFICIAL_NAME = "Trần Thị Bình (TEST)"

# label on the token -> (CKA_ID hex, test PKI identity)
TOKEN_KEYS = {
    "official-rsa": ("01", "official_rsa"),
    "official-ec": ("02", "official_ecdsa"),
    "expired": ("03", "expired"),
    "notyet": ("04", "not_yet_valid"),
    "noku": ("05", "no_signing_usage"),
    "revoked": ("06", "revoked"),
    "seal": ("07", "seal"),  # the organisation seal, held by the seal holder's token
}


@dataclass
class PkiFixture:
    pki: TestPki
    services: PkiServices
    module: str
    token_label: str
    nss_dir: Path
    font: Path
    key_ids: dict[str, str] = field(default_factory=dict)

    @property
    def root_pem(self) -> Path:
        return self.pki.root.cert

    @property
    def seal_p12(self) -> Path:
        return self.pki.seal.p12

    @property
    def passphrase(self) -> str:
        return self.pki.passphrase


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60)


def _import_key(token: str, label: str, id_hex: str, ident: Identity) -> None:
    _run(
        "softhsm2-util",
        "--import",
        str(ident.key),
        "--token",
        token,
        "--label",
        label,
        "--id",
        id_hex,
        "--pin",
        USER_PIN,
    )
    _run(
        "pkcs11-tool",
        "--module",
        SOFTHSM_MODULE,
        "--token-label",
        token,
        "--login",
        "--pin",
        USER_PIN,
        "--write-object",
        str(ident.cert_der),
        "--type",
        "cert",
        "--label",
        label,
        "--id",
        id_hex,
    )


# The worker's one PKI and how many fixture definitions hold it (see ``pki``).
_WORKER_PKI: list[PkiFixture] = []
_HOLDERS = [0]


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PkiFixture]:
    """The worker process's test PKI, token and NSS db: ONE per process, however it is reached.

    Modules import this fixture (``tests/api/conftest.py``, ``tests/dossier/test_results.py``,
    ``tests/intake/test_signed_source.py``), and pytest keeps one session instance per place it
    is defined. Each instance used to make a new PKI with new keys and point ``SOFTHSM2_CONF``
    at its own token directory; the PKCS#11 module reads that variable once per process, so a
    test could sign with another instance's token key and certificate while embedding its own
    chain, and pdfsig answered "Certificate issuer is unknown" on the official's signature
    (test_certify, flaky with the order xdist gave). Now the first definition builds it and the
    others share it; the services stop when the last holder is torn down.
    """
    if not _WORKER_PKI:
        _WORKER_PKI.append(_build_pki(tmp_path_factory))
    _HOLDERS[0] += 1
    try:
        yield _WORKER_PKI[0]
    finally:
        _HOLDERS[0] -= 1
        if _HOLDERS[0] == 0:
            _WORKER_PKI.pop().services.stop()


def _build_pki(tmp_path_factory: pytest.TempPathFactory) -> PkiFixture:
    work = tmp_path_factory.mktemp("pki")
    tokendir = work / "tokens"
    tokendir.mkdir()
    conf = work / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokendir}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)

    test_pki, services = start_pki_with_services(work / "testpki")
    try:
        for tok in (TOKEN_LABEL, WRONG_PIN_TOKEN):
            _run(
                "softhsm2-util",
                "--init-token",
                "--free",
                "--label",
                tok,
                "--pin",
                USER_PIN,
                "--so-pin",
                SO_PIN,
            )
        for label, (id_hex, name) in TOKEN_KEYS.items():
            _import_key(TOKEN_LABEL, label, id_hex, test_pki.identity(name))
        _import_key(WRONG_PIN_TOKEN, "pin-rsa", "01", test_pki.official_rsa)

        nss = work / "nssdb"
        nss.mkdir()
        _run("certutil", "-N", "-d", f"sql:{nss}", "--empty-password")
        _run(
            "certutil",
            "-A",
            "-d",
            f"sql:{nss}",
            "-n",
            "sohoa-test-root",
            "-t",
            "CT,C,C",
            "-i",
            str(test_pki.root.cert),
        )
        font = pdf_ready_font(find_font(None), work / "fonts")  # rescaled once per worker
        return PkiFixture(
            pki=test_pki,
            services=services,
            module=SOFTHSM_MODULE,
            token_label=TOKEN_LABEL,
            nss_dir=nss,
            font=font,
            key_ids={label: id_hex for label, (id_hex, _) in TOKEN_KEYS.items()},
        )
    except BaseException:
        services.stop()
        raise


def pdfsig(nss_dir: Path, pdf: Path) -> str:
    """poppler's independent verdict on every signature of ``pdf``."""
    res = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss_dir}", str(pdf)], capture_output=True, text=True, timeout=60
    )
    return res.stdout + res.stderr


def _signed_at(block: str) -> int:
    """Offset of the signature's /Contents: later revisions sit further into the file."""
    m = re.search(r"Signed Ranges: \[(\d+) - (\d+)\]", block)
    return int(m.group(2)) if m else -1


def assert_pdfsig_valid(nss_dir: Path, pdf: Path, signers: list[str]) -> str:
    """Every signature valid and trusted, by ``signers`` in signing order; the last covers the file."""
    out = pdfsig(nss_dir, pdf)
    blocks = sorted(out.split("Signature #")[1:], key=_signed_at)
    assert len(blocks) == len(signers), out
    for block, name in zip(blocks, signers, strict=True):
        assert "Signature Validation: Signature is Valid." in block, out
        assert "Certificate Validation: Certificate is Trusted." in block, out
        assert f"Common Name: {name}" in block, out
    assert "Total document signed" in blocks[-1], out
    for block in blocks[:-1]:
        assert "Not total document signed" in block, out
    return out
