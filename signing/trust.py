"""Trust roots and revocation for the signer's own certificate, checked once before signing.

Only used when trust roots are configured (settings or ``--trust``): then a revoked or untrusted
signing certificate is refused before any document is written, and B-LT signatures get their
validation data (OCSP/CRL) from the same context.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    InvalidCertificateError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)

from signing.certcheck import subject_name
from signing.errors import SigningError


def load_certs(paths: Iterable[Path]) -> list[asn1_x509.Certificate]:
    """PEM (one or more certificates) or DER files."""
    certs: list[asn1_x509.Certificate] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SigningError(
                f"Không đọc được chứng thư {path} (cannot read certificate): {exc.strerror}"
            ) from None
        try:
            if pem.detect(data):
                certs.extend(
                    asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)
                )
            else:
                certs.append(asn1_x509.Certificate.load(data))
        except ValueError:
            raise SigningError(f"{path} không phải chứng thư X.509 (not an X.509 certificate)") from None
    return certs


def validation_context(
    trust_roots: list[asn1_x509.Certificate], revocation_mode: str, other_certs: Iterable = ()
) -> ValidationContext:
    return ValidationContext(
        trust_roots=trust_roots,
        other_certs=list(other_certs),
        allow_fetching=True,
        revocation_mode=revocation_mode,
    )


async def _validate(
    cert: asn1_x509.Certificate, others: list, roots: list[asn1_x509.Certificate], revocation_mode: str
) -> None:
    vc = validation_context(roots, revocation_mode)
    try:
        validator = CertificateValidator(cert, intermediate_certs=others, validation_context=vc)
        await validator.async_validate_usage(set())
    finally:
        await vc.aclose()  # the HTTP session must close on the loop that opened it


def check_signer_trusted(signer: Signer, roots: list[asn1_x509.Certificate], revocation_mode: str) -> None:
    """Path to a trust root and revocation status of the signing certificate."""
    cert = signer.signing_cert
    if cert is None:
        raise SigningError("Không có chứng thư số của người ký (no signing certificate)")
    others = list(signer.cert_registry) if signer.cert_registry is not None else []
    who = subject_name(cert)
    try:
        asyncio.run(_validate(cert, others, roots, revocation_mode))
    except RevokedError:
        raise SigningError(f"Chứng thư số của '{who}' đã bị thu hồi (certificate revoked)") from None
    except PathBuildingError:
        raise SigningError(
            f"Chứng thư số của '{who}' không thuộc CA tin cậy đã cấu hình (untrusted certificate)"
        ) from None
    except (InvalidCertificateError, PathValidationError) as exc:
        raise SigningError(f"Chứng thư số của '{who}' không hợp lệ (invalid certificate): {exc}") from None
