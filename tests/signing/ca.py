"""A throwaway TEST CA made with ``cryptography`` (test material only, never for real use).

The verification engineer's ``signing.testpki`` is the full offline PKI (OCSP, CRL, TSA); this
small CA covers what the signing tests need on their own: valid, expired, not-yet-valid and
wrong-key-usage certificates, RSA and ECDSA P-256.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _name(cn: str, org: str = "SOHOA TEST PKI (test material)") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def new_key(kind: str) -> PrivateKey:
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Issued:
    key: PrivateKey
    cert: x509.Certificate

    def key_pkcs8_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class TestCA:
    root: Issued

    def issue(
        self,
        cn: str,
        *,
        kind: str = "rsa",
        org: str = "UBND xã Thử Nghiệm (TEST)",
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        signing_usage: bool = True,
    ) -> Issued:
        key = new_key(kind)
        nb = not_before or _now() - dt.timedelta(days=1)
        na = not_after or _now() + dt.timedelta(days=365)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(cn, org))
            .issuer_name(self.root.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(nb)
            .not_valid_after(na)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=signing_usage,
                    content_commitment=signing_usage,
                    key_encipherment=not signing_usage,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root.key.public_key()),  # type: ignore[arg-type]
                critical=False,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        )
        if not signing_usage:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
        cert = builder.sign(self.root.key, hashes.SHA256())
        return Issued(key, cert)

    def write_pkcs12(self, issued: Issued, path: Path, passphrase: bytes) -> Path:
        data = pkcs12.serialize_key_and_certificates(
            b"seal",
            issued.key,
            issued.cert,
            [self.root.cert],
            serialization.BestAvailableEncryption(passphrase),
        )
        path.write_bytes(data)
        return path


def make_ca() -> TestCA:
    key = new_key("rsa")
    name = _name("SOHOA TEST Root CA (test material)")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - dt.timedelta(days=30))
        .not_valid_after(_now() + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return TestCA(Issued(key, cert))
