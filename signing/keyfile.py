"""PKCS#12 key files: the organisation seal kept on a server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes as PrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from signing.certcheck import check_signing_cert
from signing.errors import InputPdfError, PinError, SigningError


class KeyFileSigner(SimpleSigner):
    """pyHanko's SimpleSigner re-parses the private key for every signature (~0.1 s for RSA);
    a batch signed with one key file keeps the parsed key instead."""

    def __init__(self, *args: Any, private_key: PrivateKey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mech = self.get_signature_mechanism_for_digest(digest_algorithm)
        algo = mech.signature_algo
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if algo == "rsassa_pkcs1v15" and isinstance(self._private_key, rsa.RSAPrivateKey):
            return self._private_key.sign(data, PKCS1v15(), hash_algo)
        if algo == "ecdsa" and isinstance(self._private_key, ec.EllipticCurvePrivateKey):
            return self._private_key.sign(data, ec.ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)


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
    return KeyFileSigner(
        signing_cert=signing_cert,
        signing_key=key_info,
        cert_registry=SimpleCertificateStore.from_certs(chain),
        private_key=key,
    )
