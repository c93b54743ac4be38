"""SoftHSM2 token, test CA, PKCS#12 seal and an NSS db for pdfsig (all test material).

Everything is session-scoped per xdist worker: SoftHSM reads ``SOFTHSM2_CONF`` once per process
(when the PKCS#11 module is initialised), so the token directory is created, filled and pointed
to before any test loads the module.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.signing.ca import Issued, TestCA, make_ca

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_LABEL = "sohoa-test"
WRONG_PIN_TOKEN = "sohoa-pin-test"
USER_PIN = "123456"
SO_PIN = "12345678"
SEAL_PASSPHRASE = "seal-passphrase"
OFFICIAL_NAME = "Nguyễn Văn An"
EC_OFFICIAL_NAME = "Trần Thị Bình"
ORGANISATION = "UBND xã Thử Nghiệm"


@dataclass
class TokenKey:
    label: str
    id_hex: str
    issued: Issued


@dataclass
class PkiFixture:
    ca: TestCA
    root_pem: Path
    module: str
    token_label: str
    keys: dict[str, TokenKey] = field(default_factory=dict)
    seal_p12: Path = Path()
    seal_expired_p12: Path = Path()
    nss_dir: Path = Path()


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60)


def _import_key(token: str, pin: str, key: TokenKey, work: Path) -> None:
    pem = work / f"{key.label}.key.pem"
    der = work / f"{key.label}.cert.der"
    pem.write_bytes(key.issued.key_pkcs8_pem())
    der.write_bytes(key.issued.cert_der())
    _run(
        "softhsm2-util", "--import", str(pem), "--token", token, "--label", key.label,
        "--id", key.id_hex, "--pin", pin,
    )
    _run(
        "pkcs11-tool", "--module", SOFTHSM_MODULE, "--token-label", token, "--login", "--pin", pin,
        "--write-object", str(der), "--type", "cert", "--label", key.label, "--id", key.id_hex,
    )
    pem.unlink()  # the key lives on the token only


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PkiFixture]:
    work = tmp_path_factory.mktemp("pki")
    tokendir = work / "tokens"
    tokendir.mkdir()
    conf = work / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokendir}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)

    ca = make_ca()
    root_pem = work / "root.pem"
    root_pem.write_bytes(ca.root.cert_pem())
    now = dt.datetime.now(dt.UTC)
    fx = PkiFixture(ca=ca, root_pem=root_pem, module=SOFTHSM_MODULE, token_label=TOKEN_LABEL)
    specs = {
        "rsa": TokenKey("official-rsa", "01", ca.issue(OFFICIAL_NAME, kind="rsa")),
        "ec": TokenKey("official-ec", "02", ca.issue(EC_OFFICIAL_NAME, kind="ec")),
        "expired": TokenKey(
            "expired", "03",
            ca.issue("Hết Hạn", not_before=now - dt.timedelta(days=400), not_after=now - dt.timedelta(days=2)),
        ),
        "notyet": TokenKey(
            "notyet", "04",
            ca.issue("Chưa Hiệu Lực", not_before=now + dt.timedelta(days=5),
                     not_after=now + dt.timedelta(days=400)),
        ),
        "noku": TokenKey("noku", "05", ca.issue("Không Ký", signing_usage=False)),
    }
    for tok in (TOKEN_LABEL, WRONG_PIN_TOKEN):
        _run("softhsm2-util", "--init-token", "--free", "--label", tok, "--pin", USER_PIN, "--so-pin", SO_PIN)
    for key in specs.values():
        _import_key(TOKEN_LABEL, USER_PIN, key, work)
    _import_key(WRONG_PIN_TOKEN, USER_PIN, TokenKey("pin-rsa", "01", ca.issue("Thử PIN")), work)
    fx.keys = specs

    fx.seal_p12 = ca.write_pkcs12(
        ca.issue(ORGANISATION, kind="rsa", org=ORGANISATION), work / "seal.p12", SEAL_PASSPHRASE.encode()
    )
    fx.seal_expired_p12 = ca.write_pkcs12(
        ca.issue(ORGANISATION, not_before=now - dt.timedelta(days=400), not_after=now - dt.timedelta(days=1)),
        work / "seal-expired.p12",
        SEAL_PASSPHRASE.encode(),
    )

    nss = work / "nssdb"
    nss.mkdir()
    _run("certutil", "-N", "-d", f"sql:{nss}", "--empty-password")
    _run("certutil", "-A", "-d", f"sql:{nss}", "-n", "sohoa-test-root", "-t", "CT,C,C", "-i", str(root_pem))
    fx.nss_dir = nss
    yield fx


def pdfsig(nss_dir: Path, pdf: Path) -> str:
    """poppler's independent verdict on every signature of ``pdf``."""
    res = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss_dir}", str(pdf)], capture_output=True, text=True, timeout=60
    )
    return res.stdout + res.stderr


def assert_pdfsig_valid(nss_dir: Path, pdf: Path, signers: list[str]) -> str:
    """Each signature valid and trusted, signed by ``signers`` in order; the last covers the file."""
    out = pdfsig(nss_dir, pdf)
    blocks = out.split("Signature #")[1:]
    assert len(blocks) == len(signers), out
    for block, name in zip(blocks, signers, strict=True):
        assert "Signature Validation: Signature is Valid." in block, out
        assert "Certificate Validation: Certificate is Trusted." in block, out
        assert name in block, out
    assert "Total document signed" in blocks[-1], out
    return out
