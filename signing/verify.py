"""Validate every signature in a PDF with pyHanko and decide whether the file can be trusted.

pyHanko does the cryptography, the chain of trust (with CRL/OCSP per the revocation mode) and
the difference analysis of later revisions (its reject-by-default policy). This module adds
the verdict the commune needs: ``valid`` only when there is at least one signature, every one
is intact and trusted, nothing after any signature goes beyond form filling, further
signatures or validation data, and no byte of the file lies outside a proper revision.
Output follows ``sohoa verify --json`` in shared/spec/interfaces.md.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import itertools
import mmap
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pydantic import BaseModel, Field
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils import misc
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import DocumentTimestampStatus, PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

from config.errors import ExitCode, SohoaError

__all__ = [
    "RevocationMode",
    "SignatureReport",
    "VerificationReport",
    "VerifyInputError",
    "async_verify_pdf",
    "verify_pdf",
]

RevocationMode = Literal["soft-fail", "hard-fail", "require"]

#: what may follow a signature without voiding it (interfaces.md)
ALLOWED_LEVELS = frozenset(
    {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING}
)
#: seconds allowed per CRL/OCSP fetch, so a dead responder cannot hang a clerk's desk
FETCH_TIMEOUT = 10


class VerifyInputError(SohoaError):
    """The file cannot be verified at all (missing, not a PDF, corrupt) or a trust root is bad."""

    exit_code = ExitCode.INPUT_FILE


class SignatureReport(BaseModel):
    """One signature (or document timestamp) of the file; the first seven keys are the fixed ones."""

    field: str
    signer: str | None
    intact: bool
    trusted: bool
    modification_level: str | None
    coverage: str | None
    timestamp: str | None = Field(description="ISO 8601 in the configured offset (+07:00)")
    kind: Literal["approval", "certification", "document_timestamp"] = "approval"
    signer_name: str | None = None
    valid: bool = False
    revoked: bool = False
    timestamp_source: Literal["tsa", "signer"] | None = None
    timestamp_trusted: bool | None = None
    docmdp: str | None = None
    pades_level: str | None = None
    revision: int | None = None
    validated_at: str | None = Field(
        None, description='"now", or the moment the chain was validated at (point-in-time, B-LT)'
    )
    reason: str | None = Field(None, description="why this signature fails, in Vietnamese")
    errors: list[str] = Field(default_factory=list)


class VerificationReport(BaseModel):
    valid: bool
    signatures: list[SignatureReport]
    file: str | None = None
    reason: str | None = None
    trailing_bytes: int = Field(0, description="bytes after the last revision's %%EOF")
    hidden_bytes: int = Field(0, description="non-blank bytes between revisions, in none of them")
    warnings: list[str] = Field(default_factory=list)


def verify_pdf(
    path: Path,
    *,
    trust_roots: Sequence[Path],
    revocation: RevocationMode = "soft-fail",
    allow_fetching: bool = True,
    tz: str = "+07:00",
    at: dt.datetime | None = None,
    crls: Sequence[Path] = (),
) -> VerificationReport:
    """Synchronous entry (CLI, API worker threads); see :func:`async_verify_pdf`.

    Safe to call from a thread that already runs an event loop: the validation then runs on
    its own loop in a helper thread instead of failing in ``asyncio.run``.
    """
    coro = async_verify_pdf(
        path,
        trust_roots=trust_roots,
        revocation=revocation,
        allow_fetching=allow_fetching,
        tz=tz,
        at=at,
        crls=crls,
    )
    try:
        asyncio.get_running_loop()
        in_loop = True
    except RuntimeError:
        in_loop = False
    if not in_loop:  # outside the except block, so pyHanko's logged errors carry no stray context
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def async_verify_pdf(
    path: Path,
    *,
    trust_roots: Sequence[Path],
    revocation: RevocationMode = "soft-fail",
    allow_fetching: bool = True,
    tz: str = "+07:00",
    at: dt.datetime | None = None,
    crls: Sequence[Path] = (),
) -> VerificationReport:
    """Validate every signature of ``path`` against ``trust_roots``.

    Revocation data embedded in the file (its DSS) is always used; ``allow_fetching`` adds
    CRL/OCSP look-ups over the network. ``at`` validates as of another time (an audit "as
    of" date, or a test of the future); it implies no fetching, as the network only knows now.
    ``crls`` are CRL files obtained out of band (a commune office without network access).
    A file that is not a readable PDF raises :class:`VerifyInputError`; everything else is
    reported, never raised.
    """
    roots = _load_trust_roots(trust_roots)
    extra_crls = _load_crls(crls)
    offset = _parse_offset(tz)
    with _open_pdf(path) as (stream, data):
        return await _verify_open(
            path, stream, data, roots, offset, revocation, allow_fetching, at, extra_crls
        )


async def _verify_open(
    path: Path,
    stream: BinaryIO,
    data: mmap.mmap,
    roots: list[asn1_x509.Certificate],
    offset: dt.timezone,
    revocation: RevocationMode,
    allow_fetching: bool,
    at: dt.datetime | None,
    extra_crls: list[bytes],
) -> VerificationReport:
    try:
        reader = PdfFileReader(stream, strict=True)
        if reader.encrypted and reader.decrypt("").status.value == 0:  # AuthStatus.FAILED
            raise VerifyInputError(
                f"Tệp {path.name} được bảo vệ bằng mật khẩu, không kiểm tra được "
                "(password-protected PDF)"
            )
        embedded = list(reader.embedded_signatures)
    except (misc.PdfError, ValueError, KeyError, TypeError, IndexError, AssertionError) as exc:
        raise VerifyInputError(
            f"Tệp {path.name} hỏng hoặc không phải PDF, không kiểm tra được chữ ký "
            f"(corrupt or not a PDF): {_short(exc)}"
        ) from exc

    layout = _Layout(
        last_revision=reader.xrefs.total_revisions - 1,
        trailing=_trailing_bytes(data),
        gaps=_gaps_between_revisions(reader, data),
    )
    trailing = layout.trailing
    if not embedded:
        return VerificationReport(
            valid=False,
            signatures=[],
            file=path.name,
            reason="Tệp không có chữ ký số nào (the file carries no signature)",
            trailing_bytes=trailing,
        )

    dss = _read_dss(reader)
    if at is not None:
        if at.tzinfo is None:
            raise VerifyInputError("Thời điểm kiểm tra phải có múi giờ (validation time needs an offset)")
        allow_fetching = False
    backend = RequestsFetcherBackend(per_request_timeout=FETCH_TIMEOUT) if allow_fetching else None
    reports: list[SignatureReport] = []
    try:
        for emb in embedded:
            ctx_kwargs: dict[str, Any] = {
                "trust_roots": roots,
                "other_certs": dss["certs"],
                "crls": [*dss["crls"], *extra_crls],
                "ocsps": dss["ocsps"],
                "allow_fetching": allow_fetching,
                "revocation_mode": revocation,
                # Embedded OCSP answers are fetched right after signing, a moment after the
                # signing time: they still speak for it.
                "retroactive_revinfo": True,
            }
            if at is not None:
                ctx_kwargs["moment"] = at
            if backend is not None:
                ctx_kwargs["fetcher_backend"] = backend
            report = await _verify_one(emb, ctx_kwargs, offset, dss, layout, extra_crls)
            reports.append(report)
    finally:
        if backend is not None:
            await backend.close()

    failing = [r for r in reports if not r.valid]
    reason = None
    if failing:
        reason = "; ".join(f"{r.field}: {r.reason}" for r in failing)
    signed_by_someone = any(r.kind != "document_timestamp" for r in reports)
    if not signed_by_someone:
        # a document timestamp proves when, not who: it is no signature
        reason = "; ".join(
            x
            for x in (reason, "Tệp chỉ có dấu thời gian, không có chữ ký số (timestamp only, no signature)")
            if x
        )
    warnings = []
    if "error" in dss:
        warnings.append(f"kho dữ liệu kiểm tra (DSS) hỏng, đã bỏ qua (damaged DSS ignored): {dss['error']}")
    return VerificationReport(
        warnings=warnings,
        valid=not failing and signed_by_someone,
        signatures=reports,
        file=path.name,
        reason=reason,
        trailing_bytes=trailing,
        hidden_bytes=sum(layout.gaps.values()),
    )


# --- one signature ------------------------------------------------------------------------------


async def _verify_one(
    emb: EmbeddedPdfSignature,
    ctx_kwargs: dict[str, Any],
    offset: dt.timezone,
    dss: dict[str, Any],
    layout: _Layout,
    extra_crls: Sequence[bytes] = (),
) -> SignatureReport:
    field = emb.field_name or "(không tên)"
    is_doc_ts = emb.sig_object_type == "/DocTimeStamp"
    kind: Literal["approval", "certification", "document_timestamp"] = "approval"
    if is_doc_ts:
        kind = "document_timestamp"
    elif emb.docmdp_level is not None:
        kind = "certification"
    report = SignatureReport(
        field=field,
        signer=None,
        intact=False,
        trusted=False,
        modification_level=None,
        coverage=None,
        timestamp=None,
        kind=kind,
        revision=emb.signed_revision,
    )
    try:
        report.signer, report.signer_name = _signer(emb.signer_cert)
    except Exception as exc:  # an unparseable CMS blob: reported, not raised
        report.errors.append(f"không đọc được chứng thư người ký: {_short(exc)}")
    try:
        status = None
        for label, kwargs in _attempts(emb, is_doc_ts, ctx_kwargs, dss):
            status = await _validate(emb, is_doc_ts, kwargs)
            report.validated_at = label
            if status.trusted or status.revoked:
                break
        assert status is not None
    except Exception as exc:  # pyHanko raises on forged structures; that is a verdict, not a crash
        report.errors.append(_short(exc))
        report.reason = f"không kiểm tra được chữ ký (cannot validate): {_short(exc)}"
        _fill_integrity_guess(emb, report)
        return report

    report.intact = bool(status.intact and status.valid)
    report.trusted = bool(status.trusted)
    report.revoked = bool(status.revoked)
    report.coverage = status.coverage.name if status.coverage is not None else None
    mod_level = status.modification_level
    report.modification_level = mod_level.name if mod_level is not None else None
    if isinstance(status, PdfSignatureStatus):
        report.docmdp = emb.docmdp_level.name if emb.docmdp_level is not None else None
        _fill_time(report, status, offset)
        report.pades_level = _pades_level(emb, status, dss)
    else:
        report.timestamp = _iso(status.timestamp, offset)
        report.timestamp_source = "tsa"
        report.timestamp_trusted = report.trusted
        report.pades_level = "B-LTA"
    if status.trust_problem_indic is not None and not report.trusted:
        report.errors.append(_indic(status))
    # only a trusted TSA's time counts: a signer could backdate its own claim past a revocation
    proven = report.timestamp if report.timestamp_source == "tsa" and report.timestamp_trusted else None
    if report.trusted and extra_crls and _listed_in_crls(status, extra_crls, proven):
        report.trusted, report.revoked = False, True

    report.reason = _reason(report, status, mod_level, layout)
    report.valid = report.reason is None
    return report


def _listed_in_crls(
    status: PdfSignatureStatus | DocumentTimestampStatus, crls: Sequence[bytes], signed_at: str | None
) -> bool:
    """Is a certificate of the validated path revoked (before signing) on a CRL given by hand?

    pyHanko consults known CRLs only for certificates that name a CRL or OCSP source (except
    in 'require' mode); CRL files obtained out of band must count for the others too.
    """
    path = status.validation_path
    if path is None:
        return False
    when = dt.datetime.fromisoformat(signed_at) if signed_at else dt.datetime.now(dt.UTC)
    chain = [x509.load_der_x509_certificate(c.dump()) for c in path.iter_certs(include_root=True)]
    parsed = [x509.load_der_x509_crl(raw) for raw in crls]
    for issuer, cert in itertools.pairwise(chain):
        for crl in parsed:
            if crl.issuer != issuer.subject:
                continue
            if not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
                continue
            entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
            if entry is not None and entry.revocation_date_utc <= when:
                return True
    return False


def _attempts(
    emb: EmbeddedPdfSignature, is_doc_ts: bool, ctx_kwargs: dict[str, Any], dss: dict[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """Validation contexts to try in turn, until one settles trust or finds a revocation.

    B-LT: the data embedded at signing time speaks for that time even when the CA is gone, so
    it is tried first without the network: as of the validation time, then as of the
    timestamp (point-in-time, once CRLs/OCSP answers have gone stale or the certificate has
    expired). The network is asked last, and only if allowed.
    """
    moment: dt.datetime | None = ctx_kwargs.get("moment")
    label_now = _iso(moment, dt.UTC) if moment else "now"
    if not (dss["crls"] or dss["ocsps"]):
        return [(label_now or "now", ctx_kwargs)]
    offline = {k: v for k, v in ctx_kwargs.items() if k != "fetcher_backend"}
    offline["allow_fetching"] = False
    attempts = [(label_now or "now", offline)]
    ts_time = _timestamp_time(emb, is_doc_ts)
    if ts_time is not None:
        at_ts = {**offline, "moment": ts_time, "best_signature_time": ts_time}
        attempts.append((_iso(ts_time, dt.UTC) or "timestamp", at_ts))
    if ctx_kwargs["allow_fetching"]:
        attempts.append((label_now or "now", ctx_kwargs))
    return attempts


def _timestamp_time(emb: EmbeddedPdfSignature, is_doc_ts: bool) -> dt.datetime | None:
    """genTime of the signature's (or document timestamp's) RFC 3161 token, unverified yet."""
    try:
        if is_doc_ts:
            tst = emb.signed_data
        else:
            tst = None
            for attr in emb.signer_info["unsigned_attrs"] or ():
                if attr["type"].native == "signature_time_stamp_token":
                    tst = attr["values"][0]["content"]
                    break
            if tst is None:
                return None
        gen_time = tst["encap_content_info"]["content"].parsed["gen_time"].native
    except (KeyError, ValueError, TypeError, AttributeError):
        return None
    return gen_time if isinstance(gen_time, dt.datetime) else None


async def _validate(
    emb: EmbeddedPdfSignature, is_doc_ts: bool, ctx_kwargs: dict[str, Any]
) -> PdfSignatureStatus | DocumentTimestampStatus:
    if is_doc_ts:
        return await async_validate_pdf_timestamp(emb, validation_context=ValidationContext(**ctx_kwargs))
    vc = ValidationContext(**ctx_kwargs)
    return await async_validate_pdf_signature(emb, signer_validation_context=vc, ts_validation_context=vc)


def _reason(
    report: SignatureReport,
    status: PdfSignatureStatus | DocumentTimestampStatus,
    mod_level: ModificationLevel | None,
    layout: _Layout,
) -> str | None:
    """The first rule this signature breaks, in Vietnamese (English gloss), or None."""
    if not report.intact:
        return "chữ ký không toàn vẹn, nội dung đã ký bị sửa (signature not intact)"
    if report.revoked:
        return "chứng thư số đã bị thu hồi (certificate revoked)"
    if not report.trusted:
        indic = _indic(status)
        why = _TRUST_PROBLEMS_VI.get(indic, "")
        return f"chứng thư số không được tin cậy{why} (certificate not trusted: {indic})"
    coverage = report.coverage
    if coverage not in ("ENTIRE_FILE", "ENTIRE_REVISION"):
        return f"vùng ký không bao phủ tệp (signature does not cover the file: {coverage})"
    if mod_level is None or mod_level not in ALLOWED_LEVELS:
        level = mod_level.name if mod_level is not None else "?"
        return f"tài liệu bị thay đổi sau khi ký (modified after signing: {level})"
    if isinstance(status, PdfSignatureStatus) and status.docmdp_ok is False:
        return "thay đổi sau khi ký vượt quyền chứng nhận DocMDP (changes exceed DocMDP permissions)"
    if coverage == "ENTIRE_REVISION" and report.revision == layout.last_revision:
        # Nothing in the xref chain follows this signature, yet bytes do: hidden content.
        return "có dữ liệu nằm ngoài vùng ký ở cuối tệp (bytes after the signed revision)"
    if layout.trailing:
        return f"có {layout.trailing} byte lạ sau %%EOF cuối tệp (bytes after the final %%EOF)"
    hidden = sum(n for rev, n in layout.gaps.items() if report.revision is None or rev > report.revision)
    if hidden:
        return f"có {hidden} byte lạ giữa các phiên bản sau khi ký (bytes outside every revision)"
    if report.timestamp_source == "tsa" and report.timestamp_trusted is False:
        return "dấu thời gian không hợp lệ hoặc không tin cậy (invalid or untrusted timestamp)"
    return None


_TRUST_PROBLEMS_VI = {
    "NO_CERTIFICATE_CHAIN_FOUND": ": không dẫn tới gốc tin cậy nào",
    "OUT_OF_BOUNDS_NO_POE": ": hết hạn hoặc chưa hiệu lực vào lúc ký",
    "OUT_OF_BOUNDS_NOT_REVOKED": ": hết hạn hoặc chưa hiệu lực vào lúc ký",
    "EXPIRED": ": đã hết hạn",
    "NOT_YET_VALID": ": chưa có hiệu lực",
    "CHAIN_CONSTRAINTS_FAILURE": ": không được phép dùng để ký số (mục đích sử dụng khóa)",
    "REVOKED_NO_POE": ": đã bị thu hồi",
    "REVOKED_CA_NO_POE": ": CA cấp chứng thư đã bị thu hồi",
    "TRY_LATER": ": chưa lấy được thông tin thu hồi (CRL/OCSP), thử lại sau",
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": ": thông tin thu hồi đã cũ",
    "CRYPTO_CONSTRAINTS_FAILURE": ": thuật toán mật mã không còn được chấp nhận",
}


def _indic(status: PdfSignatureStatus | DocumentTimestampStatus) -> str:
    indic = status.trust_problem_indic
    return str(getattr(indic, "name", indic)) if indic is not None else "?"


def _fill_time(report: SignatureReport, status: PdfSignatureStatus, offset: dt.timezone) -> None:
    ts = status.timestamp_validity
    if ts is not None:
        report.timestamp = _iso(ts.timestamp, offset)
        report.timestamp_source = "tsa"
        report.timestamp_trusted = bool(ts.intact and ts.valid and ts.trusted)
    elif status.signer_reported_dt is not None:
        report.timestamp = _iso(status.signer_reported_dt, offset)
        report.timestamp_source = "signer"


def _fill_integrity_guess(emb: EmbeddedPdfSignature, report: SignatureReport) -> None:
    """Best effort coverage for a signature pyHanko refused to validate."""
    try:
        report.coverage = emb.evaluate_signature_coverage().name
    except Exception as exc:
        report.errors.append(f"coverage: {_short(exc)}")


def _pades_level(emb: EmbeddedPdfSignature, status: PdfSignatureStatus, dss: dict[str, Any]) -> str:
    subfilter = str(emb.sig_object.get("/SubFilter", ""))
    if subfilter != "/ETSI.CAdES.detached":
        return "PKCS7"
    if status.timestamp_validity is None:
        return "B-B"
    if not (dss["crls"] or dss["ocsps"]):
        return "B-T"
    if dss["has_doc_ts_after_dss"]:
        return "B-LTA"
    return "B-LT"


def _signer(cert: asn1_x509.Certificate | None) -> tuple[str | None, str | None]:
    if cert is None:
        return None, None
    parsed = x509.load_der_x509_certificate(cert.dump())
    cns = parsed.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    dn = parsed.subject.rfc4514_string({x509.oid.NameOID.TITLE: "title"})
    return dn, (str(cns[0].value) if cns else None)


# --- file-level helpers -------------------------------------------------------------------------


@contextlib.contextmanager
def _open_pdf(path: Path) -> Iterator[tuple[BinaryIO, mmap.mmap]]:
    """The file as a stream for pyHanko and a memory map for the layout checks.

    Mapped, not read: scanned dossiers run to hundreds of MB and only a few pages of them are
    touched (xrefs, signature dictionaries, the signed ranges' digest streams through).
    """
    try:
        f = path.open("rb")
    except FileNotFoundError as exc:
        raise VerifyInputError(f"Không tìm thấy tệp {path} (file not found)") from exc
    except IsADirectoryError as exc:
        raise VerifyInputError(f"{path} là thư mục, không phải tệp PDF (a directory)") from exc
    except OSError as exc:
        raise VerifyInputError(f"Không đọc được tệp {path} (cannot read): {exc.strerror}") from exc
    with f:
        if not f.read(1024).lstrip().startswith(b"%PDF-"):
            raise VerifyInputError(f"Tệp {path.name} không phải PDF (not a PDF)")
        f.seek(0)
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield f, data


@dataclass(frozen=True)
class _Layout:
    """Where the file's bytes are: revisions, and what lies outside them."""

    last_revision: int
    trailing: int
    gaps: dict[int, int]
    """revision number -> non-blank bytes between the previous revision's %%EOF and it"""


_BLANK = b" \t\r\n\x00\x0c"


def _gaps_between_revisions(reader: PdfFileReader, data: mmap.mmap) -> dict[int, int]:
    """Bytes that belong to no revision: after one revision's %%EOF, before the next one's data.

    An incremental update starts right after the previous ``%%EOF``; anything else there is
    covered by no signature and referenced by no xref (an attacker's hiding place).
    """
    xrefs = reader.xrefs
    gaps: dict[int, int] = {}
    for rev in range(1, xrefs.total_revisions):
        try:
            prev = xrefs.get_xref_container_info(rev - 1)
            eof = data.find(b"%%EOF", prev.end_location)
            if eof < 0:
                continue
            info = xrefs.get_xref_container_info(rev)
            starts = [info.start_location]
            for ref in xrefs.explicit_refs_in_revision(rev):
                loc = xrefs.get_historical_ref(ref, rev)
                if isinstance(loc, int):
                    starts.append(loc)
        except (misc.PdfError, KeyError, ValueError, IndexError):
            continue
        gap = data[eof + 5 : min(starts)].strip(_BLANK)
        if gap:
            gaps[rev] = len(gap)
    return gaps


def _trailing_bytes(data: mmap.mmap) -> int:
    """Non-blank bytes after the last ``%%EOF`` (0 for a clean file)."""
    pos = data.rfind(b"%%EOF")
    if pos < 0:
        return len(data)
    return len(data[pos + 5 :].strip(_BLANK))


def _read_dss(reader: PdfFileReader) -> dict[str, Any]:
    """Certificates, CRLs and OCSP answers embedded in the document (PAdES B-LT)."""
    out: dict[str, Any] = {"certs": [], "crls": [], "ocsps": [], "has_doc_ts_after_dss": False}
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        out["certs"] = list(dss.load_certs())
        out["crls"] = _parsable([ref.get_object().data for ref in dss.crls], asn1_crl.CertificateList)
        out["ocsps"] = _parsable([ref.get_object().data for ref in dss.ocsps], asn1_ocsp.OCSPResponse)
        dropped = len(dss.crls) + len(dss.ocsps) - len(out["crls"]) - len(out["ocsps"])
        if dropped:
            out["error"] = f"{dropped} CRL/OCSP không đọc được (unreadable entries)"
    except NoDSSFoundError:
        return out
    except Exception as exc:  # a damaged DSS: validate as if absent, and say so
        return {**out, "certs": [], "crls": [], "ocsps": [], "error": _short(exc)}
    out["has_doc_ts_after_dss"] = any(
        emb.sig_object_type == "/DocTimeStamp" for emb in reader.embedded_signatures
    )
    return out


def _load_crls(paths: Sequence[Path]) -> list[bytes]:
    out = []
    for p in paths:
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise VerifyInputError(f"Không đọc được CRL {p} (cannot read CRL): {exc.strerror}") from exc
        try:
            crl = (
                x509.load_der_x509_crl(raw)
                if not raw.lstrip().startswith(b"-----")
                else (x509.load_pem_x509_crl(raw))
            )
        except ValueError as exc:
            raise VerifyInputError(f"Tệp {p} không phải CRL (not a CRL)") from exc
        out.append(crl.public_bytes(serialization.Encoding.DER))
    return out


def _parsable(blobs: list[bytes], spec: Any) -> list[bytes]:
    """Keep the DER blobs that parse: one damaged entry must not sink the others."""
    good = []
    for blob in blobs:
        try:
            _ = spec.load(blob).native
        except (ValueError, TypeError, KeyError):
            continue
        good.append(blob)
    return good


def _load_trust_roots(paths: Sequence[Path]) -> list[asn1_x509.Certificate]:
    roots: list[asn1_x509.Certificate] = []
    for p in paths:
        try:
            roots.extend(load_certs_from_pemder([str(p)]))
        except FileNotFoundError as exc:
            raise VerifyInputError(f"Không tìm thấy chứng thư gốc {p} (trust root not found)") from exc
        except (OSError, ValueError, TypeError) as exc:
            raise VerifyInputError(
                f"Chứng thư gốc {p} không đọc được (unreadable trust root): {_short(exc)}"
            ) from exc
    if not roots:
        raise VerifyInputError(
            "Chưa cấu hình chứng thư gốc tin cậy: dùng --trust PEM hoặc SOHOA_SIGNING__TRUST_ROOTS "
            "(no trust roots configured)"
        )
    return roots


def _parse_offset(tz: str) -> dt.timezone:
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", tz.strip())
    if not m:
        raise VerifyInputError(f"Múi giờ không hợp lệ: {tz!r} (bad timezone offset, e.g. +07:00)")
    sign = 1 if m.group(1) == "+" else -1
    return dt.timezone(sign * dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))


def _iso(moment: dt.datetime | None, offset: dt.timezone) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(offset).replace(microsecond=0).isoformat()


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
