"""The offline test PKI: the certificates behave as the signing and verification tests assume."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from signing.testpki import TestPkiError, create_test_pki, load_test_pki


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp("testpki")
    return create_test_pki(
        directory,
        ocsp_url="http://127.0.0.1:9/ocsp",
        crl_url="http://127.0.0.1:9/crl",
        tsa_url="http://127.0.0.1:9/tsa",
    )


def _cn(cert: x509.Certificate) -> str:
    return str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def test_every_subject_is_marked_as_test_material(made) -> None:
    for ident in made.identities.values():
        subject = ident.load_cert().subject.rfc4514_string()
        assert "TEST" in subject and "CHỈ DÙNG THỬ NGHIỆM" in subject, subject


def test_officials_have_vietnamese_names_and_non_repudiation(made) -> None:
    rsa_cert = made.official_rsa.load_cert()
    ec_cert = made.official_ecdsa.load_cert()
    assert _cn(rsa_cert).startswith("Nguyễn Văn An")
    assert isinstance(rsa_cert.public_key(), rsa.RSAPublicKey)
    assert rsa_cert.public_key().key_size == 2048
    assert isinstance(ec_cert.public_key(), ec.EllipticCurvePublicKey)
    assert ec_cert.public_key().curve.name == "secp256r1"
    for cert in (rsa_cert, ec_cert, made.seal.load_cert()):
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        assert ku.digital_signature and ku.content_commitment
        assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_chain_signatures_verify(made) -> None:
    root = made.root.load_cert()
    inter = made.intermediate.load_cert()
    root.verify_directly_issued_by(root)
    inter.verify_directly_issued_by(root)
    for name in ("official_rsa", "official_ecdsa", "seal", "revoked", "tsa", "ocsp_responder"):
        made.identity(name).load_cert().verify_directly_issued_by(inter)


def test_broken_cases(made) -> None:
    now = dt.datetime.now(dt.UTC)
    assert made.expired.load_cert().not_valid_after_utc < now
    assert made.not_yet_valid.load_cert().not_valid_before_utc > now
    ku = made.no_signing_usage.load_cert().extensions.get_extension_for_class(x509.KeyUsage).value
    assert not ku.digital_signature and not ku.content_commitment
    tsa = made.tsa.load_cert().extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert tsa.critical and list(tsa.value) == [ExtendedKeyUsageOID.TIME_STAMPING]


def test_crl_lists_only_the_revoked_certificate(made) -> None:
    crl = x509.load_der_x509_crl(made.crl.read_bytes())
    inter = made.intermediate.load_cert()
    assert crl.is_signature_valid(inter.public_key())
    assert crl.get_revoked_certificate_by_serial_number(made.revoked.load_cert().serial_number)
    assert crl.get_revoked_certificate_by_serial_number(made.official_rsa.load_cert().serial_number) is None
    assert made.revoked_serials == {made.revoked.load_cert().serial_number}
    root_crl = x509.load_der_x509_crl(made.root_crl.read_bytes())
    assert root_crl.is_signature_valid(made.root.load_cert().public_key()) and len(root_crl) == 0


def test_urls_are_in_the_certificates(made) -> None:
    cert = made.official_rsa.load_cert()
    dps = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert dps[0].full_name[0].value == "http://127.0.0.1:9/crl/intermediate.crl"
    aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert aia[0].access_location.value == "http://127.0.0.1:9/ocsp"
    inter_dp = made.intermediate.load_cert().extensions.get_extension_for_class(x509.CRLDistributionPoints)
    assert inter_dp.value[0].full_name[0].value == "http://127.0.0.1:9/crl/root.crl"


def test_key_files_match_certificates(made) -> None:
    for ident in (made.official_rsa, made.official_ecdsa, made.seal):
        assert ident.key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8
        key, cert, cas = pkcs12.load_key_and_certificates(ident.p12.read_bytes(), made.passphrase.encode())
        assert cert == ident.load_cert()
        assert key is not None
        assert key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ) == ident.load_key().public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        assert [_cn(c) for c in cas] == [_cn(made.intermediate.load_cert()), _cn(made.root.load_cert())]
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(made.seal.p12.read_bytes(), b"wrong")


def test_idempotent_and_replaced_when_urls_change(made, tmp_path: Path) -> None:
    again = create_test_pki(
        made.directory, ocsp_url=made.ocsp_url, crl_url=made.crl_url, tsa_url=made.tsa_url
    )
    assert again.root.cert.read_bytes() == made.root.cert.read_bytes()
    assert load_test_pki(made.directory).official_rsa.cert.read_bytes() == made.official_rsa.cert.read_bytes()

    other = create_test_pki(tmp_path / "p")
    first_root = other.root.cert.read_bytes()
    replaced = create_test_pki(tmp_path / "p", crl_url="http://127.0.0.1:1/crl")
    assert replaced.root.cert.read_bytes() != first_root
    assert json.loads((tmp_path / "p" / "pki.json").read_text())["crl_url"] == "http://127.0.0.1:1/crl"
    assert not list((tmp_path / "p").glob(".testpki-*"))


def test_load_missing_pki_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TestPkiError, match="PKI thử nghiệm"):
        load_test_pki(tmp_path)


def test_concurrent_creation_yields_one_consistent_pki(tmp_path: Path) -> None:
    """Two processes asking for the same directory at once must not mix keys."""
    import subprocess
    import sys

    target = tmp_path / "shared"
    code = (
        "import sys; from pathlib import Path; from signing.testpki import create_test_pki; "
        "create_test_pki(Path(sys.argv[1]))"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(target)], cwd=Path(__file__).resolve().parents[2])
        for _ in range(3)
    ]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    pki = load_test_pki(target)
    inter = pki.intermediate.load_cert()
    inter.verify_directly_issued_by(pki.root.load_cert())
    for ident in (pki.official_rsa, pki.official_ecdsa, pki.seal):
        ident.load_cert().verify_directly_issued_by(inter)
        key, cert, _ = pkcs12.load_key_and_certificates(ident.p12.read_bytes(), pki.passphrase.encode())
        assert cert == ident.load_cert()
        assert key is not None and key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ) == ident.load_cert().public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def test_test_pki_command_and_module_entry(tmp_path: Path) -> None:
    import subprocess
    import sys

    import typer
    from typer.testing import CliRunner

    from pipeline.cli.testpki_cmd import register

    app = typer.Typer()
    register(app)

    @app.command("noop", hidden=True)
    def _noop() -> None:  # keeps typer in multi-command mode, like sohoa
        return None

    res = CliRunner().invoke(app, ["test-pki", str(tmp_path / "cli")])
    assert res.exit_code == 0, res.output
    assert "CHỈ DÙNG THỬ NGHIỆM" in res.stdout and "SOHOA_SIGNING__TRUST_ROOTS" in res.stdout
    assert load_test_pki(tmp_path / "cli").seal.p12.is_file()
    mod = subprocess.run(
        [sys.executable, "-m", "signing.testpki", str(tmp_path / "cli")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert mod.returncode == 0 and "Nguyễn Văn An (TEST)" in mod.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "signing.testpki", "/proc/sohoa-cannot-write-here"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and bad.stderr.strip()
