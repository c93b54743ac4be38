"""PKCS#12 key files: the organisation seal kept on a server."""

from __future__ import annotations

from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.certcheck import check_signing_cert
from signing.errors import InputPdfError, PinError, SigningError


def load_pkcs12_signer(
    path: Path, passphrase: str | None, extra_certs: list[asn1_x509.Certificate] | None = None
) -> SimpleSigner:
    """Open ``path`` and check its certificate; a wrong passphrase is a :class:`PinError`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputPdfError(
            f"Không đọc được tệp khóa {path.name} (cannot read key file): {exc.strerror}"
        ) from None
    pw = passphrase.encode() if passphrase else None
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, pw)
    except ValueError:
        # cryptography cannot tell a wrong passphrase from a damaged file; both mean "not opened".
        raise PinError(
            f"Sai mật khẩu tệp khóa hoặc tệp {path.name} hỏng (wrong passphrase or damaged PKCS#12 file)"
        ) from None
    if key is None or cert is None:
        raise SigningError(f"Tệp {path.name} không chứa khóa và chứng thư số (no key/certificate in file)")
    signing_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    check_signing_cert(signing_cert)
    key_info = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    chain = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in others]
    chain.extend(extra_certs or [])
    return SimpleSigner(
        signing_cert=signing_cert,
        signing_key=key_info,
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )
