"""Trust roots and revocation for the signer's own certificate, checked once before signing.

Only used when trust roots are configured (settings or ``--trust``): then a revoked or untrusted
signing certificate is refused before any document is written, and B-LT signatures get their
validation data (OCSP/CRL) from the same context.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
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


# --- the shipped Vietnamese trust list ------------------------------------------------------------

_SHIPPED_DIR = Path(__file__).with_name("trust_vn")


@dataclass(frozen=True)
class TrustAnchor:
    """One certificate of the shipped list, checked against its manifest fingerprint."""

    id: str
    subject: str
    role: str  # "root" | "intermediate"
    default: bool
    sha256: str
    cert: asn1_x509.Certificate


@dataclass(frozen=True)
class TrustList:
    """Anchors (self-signed roots, or whatever the operator names as trusted) and intermediates."""

    roots: list[asn1_x509.Certificate]
    intermediates: list[asn1_x509.Certificate]
    anchor_ids: list[str]


class TrustListError(SigningError):
    """The shipped trust list is damaged or a configured anchor is unknown."""


def _fingerprint(cert: asn1_x509.Certificate) -> str:
    digest = hashlib.sha256(cert.dump()).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def shipped_anchor_ids() -> tuple[str, ...]:
    """The ids of the shipped anchors, from the manifest alone (names for options and schemas).

    The certificates are not loaded here; :func:`shipped_anchors` checks them when trusted.
    """
    try:
        manifest = json.loads((_SHIPPED_DIR / "manifest.json").read_text(encoding="utf-8"))
        return tuple(str(item["id"]) for item in manifest["anchors"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TrustListError(
            f"Danh sách tin cậy đi kèm bị hỏng (shipped trust list unreadable): {exc}"
        ) from None


def shipped_anchors() -> list[TrustAnchor]:
    """Every anchor of ``signing/trust_vn``; a file whose fingerprint differs is refused."""
    try:
        manifest = json.loads((_SHIPPED_DIR / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TrustListError(
            f"Danh sách tin cậy đi kèm bị hỏng (shipped trust list unreadable): {exc}"
        ) from None
    out = []
    for item in manifest["anchors"]:
        (cert,) = load_certs([_SHIPPED_DIR / item["file"]])
        if _fingerprint(cert) != item["sha256"].upper():
            raise TrustListError(
                f"Chứng thư {item['file']} không khớp dấu vân tay SHA-256 trong manifest "
                "(shipped trust anchor fingerprint mismatch)"
            )
        out.append(
            TrustAnchor(
                id=item["id"],
                subject=item["subject"],
                role=item["role"],
                default=bool(item["default"]),
                sha256=item["sha256"],
                cert=cert,
            )
        )
    return out


def build_trust_list(
    extra: Iterable[Path] = (),
    *,
    shipped: bool = True,
    enable: Iterable[str] = (),
    disable: Iterable[str] = (),
) -> TrustList:
    """The shipped defaults (minus ``disable``, plus non-default ``enable``) and ``extra`` files.

    Shipped intermediates go to the path builder as intermediates, not anchors: they count only
    under their root. Certificates from ``extra`` (operator's files) are anchors as given.
    """
    roots: list[asn1_x509.Certificate] = []
    inter: list[asn1_x509.Certificate] = []
    ids: list[str] = []
    enable, disable = set(enable), set(disable)
    if shipped or enable:
        anchors = shipped_anchors()
        unknown = (enable | disable) - {a.id for a in anchors}
        if unknown:
            raise TrustListError(
                f"Không có chứng thư gốc tên {', '.join(sorted(unknown))} trong danh sách đi kèm "
                f"(unknown shipped anchor; known: {', '.join(a.id for a in anchors)})"
            )
        for a in anchors:
            wanted = (shipped and a.default and a.id not in disable) or a.id in enable
            if not wanted:
                continue
            (roots if a.role == "root" else inter).append(a.cert)
            ids.append(a.id)
    roots.extend(load_certs(extra))
    return TrustList(roots=roots, intermediates=inter, anchor_ids=ids)
