"""Signed PDFs taken in as they are: detect, verify, and describe their signatures for the record.

A citizen's signed e-document or a signed government letter must enter a dossier untouched:
intake stores the file byte for byte as the scan's original (its SHA-256 is the key), reads
it without rewriting it, and here verifies every signature (``signing.verify``) so the
database says who signed, whether each signature is intact and trusted, and why not.
"""

from __future__ import annotations

from pathlib import Path

from config.settings import Settings
from ocr.source import is_signed_pdf
from signing.verify import VerificationReport, VerifyInputError, verify_configured
from storage.db.source_signatures import SignatureInput


def signed_source_signatures(path: Path, settings: Settings) -> list[SignatureInput] | None:
    """None for a file without signatures; else one entry per signature, as verified now.

    A file whose signatures cannot be verified at all (a damaged signature dictionary) still
    comes in: it gets one entry that is neither intact nor valid, with the verifier's reason.
    """
    with path.open("rb") as fh:
        if not fh.read(5).startswith(b"%PDF"):
            return None
    if not is_signed_pdf(path):
        return None
    try:
        report = verify_configured(path, settings.signing)
    except VerifyInputError as exc:
        return [_unverifiable(exc.message)]
    return _inputs(report)


def _inputs(report: VerificationReport) -> list[SignatureInput]:
    out = [
        SignatureInput(
            field=sig.field,
            kind=sig.kind,
            signer=sig.signer,
            signer_name=sig.signer_name,
            signed_at=sig.timestamp,
            intact=sig.intact,
            trusted=sig.trusted,
            valid=sig.valid,
            revoked=sig.revoked,
            coverage=sig.coverage,
            reason=sig.reason or ("; ".join(sig.errors) if sig.errors else None),
        )
        for sig in report.signatures
    ]
    if not out:  # signature flags without a readable signature
        out.append(_unverifiable(report.reason))
    return out


def _unverifiable(reason: str | None) -> SignatureInput:
    return SignatureInput("?", "unknown", None, None, None, False, False, False, reason=reason)
