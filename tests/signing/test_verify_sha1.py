"""A SHA-1 signature of our own: its own verdict with the signing time, never valid, never untrusted.

Real government files signed 2018-2021 use SHA-1 digests; they must read "weak algorithm, signed
at ...", not "certificate not trusted" (the chain is fine) and never HỢP LỆ.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from asn1crypto import cms
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps

from pipeline.cli.verify_cmd import render_summary
from signing.pdfsig import run_pdfsig
from signing.verify import VerificationReport, verify_pdf
from tests.signing.pki_fixtures import (  # noqa: F401 - fixtures are found by their names
    PkiEnv,
    pki_env_fixture,
    sign_bytes,
    signer_for,
    text_pdf_bytes,
)


def _sign_sha1(env: PkiEnv, data: bytes, *, tsa: bool) -> bytes:
    pki = env.pki
    meta = signers.PdfSignatureMetadata(
        field_name="Sig1", subfilter=fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED, md_algorithm="sha1"
    )
    stamper = timestamps.HTTPTimeStamper(pki.tsa_url) if tsa and pki.tsa_url else None
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data)),
        meta,
        signer=signer_for(pki, pki.official_rsa),
        timestamper=stamper,
    )
    return out.getvalue()


def _verify(tmp_path: Path, env: PkiEnv, data: bytes, name: str) -> VerificationReport:
    path = tmp_path / name
    path.write_bytes(data)
    return verify_pdf(path, trust_roots=env.pki.trust_roots)


@pytest.mark.parametrize("tsa", [False, True], ids=["signer-time", "tsa-time"])
def test_sha1_signature_is_weak_not_untrusted(tmp_path: Path, pki_env: PkiEnv, tsa: bool) -> None:
    if tsa and not pki_env.pki.tsa_url:
        pytest.skip("the test PKI runs no TSA")
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data = _sign_sha1(pki_env, text_pdf_bytes(), tsa=tsa)
    # the file really carries a SHA-1 digest (pyHanko did not silently upgrade it)
    emb = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    signer_info: cms.SignerInfo = emb.signer_info
    assert signer_info["digest_algorithm"]["algorithm"].native == "sha1"

    report = _verify(tmp_path, pki_env, data, f"sha1-{tsa}.pdf")
    sig = report.signatures[0]
    assert not report.valid and not sig.valid
    assert sig.status == "weak_algorithm", sig.problems
    assert sig.weak_algorithm == "sha1"
    # the chain is fine: the verdict is the algorithm, not trust, and the bytes are intact
    assert sig.intact and sig.trusted
    assert not any("không được tin cậy" in p for p in sig.problems), sig.problems
    assert sig.verdict.startswith("KHÔNG HỢP LỆ") and "sha1" in sig.verdict.lower()
    # with the signing time, the TSA's when there is one
    assert sig.timestamp is not None and sig.timestamp in sig.verdict
    assert sig.timestamp_source == ("tsa" if tsa else "signer")
    signed_at = dt.datetime.fromisoformat(sig.timestamp)
    assert before - dt.timedelta(minutes=2) <= signed_at <= dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
    summary = render_summary(report)
    assert "KHÔNG HỢP LỆ" in summary and "HỢP LỆ (valid)" not in summary
    # pdfsig reads the same file: its digest is SHA-1 and its cryptography is sound
    pdfsig = run_pdfsig(tmp_path / f"sha1-{tsa}.pdf", pki_env.nss_dir)
    assert "Signing Hash Algorithm: SHA1" in pdfsig.output.replace("SHA-1", "SHA1"), pdfsig.output
    assert pdfsig.signatures and pdfsig.signatures[0].valid, pdfsig.output


def test_sha256_control_is_valid(tmp_path: Path, pki_env: PkiEnv) -> None:
    """The same signer and document with SHA-256: valid, so the verdict above is the algorithm's."""
    pki = pki_env.pki
    report = _verify(
        tmp_path, pki_env, sign_bytes(text_pdf_bytes(), signer_for(pki, pki.official_rsa)), "sha256.pdf"
    )
    assert report.valid, report.reason
    assert report.signatures[0].weak_algorithm is None


def _sha1_certified_signer(env: PkiEnv, directory: Path) -> signers.SimpleSigner:
    """A signer whose certificate the test intermediate signed with SHA-1 (as G1-era tokens were).

    cryptography refuses to issue SHA-1 certificates, so the TBS part it builds is re-signed here.
    """
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.x509.oid import ExtensionOID

    pki = env.pki
    template = pki.official_rsa.load_cert()
    issuer = pki.intermediate.load_cert()
    issuer_key = pki.intermediate.load_key()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    builder = (
        x509.CertificateBuilder()
        .subject_name(template.subject)
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(template.not_valid_before_utc)
        .not_valid_after(template.not_valid_after_utc)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    skip = {ExtensionOID.SUBJECT_KEY_IDENTIFIER, ExtensionOID.AUTHORITY_KEY_IDENTIFIER}
    for ext in template.extensions:
        if ext.oid not in skip:
            builder = builder.add_extension(ext.value, critical=ext.critical)
    sha256_cert = builder.sign(issuer_key, hashes.SHA256())  # type: ignore[arg-type]
    tbs = asn1_x509.Certificate.load(sha256_cert.public_bytes(serialization.Encoding.DER))["tbs_certificate"]
    if isinstance(issuer_key, rsa.RSAPrivateKey):
        algo = "sha1_rsa"
        tbs["signature"] = {"algorithm": algo, "parameters": None}
        value = issuer_key.sign(tbs.dump(force=True), padding.PKCS1v15(), hashes.SHA1())
    else:
        assert isinstance(issuer_key, ec.EllipticCurvePrivateKey)
        algo = "sha1_ecdsa"
        tbs["signature"] = {"algorithm": algo}
        value = issuer_key.sign(tbs.dump(force=True), ec.ECDSA(hashes.SHA1()))
    cert = asn1_x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": dict(tbs["signature"].native),
            "signature_value": value,
        }
    )
    assert cert.hash_algo == "sha1"
    key_file, cert_file = directory / "sha1-key.pem", directory / "sha1-cert.der"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_file.write_bytes(cert.dump())
    signer = signers.SimpleSigner.load(
        str(key_file), str(cert_file), ca_chain_files=(str(pki.intermediate.cert),)
    )
    assert signer is not None
    return signer


def test_sha1_certificate_is_weak_not_untrusted(tmp_path: Path, pki_env: PkiEnv) -> None:
    """SHA-256 digest, but the signer's certificate is SHA-1-signed: still the weak verdict."""
    data = sign_bytes(text_pdf_bytes(), _sha1_certified_signer(pki_env, tmp_path))
    sig = _verify(tmp_path, pki_env, data, "sha1-cert.pdf").signatures[0]
    assert sig.status == "weak_algorithm" and sig.weak_algorithm == "sha1", sig.problems
    assert sig.intact and sig.trusted, sig.problems
    assert not sig.valid and sig.verdict.startswith("KHÔNG HỢP LỆ")


@pytest.mark.parametrize("tsa_md", ["sha1", "sha256"])
def test_sha1_in_the_timestamp_token_is_weak(tmp_path: Path, pki_env: PkiEnv, tsa_md: str) -> None:
    """A SHA-256 signature whose TSA signed its token with SHA-1: the time rests on SHA-1."""
    from asn1crypto import keys, x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    pki = pki_env.pki
    tsa = pki.tsa
    cert = x509.Certificate.load(tsa.load_cert().public_bytes(serialization.Encoding.DER))
    key = keys.PrivateKeyInfo.load(
        tsa.load_key().private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    chain = SimpleCertificateStore.from_certs(
        [x509.Certificate.load(pki.intermediate.load_cert().public_bytes(serialization.Encoding.DER))]
    )
    stamper = timestamps.DummyTimeStamper(
        tsa_cert=cert, tsa_key=key, certs_to_embed=chain, override_md=tsa_md
    )
    meta = signers.PdfSignatureMetadata(field_name="Sig1", subfilter=fields.SigSeedSubFilter.PADES)
    data = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(text_pdf_bytes())),
        meta,
        signer=signer_for(pki, pki.official_rsa),
        timestamper=stamper,
    ).getvalue()
    emb = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    assert emb.signer_info["digest_algorithm"]["algorithm"].native == "sha256"
    report = _verify(tmp_path, pki_env, data, f"tsa-{tsa_md}.pdf")
    sig = report.signatures[0]
    if tsa_md == "sha256":  # the control: the same token hashed with SHA-256 is fine
        assert sig.weak_algorithm is None and sig.status == "valid", sig.problems
        return
    assert sig.weak_algorithm == "sha1" and sig.status == "weak_algorithm", sig.problems
    assert not sig.valid and not report.valid and sig.verdict.startswith("KHÔNG HỢP LỆ")
