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
from dataclasses import dataclass, field
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
from pyhanko.sign.fields import MDPPerm, enumerate_sig_fields
from pyhanko.sign.validation import (
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import DocumentTimestampStatus, PdfSignatureStatus
from pyhanko.sign.validation.utils import CMSAlgorithmUsagePolicy
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
from pyhanko_certvalidator.policy_decl import (
    AcceptAllAlgorithms,
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

from config.errors import ExitCode, SohoaError
from config.settings import SigningSettings
from signing.certcheck import organisation_gap
from signing.errors import SigningError
from signing.placement import PageGeometry, normalise_rotation
from signing.trust import build_trust_list
from signing.verify_content import (
    displayed_changes,
    new_signature_stamps,
    page_geometry,
    signature_history,
    signed_signature_blocks,
    snapshot,
)
from signing.verify_diff import STRICT_DIFF_POLICY
from signing.verify_levels import LevelFacts, long_term_level, read_level_facts
from signing.verify_stamps import check_stamps
from signing.xref_audit import XrefAudit, XrefAuditError, audit_xrefs

__all__ = [
    "RevocationMode",
    "SignatureReport",
    "VerificationReport",
    "VerifyInputError",
    "async_verify_pdf",
    "report_for_error",
    "verify_configured",
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
    signer_kind: Literal["organisation", "person"] | None = Field(
        None,
        description="whom the certificate identifies, as Vietnamese CAs issue them: an organisation "
        "(a seal: O named, no personal identifier) or a person",
    )
    signer_kind_gap: str | None = Field(
        None,
        description="for a person's certificate: what it lacks to count as an organisation's "
        "(Vietnamese), e.g. a common name other than O and no MST/MNS identifier",
    )
    valid: bool = False
    status: str = Field(
        "invalid",
        description="machine code of the verdict: valid, not_intact, revoked, weak_algorithm, untrusted, "
        "revocation_not_checked, modified, structure, timestamp, unreadable",
    )
    verdict: str = Field("", description="the verdict in Vietnamese, as a clerk reads it")
    revoked: bool = False
    revocation_checked: bool = Field(
        False, description="CRL/OCSP (embedded or fetched) answered for every certificate of the path"
    )
    weak_algorithm: str | None = Field(None, description="e.g. sha1: a hash no longer accepted")
    timestamp_source: Literal["tsa", "signer"] | None = None
    timestamp_trusted: bool | None = None
    docmdp: str | None = None
    pades_level: str | None = None
    revision: int | None = None
    validated_at: str | None = Field(
        None, description='"now", or the moment the chain was validated at (point-in-time, B-LT)'
    )
    reason: str | None = Field(None, description="why this signature fails, in Vietnamese")
    problems: list[str] = Field(default_factory=list, description="every rule it breaks (Vietnamese)")
    content_changes: list[str] = Field(
        default_factory=list, description="what a viewer displays differently from the signed revision"
    )
    later_stamps: list[str] = Field(
        default_factory=list,
        description="stamps later signatures drew in blank space of this certified document (field, page),"
        " or as the organisation's seal over an earlier signature (Decree 30/2020)",
    )
    errors: list[str] = Field(default_factory=list)


class VerificationReport(BaseModel):
    valid: bool
    signatures: list[SignatureReport]
    file: str | None = None
    reason: str | None = None
    trailing_bytes: int = Field(0, description="bytes after the last revision's %%EOF")
    hidden_bytes: int = Field(0, description="non-blank bytes of updates that no xref accounts for")
    warnings: list[str] = Field(default_factory=list)
    empty_signature_fields: list[str] = Field(default_factory=list, description="fields nobody signed")
    stripped_signatures: list[str] = Field(
        default_factory=list, description="signatures present in an earlier revision, gone now"
    )
    structure: list[str] = Field(default_factory=list, description="xref and layout findings (Vietnamese)")
    linearized: bool = False
    hybrid_xref: bool = False
    encrypted: bool = False
    trust_anchors: list[str] = Field(default_factory=list, description="shipped anchors in use")
    revocation_checked: bool = False


def verify_pdf(
    path: Path,
    *,
    trust_roots: Sequence[Path],
    revocation: RevocationMode = "soft-fail",
    allow_fetching: bool = True,
    tz: str = "+07:00",
    at: dt.datetime | None = None,
    crls: Sequence[Path] = (),
    shipped_trust: bool = True,
    trust_enable: Sequence[str] = (),
    trust_disable: Sequence[str] = (),
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
        shipped_trust=shipped_trust,
        trust_enable=trust_enable,
        trust_disable=trust_disable,
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


def verify_configured(
    path: Path,
    signing: SigningSettings,
    *,
    trust_enable: Sequence[str] = (),
    trust_disable: Sequence[str] = (),
) -> VerificationReport:
    """:func:`verify_pdf` with the configured trust list, revocation mode and time zone.

    The one way the API, the signing queue and signed sources verify, so none of them drops a
    trust setting the CLI honours. ``trust_enable``/``trust_disable`` (shipped anchor ids, one
    request's choice) are added to the configured ones; an id asked both ways is an error.
    """
    both = set(trust_enable) & set(trust_disable)
    if both:
        raise VerifyInputError(
            f"Không thể vừa bật vừa tắt chứng thư gốc {', '.join(sorted(both))} "
            "(anchor both enabled and disabled)"
        )
    enable = [*signing.trust_enable, *trust_enable]
    disable = [a for a in [*signing.trust_disable, *trust_disable] if a not in trust_enable]
    return verify_pdf(
        path,
        trust_roots=list(signing.trust_roots),
        revocation=signing.revocation,
        tz=signing.timezone,
        shipped_trust=signing.trust_shipped,
        trust_enable=[a for a in enable if a not in trust_disable],
        trust_disable=disable,
    )


def report_for_error(path: Path, exc: BaseException) -> VerificationReport:
    """The JSON report of a file that could not be verified at all (``valid`` false, the reason)."""
    return VerificationReport(valid=False, signatures=[], file=path.name, reason=str(exc))


async def async_verify_pdf(
    path: Path,
    *,
    trust_roots: Sequence[Path],
    revocation: RevocationMode = "soft-fail",
    allow_fetching: bool = True,
    tz: str = "+07:00",
    at: dt.datetime | None = None,
    crls: Sequence[Path] = (),
    shipped_trust: bool = True,
    trust_enable: Sequence[str] = (),
    trust_disable: Sequence[str] = (),
) -> VerificationReport:
    """Validate every signature of ``path`` against the shipped trust list and ``trust_roots``.

    Revocation data embedded in the file (its DSS) is used first; ``allow_fetching`` adds
    CRL/OCSP look-ups over the network. Revocation is always checked: a signature whose
    certificates could not be checked is reported ``revocation_not_checked``, never valid.
    ``revocation`` 'require' makes that an untrusted verdict instead. ``at`` validates as of
    another time (an audit "as of" date, or a test of the future); it implies no fetching.
    ``crls`` are CRL files obtained out of band (a commune office without network access).
    A file that is not a readable PDF raises :class:`VerifyInputError`; everything else is
    reported, never raised.
    """
    trust = _load_trust(trust_roots, shipped_trust, trust_enable, trust_disable)
    extra_crls = _load_crls(crls)
    offset = _parse_offset(tz)
    with _open_pdf(path) as (stream, data):
        try:
            report = await _verify_open(
                path, stream, data, trust, offset, revocation, allow_fetching, at, extra_crls
            )
        except VerifyInputError:
            raise
        except Exception as exc:  # whatever a hostile file provokes is a verdict, never a traceback
            raise VerifyInputError(
                f"Tệp {path.name} không kiểm tra được (cannot be verified): "
                f"{type(exc).__name__}: {_short(exc)}"
            ) from exc
    report.trust_anchors = trust.anchor_ids
    return report


@dataclass
class _Trust:
    roots: list[asn1_x509.Certificate]
    intermediates: list[asn1_x509.Certificate]
    anchor_ids: list[str]


def _load_trust(
    paths: Sequence[Path], shipped: bool, enable: Sequence[str], disable: Sequence[str]
) -> _Trust:
    extra = _load_trust_roots(paths, required=not shipped and not enable)
    try:
        tl = build_trust_list((), shipped=shipped, enable=enable, disable=disable)
    except SigningError as exc:
        raise VerifyInputError(str(exc)) from None
    roots = [*tl.roots, *extra]
    if not roots:
        raise VerifyInputError(
            "Chưa cấu hình chứng thư gốc tin cậy: dùng --trust PEM hoặc SOHOA_SIGNING__TRUST_ROOTS "
            "(no trust roots configured)"
        )
    return _Trust(roots=roots, intermediates=tl.intermediates, anchor_ids=tl.anchor_ids)


def _unreadable_reason(path: Path, exc: BaseException, data: mmap.mmap) -> str:
    if _looks_encrypted(data):
        return (
            f"Tệp {path.name} đã được mã hóa (lại), không đọc được chữ ký; một bản mã hóa lại không còn "
            f"là bản đã ký (encrypted or re-encrypted copy): {_short(exc)}"
        )
    return (
        f"Tệp {path.name} hỏng hoặc không phải PDF, không kiểm tra được chữ ký "
        f"(corrupt or not a PDF): {_short(exc)}"
    )


def _looks_encrypted(data: mmap.mmap) -> bool:
    tail = bytes(data[max(0, len(data) - 4096) :])
    return b"/Encrypt" in tail or b"/Encrypt" in bytes(data[:4096])


_LENIENT_OK = re.compile(r"XRef stream objects must not be clobbered")

_READ_ERRORS = (
    misc.PdfError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AssertionError,
    OSError,
    AttributeError,
)


async def _verify_open(
    path: Path,
    stream: BinaryIO,
    data: mmap.mmap,
    trust: _Trust,
    offset: dt.timezone,
    revocation: RevocationMode,
    allow_fetching: bool,
    at: dt.datetime | None,
    extra_crls: list[bytes],
) -> VerificationReport:
    lenient_note = None
    try:
        try:
            reader = PdfFileReader(stream, strict=True)
        except misc.PdfStrictReadError as exc:
            if not _LENIENT_OK.search(str(exc)) or _looks_encrypted(data):
                raise
            # iText/DSS reuse an xref stream's object number in a later update; pyHanko's
            # strict reader refuses that only to keep encryption simple. The raw xref audit
            # still checks every revision, so such an unencrypted file is read leniently.
            stream.seek(0)
            reader = PdfFileReader(stream, strict=False)
            lenient_note = f"đọc ở chế độ nới lỏng (read leniently): {_short(exc)}"
        encrypted = bool(reader.encrypted)
        if encrypted and reader.decrypt("").status.value == 0:  # AuthStatus.FAILED
            raise VerifyInputError(
                f"Tệp {path.name} được bảo vệ bằng mật khẩu, không kiểm tra được (password-protected PDF)"
            )
        last_revision = reader.xrefs.total_revisions - 1
    except VerifyInputError:
        raise
    except _READ_ERRORS as exc:
        raise VerifyInputError(_unreadable_reason(path, exc, data)) from exc

    facts = _FileFacts(reader=reader, last_revision=last_revision, data=data)
    try:
        facts.audit = audit_xrefs(data, reader)
    except (XrefAuditError, *_READ_ERRORS) as exc:
        facts.audit_error = (
            f"không đọc được bảng tham chiếu của từng phiên bản, cấu trúc tệp không rõ ràng "
            f"(xref sections cannot be audited): {_short(exc)}"
        )
    facts.map_revisions()

    hybrid_ok = facts.audit is not None and not any(r.duplicates for r in facts.audit.revisions)
    embedded, unreadable = _collect_signatures(reader, hybrid_ok=hybrid_ok)
    empty = _empty_signature_fields(reader)
    present = {e.field_name for e in embedded} | {name for name, _ in unreadable}
    try:
        history = signature_history(reader)
    except _READ_ERRORS:
        history = {}
    stripped = sorted(n for n in history if n not in present)
    structure = facts.file_problems()
    common: dict[str, Any] = {
        "file": path.name,
        "trailing_bytes": facts.audit.trailing if facts.audit else _trailing_bytes(data),
        "hidden_bytes": sum(r.hidden for r in facts.audit.revisions[1:]) if facts.audit else 0,
        "empty_signature_fields": empty,
        "stripped_signatures": stripped,
        "structure": structure,
        "linearized": bool(facts.audit and facts.audit.linearized),
        "hybrid_xref": bool(facts.audit and facts.audit.hybrid),
        "encrypted": encrypted,
    }
    if not embedded and not unreadable:
        reason = "Tệp không có chữ ký số nào (the file carries no signature)"
        if stripped:
            reason += f"; chữ ký đã bị gỡ bỏ: {', '.join(stripped)} (signatures stripped)"
        if empty:
            reason += f"; trường chữ ký còn trống: {', '.join(empty)} (empty signature fields)"
        return VerificationReport(valid=False, signatures=[], reason=reason, **common)

    dss = _read_dss(reader)
    levels = read_level_facts(reader, _signer_issuers(embedded))
    if at is not None:
        if at.tzinfo is None:
            raise VerifyInputError("Thời điểm kiểm tra phải có múi giờ (validation time needs an offset)")
        allow_fetching = False
    facts.docmdp = next((e.docmdp_level for e in embedded if e.docmdp_level is not None), None)
    facts.certified_revision = next((e.signed_revision for e in embedded if e.docmdp_level is not None), None)
    backend = RequestsFetcherBackend(per_request_timeout=FETCH_TIMEOUT) if allow_fetching else None
    reports: list[SignatureReport] = []
    try:
        for emb in embedded:
            ctx_kwargs: dict[str, Any] = {
                "trust_roots": trust.roots,
                "other_certs": [*dss["certs"], *trust.intermediates],
                "crls": [*dss["crls"], *extra_crls],
                "ocsps": dss["ocsps"],
                "allow_fetching": allow_fetching,
                # first pass: the signer's certificate must have a CRL/OCSP answer, and so must
                # every CA certificate that names a source; soft-fail then only tells "trusted,
                # revocation not checked" apart from "untrusted"
                **_revocation_kwargs("require" if revocation == "require" else "checked"),
            }
            if at is not None:
                ctx_kwargs["moment"] = at
            if backend is not None:
                ctx_kwargs["fetcher_backend"] = backend
            report = await _verify_one(emb, ctx_kwargs, offset, dss, levels, facts, extra_crls, revocation)
            reports.append(report)
    finally:
        if backend is not None:
            await backend.close()
    for name, why in unreadable:
        reports.append(_unreadable_signature(name, why))

    failing = [r for r in reports if not r.valid]
    reasons = [f"{r.field}: {r.reason}" for r in failing]
    signed_by_someone = any(r.kind != "document_timestamp" for r in reports)
    if not signed_by_someone:
        # a document timestamp proves when, not who: it is no signature
        reasons.append("Tệp chỉ có dấu thời gian, không có chữ ký số (timestamp only, no signature)")
    if stripped:
        reasons.append(
            f"chữ ký {', '.join(stripped)} có trong phiên bản trước nhưng đã bị gỡ bỏ (signature stripped)"
        )
    warnings = [lenient_note] if lenient_note else []
    if "error" in dss:
        warnings.append(f"kho dữ liệu kiểm tra (DSS) hỏng, đã bỏ qua (damaged DSS ignored): {dss['error']}")
    if empty:
        warnings.append(f"trường chữ ký còn trống, chưa ai ký: {', '.join(empty)} (empty signature fields)")
    return VerificationReport(
        warnings=warnings,
        valid=not reasons,
        signatures=reports,
        reason="; ".join(reasons) or None,
        revocation_checked=all(r.revocation_checked for r in reports),
        **common,
    )


@dataclass
class _FileFacts:
    """What is known of the whole file, shared by the checks of each signature."""

    reader: PdfFileReader
    last_revision: int
    data: Any = None
    audit: XrefAudit | None = None
    audit_error: str | None = None
    rev_map: dict[int, int] = field(default_factory=dict)
    docmdp: MDPPerm | None = None
    certified_revision: int | None = None
    _snapshots: dict[int, Any] = field(default_factory=dict)
    _stream_cache: dict[Any, str] = field(default_factory=dict)

    def map_revisions(self) -> None:
        """pyHanko's revision numbers (one per xref section) to the audit's (linearized: merged)."""
        if self.audit is None:
            return
        for rev in range(self.last_revision + 1):
            mine = self.audit.revision_of_offset(self.reader.xrefs.get_startxref_for_revision(rev))
            if mine is None:
                self.audit_error = (
                    "bảng tham chiếu của pyHanko và của kiểm tra thô không khớp (xref chains disagree)"
                )
                return
            self.rev_map[rev] = mine

    def file_problems(self) -> list[str]:
        out = []
        if self.audit_error:
            out.append(self.audit_error)
        if self.audit is not None:
            for i, rev in enumerate(self.audit.revisions):
                out.extend(f"phiên bản {i}: {d}" for d in rev.duplicates)
                if i:
                    out.extend(f"phiên bản {i}: {p}" for p in rev.problems)
                    if rev.hidden:
                        out.append(
                            f"phiên bản {i}: {rev.hidden} byte không thuộc đối tượng nào được tham chiếu "
                            "(unreferenced bytes in update)"
                        )
            if self.audit.trailing:
                out.append(f"{self.audit.trailing} byte lạ sau %%EOF cuối tệp (bytes after the final %%EOF)")
        return out

    def problems_after(self, signed_revision: int | None) -> tuple[list[str], int]:
        """Structure findings that concern what follows ``signed_revision``, and hidden bytes."""
        if self.audit_error:
            return [self.audit_error], 0
        assert self.audit is not None
        if signed_revision is None or signed_revision not in self.rev_map:
            return ["không xác định được phiên bản đã ký (signed revision unknown)"], 0
        mine = self.rev_map[signed_revision]
        out: list[str] = []
        hidden = 0
        for i, rev in enumerate(self.audit.revisions):
            out.extend(rev.duplicates)  # ambiguous anywhere: what was signed is unclear too
            if i > mine:
                out.extend(rev.problems)
                hidden += rev.hidden
        return out, hidden

    def content_changes(self, signed_revision: int | None) -> list[str]:
        if signed_revision is None or signed_revision >= self.last_revision:
            return []
        mine = self.rev_map.get(signed_revision)
        if mine is not None and mine == self.rev_map.get(self.last_revision):
            # a linearized file's two xref sections are one revision: nothing follows the signature
            return []
        docmdp = None
        if self.certified_revision is not None and self.certified_revision <= signed_revision:
            docmdp = self.docmdp
        before = self._snapshot(signed_revision)
        after = self._snapshot(self.last_revision)
        return displayed_changes(before, after, docmdp)

    def later_stamps(self, emb: EmbeddedPdfSignature) -> tuple[list[str], list[str]]:
        """A certification's later signature stamps: (where they are, why they are refused)."""
        revision = emb.signed_revision
        if emb.docmdp_level not in (MDPPerm.FILL_FORMS, MDPPerm.ANNOTATE) or revision >= self.last_revision:
            return [], []
        before = self._snapshot(revision)
        stamps = new_signature_stamps(before, self._snapshot(self.last_revision))
        if not stamps:
            return [], []
        geometry: dict[int, PageGeometry | None] = {}
        for stamp in stamps:
            if stamp.page not in geometry:
                found = page_geometry(self.reader, revision, stamp.page)
                geometry[stamp.page] = (
                    PageGeometry(crop=found[0], rotate=normalise_rotation(found[1]))  # type: ignore[arg-type]
                    if found is not None
                    else None
                )
        byte_range = [int(v) for v in emb.byte_range]
        signed = bytes(self.data[: byte_range[2] + byte_range[3]])
        checked = check_stamps(signed, bytes(self.data), stamps, geometry, signed_signature_blocks(before))
        where = [
            f"{s.field} (trang {s.page + 1})"
            + (
                f": dấu trùm lên chữ ký '{checked.seals[s.field]}' (Nghị định 30/2020/NĐ-CP)"
                if s.field in checked.seals
                else ""
            )
            for s in stamps
            if s.signed
        ]
        return where, checked.problems

    def _snapshot(self, revision: int) -> Any:
        if revision not in self._snapshots:
            self._snapshots[revision] = snapshot(self.reader, revision, self._stream_cache)
        return self._snapshots[revision]


class _HybridCheckedSignature(EmbeddedPdfSignature):
    """A signature in a hybrid-reference file whose xref table and XRefStm the raw audit found
    consistent (no object at two places), so pyHanko's blanket refusal of hybrid files in
    strict mode would only reject good Word-exported documents."""

    def _enforce_hybrid_xref_policy(self) -> None:
        return None


def _collect_signatures(
    reader: PdfFileReader, *, hybrid_ok: bool = False
) -> tuple[list[EmbeddedPdfSignature], list[tuple[str, str]]]:
    """Every filled signature field; one that cannot be read is reported, not dropped."""
    cls = _HybridCheckedSignature if hybrid_ok else EmbeddedPdfSignature
    good: list[EmbeddedPdfSignature] = []
    bad: list[tuple[str, str]] = []
    try:
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except _READ_ERRORS as exc:
        raise VerifyInputError(
            f"cây trường biểu mẫu hỏng, không liệt kê được chữ ký (form tree unreadable): {_short(exc)}"
        ) from exc
    for name, _value, field_ref in fields:
        try:
            emb = cls(reader, field_ref, name)
            subfilter = str(emb.sig_object.get("/SubFilter", ""))
            if subfilter not in _SUPPORTED_SUBFILTERS:
                bad.append(
                    (name, f"định dạng chữ ký {subfilter or '?'} không được hỗ trợ (unsupported SubFilter)")
                )
                continue
            _ = emb.signed_revision
            good.append(emb)
        except _READ_ERRORS as exc:
            bad.append((name, f"không đọc được chữ ký (unreadable signature): {_short(exc)}"))
    good.sort(key=lambda e: e.signed_revision)
    return good, bad


_SUPPORTED_SUBFILTERS = frozenset(
    {"/adbe.pkcs7.detached", "/ETSI.CAdES.detached", "/ETSI.RFC3161", "/adbe.pkcs7.sha1"}
)


def _empty_signature_fields(reader: PdfFileReader) -> list[str]:
    try:
        return [name for name, _, _ in enumerate_sig_fields(reader, filled_status=False)]
    except _READ_ERRORS:
        return []


def _unreadable_signature(name: str, why: str) -> SignatureReport:
    return SignatureReport(
        field=name,
        signer=None,
        intact=False,
        trusted=False,
        modification_level=None,
        coverage=None,
        timestamp=None,
        status="unreadable",
        verdict=why,
        reason=why,
        problems=[why],
    )


# --- one signature ------------------------------------------------------------------------------


async def _verify_one(
    emb: EmbeddedPdfSignature,
    ctx_kwargs: dict[str, Any],
    offset: dt.timezone,
    dss: dict[str, Any],
    levels: LevelFacts,
    facts: _FileFacts,
    extra_crls: Sequence[bytes] = (),
    revocation: RevocationMode = "soft-fail",
) -> SignatureReport:
    field_name = emb.field_name or "(không tên)"
    is_doc_ts = emb.sig_object_type == "/DocTimeStamp"
    kind: Literal["approval", "certification", "document_timestamp"] = "approval"
    if is_doc_ts:
        kind = "document_timestamp"
    elif emb.docmdp_level is not None:
        kind = "certification"
    report = SignatureReport(
        field=field_name,
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
        if emb.signer_cert is not None:
            report.signer_kind_gap = organisation_gap(emb.signer_cert)
            report.signer_kind = "person" if report.signer_kind_gap else "organisation"
    except Exception as exc:  # an unparseable CMS blob: reported, not raised
        report.errors.append(f"không đọc được chứng thư người ký: {_short(exc)}")
    report.weak_algorithm = _weak_algorithm(emb)
    try:
        status = None
        kwargs: dict[str, Any] = ctx_kwargs
        for label, kwargs in _attempts(emb, is_doc_ts, ctx_kwargs, dss):
            status = await _validate(emb, is_doc_ts, kwargs, weak=report.weak_algorithm is not None)
            report.validated_at = label
            if _trust_settled(status) or status.revoked:
                break
        assert status is not None
        report.revocation_checked = _trust_settled(status)
        if not report.revocation_checked and not status.revoked and revocation != "require":
            soft_kwargs = {k: v for k, v in kwargs.items() if k not in ("revinfo_policy", "revocation_mode")}
            soft_kwargs.update(_revocation_kwargs("soft-fail"))
            soft = await _validate(emb, is_doc_ts, soft_kwargs, weak=report.weak_algorithm is not None)
            if soft.revoked or _trust_settled(soft) or (soft.trusted and not status.trusted):
                status = soft  # trusted once revocation is left aside: "not checked", not "untrusted"
            elif status.trusted:
                report.revocation_checked = True  # the timestamp fails for another reason
    except Exception as exc:  # pyHanko raises on forged structures; that is a verdict, not a crash
        report.errors.append(_short(exc))
        why = f"không kiểm tra được chữ ký (cannot validate): {_short(exc)}"
        report.reason, report.problems, report.status, report.verdict = why, [why], "unreadable", why
        _fill_integrity_guess(emb, report)
        return report

    report.intact = bool(status.intact and status.valid)
    report.trusted = bool(status.trusted)
    report.revoked = bool(status.revoked)
    if report.revoked:
        report.revocation_checked = True
    report.coverage = status.coverage.name if status.coverage is not None else None
    mod_level = status.modification_level
    report.modification_level = mod_level.name if mod_level is not None else None
    if isinstance(status, PdfSignatureStatus):
        report.docmdp = emb.docmdp_level.name if emb.docmdp_level is not None else None
        _fill_time(report, status, offset)
        report.pades_level = _pades_level(emb, status, levels)
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
        report.trusted, report.revoked, report.revocation_checked = False, True, True
    elif extra_crls and not report.revocation_checked and _crls_cover(status, extra_crls):
        report.revocation_checked = True
    if report.weak_algorithm is None:
        report.weak_algorithm = _weak_in_path(status)

    try:
        report.content_changes = facts.content_changes(emb.signed_revision)
    except Exception as exc:  # a snapshot that cannot be taken is a change we cannot rule out
        report.content_changes = [
            f"không so sánh được nội dung hiển thị (cannot compare display): {_short(exc)}"
        ]
    try:
        report.later_stamps, refused = facts.later_stamps(emb)
    except Exception as exc:  # a stamp that cannot be checked is one we cannot accept
        report.later_stamps, refused = [], [f"không kiểm tra được hình chữ ký sau: {_short(exc)}"]
    report.content_changes.extend(refused)
    structure, hidden = facts.problems_after(emb.signed_revision)
    problems = _problems(report, status, mod_level, facts, structure, hidden)
    report.problems = [why for _, why in problems]
    report.reason = problems[0][1] if problems else None
    report.status = problems[0][0] if problems else "valid"
    report.verdict = _VERDICTS.get(report.status, "KHÔNG HỢP LỆ")
    if report.status == "weak_algorithm":
        report.verdict += f" (thuật toán {report.weak_algorithm}, ký lúc {report.timestamp or 'không rõ'})"
    report.valid = not report.problems
    return report


def _revocation_kwargs(mode: str) -> dict[str, Any]:
    """ValidationContext arguments: 'checked' (sohoa's default), or a pyHanko legacy mode.

    Embedded OCSP answers are fetched right after signing, a moment after the signing time:
    they still speak for it (retroactive revocation information).
    """
    if mode == "checked":
        policy = RevocationCheckingPolicy(
            ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
            intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
        )
        return {"revinfo_policy": CertRevTrustPolicy(policy, retroactive_revinfo=True)}
    return {"revocation_mode": mode, "retroactive_revinfo": True}


def _trust_settled(status: PdfSignatureStatus | DocumentTimestampStatus) -> bool:
    """Trusted, and so is its timestamp if it carries one."""
    if not status.trusted:
        return False
    ts = getattr(status, "timestamp_validity", None)
    return ts is None or bool(ts.intact and ts.valid and ts.trusted)


_VERDICTS = {
    "valid": "HỢP LỆ",
    "not_intact": "KHÔNG HỢP LỆ: nội dung đã ký bị sửa",
    "revoked": "KHÔNG HỢP LỆ: chứng thư số đã bị thu hồi",
    "weak_algorithm": "KHÔNG HỢP LỆ: dùng thuật toán băm yếu",
    "untrusted": "KHÔNG HỢP LỆ: chứng thư số không được tin cậy",
    "revocation_not_checked": (
        "CHƯA KIỂM TRA THU HỒI: chữ ký đúng nhưng chưa xác minh được chứng thư có bị thu hồi"
    ),
    "coverage": "KHÔNG HỢP LỆ: chữ ký không bao phủ tệp",
    "modified": "KHÔNG HỢP LỆ: tài liệu bị thay đổi sau khi ký",
    "structure": "KHÔNG HỢP LỆ: cấu trúc tệp có phần không được ký",
    "timestamp": "KHÔNG HỢP LỆ: dấu thời gian không tin cậy",
    "unreadable": "KHÔNG HỢP LỆ: không đọc được chữ ký",
}


def _problems(
    report: SignatureReport,
    status: PdfSignatureStatus | DocumentTimestampStatus,
    mod_level: ModificationLevel | None,
    facts: _FileFacts,
    structure: list[str],
    hidden: int,
) -> list[tuple[str, str]]:
    """Every rule this signature breaks, as (status code, Vietnamese reason), worst first."""
    out: list[tuple[str, str]] = []
    if not report.intact:
        out.append(("not_intact", "chữ ký không toàn vẹn, nội dung đã ký bị sửa (signature not intact)"))
    if report.revoked:
        out.append(("revoked", "chứng thư số đã bị thu hồi (certificate revoked)"))
    coverage = report.coverage
    if coverage not in ("ENTIRE_FILE", "ENTIRE_REVISION"):
        out.append(("coverage", f"vùng ký không bao phủ tệp (signature does not cover the file: {coverage})"))
    if mod_level is None or mod_level not in ALLOWED_LEVELS:
        out.append(
            (
                "modified",
                f"tài liệu bị thay đổi sau khi ký: {_mod_vi(mod_level)} (modified after signing)",
            )
        )
    if isinstance(status, PdfSignatureStatus) and status.docmdp_ok is False:
        out.append(
            (
                "modified",
                "thay đổi sau khi ký vượt quyền chứng nhận DocMDP (changes exceed DocMDP permissions)",
            )
        )
    for change in report.content_changes:
        out.append(("modified", f"nội dung hiển thị khác bản đã ký: {change}"))
    if coverage == "ENTIRE_REVISION" and facts.audit is not None and report.revision == facts.last_revision:
        # Nothing in the xref chain follows this signature, yet bytes do: hidden content.
        out.append(("structure", "có dữ liệu nằm ngoài vùng ký ở cuối tệp (bytes after the signed revision)"))
    trailing = facts.audit.trailing if facts.audit is not None else 0
    if trailing:
        out.append(("structure", f"có {trailing} byte lạ sau %%EOF cuối tệp (bytes after the final %%EOF)"))
    if hidden:
        out.append(
            ("structure", f"có {hidden} byte lạ giữa các phiên bản sau khi ký (bytes outside every revision)")
        )
    for problem in structure:
        out.append(("structure", f"cấu trúc tệp sau khi ký: {problem}"))
    if report.weak_algorithm:
        out.append(
            (
                "weak_algorithm",
                f"chữ ký dùng thuật toán yếu {report.weak_algorithm.upper()}, ký lúc "
                f"{report.timestamp or 'không rõ'} (weak algorithm {report.weak_algorithm})",
            )
        )
    if not report.trusted and not report.revoked:
        indic = _indic(status)
        why = _TRUST_PROBLEMS_VI.get(indic, "")
        out.append(("untrusted", f"chứng thư số không được tin cậy{why} (certificate not trusted)"))
    if report.timestamp_source == "tsa" and report.timestamp_trusted is False and report.trusted:
        out.append(
            ("timestamp", "dấu thời gian không hợp lệ hoặc không tin cậy (invalid or untrusted timestamp)")
        )
    if report.trusted and not report.revocation_checked and not report.revoked:
        out.append(
            (
                "revocation_not_checked",
                "chưa kiểm tra được chứng thư có bị thu hồi hay không: không có dữ liệu CRL/OCSP kèm theo "
                "và không hỏi được máy chủ (revocation not checked: offline or unreachable)",
            )
        )
    return out


def _mod_vi(level: ModificationLevel | None) -> str:
    return _MOD_VI.get(level, "không rõ") if level is not None else "không rõ"


_MOD_VI = {
    ModificationLevel.ANNOTATIONS: "thêm hoặc sửa chú thích",
    ModificationLevel.OTHER: "sửa nội dung",
}


def _weak_algorithm(emb: EmbeddedPdfSignature) -> str | None:
    """A broken hash in the signature, its signer's certificate or its timestamp token (SHA-1, MD5).

    A TSA token hashed with SHA-1 proves no time: a collision lets one token vouch for other
    bytes, so the signature's time rests on a broken hash as much as a SHA-1 signature would.
    """
    try:
        names = [emb.signer_info["digest_algorithm"]["algorithm"].native]
        with contextlib.suppress(ValueError, KeyError):
            names.append(emb.signer_info["signature_algorithm"].hash_algo)
        if emb.signer_cert is not None:
            names.append(emb.signer_cert.hash_algo)
        token = emb.signed_data if emb.sig_object_type == "/DocTimeStamp" else _signature_token(emb)
        if token is not None:
            names.extend(_token_hashes(token))
    except (KeyError, ValueError, TypeError, AttributeError):
        return None
    weak = [n for n in names if n in _WEAK_HASHES]
    return weak[0] if weak else None


def _signature_token(emb: EmbeddedPdfSignature) -> Any:
    """The signed data of the signature's RFC 3161 timestamp token, if it carries one."""
    for attr in emb.signer_info["unsigned_attrs"] or ():
        if attr["type"].native == "signature_time_stamp_token":
            return attr["values"][0]["content"]
    return None


def _token_hashes(token: Any) -> list[str]:
    """The hashes a timestamp token rests on: its message imprint and each TSA signature's."""
    names = [
        token["encap_content_info"]["content"].parsed["message_imprint"]["hash_algorithm"]["algorithm"].native
    ]
    for info in token["signer_infos"]:
        names.append(info["digest_algorithm"]["algorithm"].native)
        with contextlib.suppress(ValueError, KeyError):
            names.append(info["signature_algorithm"].hash_algo)
    return [str(n) for n in names]


def _weak_in_path(status: PdfSignatureStatus | DocumentTimestampStatus) -> str | None:
    path = status.validation_path
    if path is None:
        return None
    for cert in path.iter_certs(include_root=False):
        try:
            if cert.hash_algo in _WEAK_HASHES:
                return str(cert.hash_algo)
        except (ValueError, KeyError):
            continue
    return None


_WEAK_HASHES = frozenset({"md2", "md5", "sha1"})


def _crls_cover(status: PdfSignatureStatus | DocumentTimestampStatus, crls: Sequence[bytes]) -> bool:
    """Do the CRL files given by hand speak for every issued certificate of the path?"""
    path = status.validation_path
    if path is None:
        return False
    chain = [x509.load_der_x509_certificate(c.dump()) for c in path.iter_certs(include_root=True)]
    parsed = [x509.load_der_x509_crl(raw) for raw in crls]
    for issuer, _cert in itertools.pairwise(chain):
        if not any(c.issuer == issuer.subject and c.is_signature_valid(issuer.public_key()) for c in parsed):  # type: ignore[arg-type]
            return False
    return len(chain) > 1


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
    emb: EmbeddedPdfSignature, is_doc_ts: bool, ctx_kwargs: dict[str, Any], *, weak: bool = False
) -> PdfSignatureStatus | DocumentTimestampStatus:
    """pyHanko's validation; ``weak`` accepts broken hashes so the rest can still be reported."""
    if weak:
        ctx_kwargs = {**ctx_kwargs, "algorithm_usage_policy": AcceptAllAlgorithms()}
    vc = ValidationContext(**ctx_kwargs)
    if is_doc_ts:
        return await async_validate_pdf_timestamp(emb, validation_context=vc, diff_policy=STRICT_DIFF_POLICY)
    return await async_validate_pdf_signature(
        emb,
        signer_validation_context=vc,
        ts_validation_context=vc,
        diff_policy=STRICT_DIFF_POLICY,
        algorithm_policy=CMSAlgorithmUsagePolicy.lift_policy(AcceptAllAlgorithms()) if weak else None,
    )


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


def _pades_level(emb: EmbeddedPdfSignature, status: PdfSignatureStatus, levels: LevelFacts) -> str:
    """This signature's own level: a DSS or document timestamp added before it does not count
    (``signing.verify_levels``)."""
    subfilter = str(emb.sig_object.get("/SubFilter", ""))
    if subfilter != "/ETSI.CAdES.detached":
        return "PKCS7"
    if status.timestamp_validity is None:
        return "B-B"
    try:
        cert = emb.signer_cert
    except Exception:  # an unreadable CMS: no chain to speak of
        cert = None
    return long_term_level(levels, emb.signed_revision, cert) or "B-T"


def _signer_issuers(embedded: Sequence[EmbeddedPdfSignature]) -> list[asn1_x509.Name]:
    issuers = []
    for emb in embedded:
        try:
            cert = emb.signer_cert
        except Exception:  # reported by the signature's own check
            continue
        if cert is not None:
            issuers.append(cert.issuer)
    return issuers


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


_BLANK = b" \t\r\n\x00\x0c"


def _trailing_bytes(data: mmap.mmap) -> int:
    """Non-blank bytes after the last ``%%EOF`` (0 for a clean file)."""
    pos = data.rfind(b"%%EOF")
    if pos < 0:
        return len(data)
    return len(data[pos + 5 :].strip(_BLANK))


def _read_dss(reader: PdfFileReader) -> dict[str, Any]:
    """Certificates, CRLs and OCSP answers embedded in the document (PAdES B-LT)."""
    out: dict[str, Any] = {"certs": [], "crls": [], "ocsps": []}
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


def _load_trust_roots(paths: Sequence[Path], *, required: bool = True) -> list[asn1_x509.Certificate]:
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
    if not roots and required:
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
