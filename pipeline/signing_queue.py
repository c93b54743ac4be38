"""The signing queue: the server prepares the exact bytes, the official's computer signs them.

The USB token never leaves the official's desk. The server stores the PDF to be signed already
prepared for signing (``signing.repair.prepare_for_signing``, so the client's signer appends
incremental revisions and never rewrites it); an upload is accepted only when

1. it belongs to a pending item of the uploading official (a replay of the accepted file is
   answered idempotently, any other upload for a finished item is refused),
2. its first ``size`` bytes are exactly the queued bytes (SHA-256): the signed content is the
   queued document and nothing was changed before the signature,
3. ``verify_configured`` calls it valid against the configured trust list, and
4. every signature added after the queued bytes was made with the certificate registered for
   that official.

Only then is it stored in the signed bucket (under retention) and recorded as a new version; a
dossier's result then moves on in the same transaction (``pipeline.dossier.results.on_signed``).
A result signed by the competent official alone is not a signed copy yet: it is kept as a
*staged* version with the drafts until the seal files it (``results.record_upload``).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.access import dossier_agency, visible_document
from pipeline.dossier.results import on_cancelled, on_signed, record_upload, required_level, upload_bucket
from pipeline.errors import Refused
from pipeline.principals import ALL, Principal
from pipeline.queue_items import add_item, audit_queued, pending_item
from pipeline.services import Services
from signing.errors import InputPdfError
from signing.repair import prepare_for_signing
from signing.verify import VerificationReport, VerifyInputError, verify_configured
from storage.db.api_models import QueueStatus, SigningQueueItem, StaffUser
from storage.db.dossiers import audit
from storage.db.engine import read_session, run_in_transaction
from storage.db.models import Document, DocumentVersion, Dossier, VersionKind
from storage.db.records import ObjectRef
from storage.objects.base import Bucket

# Which stored copy of a document is put in front of the official, best first.
SOURCE_KINDS = (VersionKind.SIGNED.value, VersionKind.SEARCHABLE.value, VersionKind.ORIGINAL.value)
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Acceptance:
    item_id: int
    document_id: int
    version_id: int
    sha256: str
    replay: bool
    report: dict[str, Any]


def item_view(item: SigningQueueItem, doc_type: str | None = None) -> dict[str, Any]:
    return {
        "id": item.id,
        "document_id": item.document_id,
        "doc_type": doc_type,
        "title": item.title,
        "status": item.status,
        "sha256": item.sha256,
        "size": item.size,
        "queued_by": item.queued_by,
        "created_at": item.created_at,
        "signed_at": item.signed_at,
        "signed_sha256": item.signed_sha256,
        "stamp": item.stamp,
        "pdf_url": f"/api/v1/signing/queue/{item.id}/pdf",
        "upload_url": f"/api/v1/signing/queue/{item.id}/signed",
    }


def _source_version(document: Document) -> DocumentVersion:
    for kind in SOURCE_KINDS:
        versions = [v for v in document.versions if v.kind == kind]
        if versions:
            return versions[-1]
    raise Refused(409, "Tài liệu chưa có bản PDF nào để ký (document has no stored copy)")


def _read_object(ctx: Services, bucket: str, key: str) -> bytes:
    with ctx.store.open(Bucket(bucket), key) as fh:
        return fh.read()


def enqueue(ctx: Services, document_id: int, official: str, principal: Principal) -> dict[str, Any]:
    """Put a document in an official's queue (idempotent while an item is pending)."""
    with read_session(ctx.engine) as session:
        document = visible_document(session, document_id, principal)
        user = session.scalar(select(StaffUser).where(StaffUser.username == official))
        if user is None or user.disabled or not ({"official", "administrator"} & set(user.roles)):
            raise Refused(422, "Người ký không phải cán bộ có quyền ký (not an official)")
        if user.cert_sha256 is None:
            raise Refused(409, "Cán bộ ký chưa đăng ký chứng thư số (official has no registered certificate)")
        if not official_of_agency(user, dossier_agency(session, document.dossier_id)):
            raise _other_agency()
        source = _source_version(document)
        title = f"{document.doc_type} #{document.id}"
        bucket, key, user_id = source.bucket, source.object_key, user.id
    data = _read_object(ctx, bucket, key)
    if not data.startswith(b"%PDF-"):
        raise Refused(409, "Bản lưu của tài liệu không phải PDF (stored copy is not a PDF)")
    try:
        prepared = prepare_for_signing(data, title).data
    except InputPdfError as exc:
        raise Refused(409, exc.message) from None
    stored = ctx.store.put_bytes(Bucket.DIGITISED, prepared, content_type="application/pdf")

    def work(session: Session) -> dict[str, Any]:
        existing = pending_item(session, document_id, user_id)
        if existing is not None:
            return item_view(existing)
        item = add_item(
            session,
            document_id=document_id,
            official_id=user_id,
            title=title,
            stored=ObjectRef.of(stored),
            actor=principal.actor,
        )
        audit_queued(session, item, official)
        return item_view(item)

    return run_in_transaction(ctx.engine, work)


def list_queue(
    ctx: Services, principal: Principal, *, official: str | None, status: str
) -> list[dict[str, Any]]:
    """An official sees their own queue; clerks and administrators may ask for anyone's."""
    with read_session(ctx.engine) as session:
        query = (
            select(SigningQueueItem, Document.doc_type, StaffUser.username, Dossier.code)
            .join(Document, Document.id == SigningQueueItem.document_id)
            .join(StaffUser, StaffUser.id == SigningQueueItem.official_id)
            .outerjoin(Dossier, Dossier.id == Document.dossier_id)
            .where(SigningQueueItem.status == status)
        )
        may_see_others = principal.is_admin or "clerk" in principal.roles
        if official is None and not may_see_others:
            query = query.where(SigningQueueItem.official_id == principal.user_id)
        elif official is not None:
            if official != principal.name and not may_see_others:
                raise Refused(403, "Không có quyền (forbidden)")
            query = query.where(StaffUser.username == official)
        rows = session.execute(query.order_by(SigningQueueItem.id)).all()
        result = []
        for item, doc_type, username, dossier_code in rows:
            visible = principal.user_id == item.official_id
            if not visible:
                try:
                    visible_document(session, item.document_id, principal)
                    visible = True
                except Refused:
                    visible = False
            if visible:
                # the dossier code: what the official's signing agent shows beside the title
                result.append({**item_view(item, doc_type), "official": username, "dossier": dossier_code})
        return result


def _other_agency() -> Refused:
    return Refused(403, "Người ký không phải cán bộ của cơ quan giữ tài liệu (official of another agency)")


def official_of_agency(user: StaffUser, agency: str | None) -> bool:
    """Whether ``user`` (as the database says now) is an official of ``agency``.

    A document of no dossier has no agency: only an official of every agency may sign it.
    """
    agencies = set(user.agencies or [])
    return ALL in agencies or (agency is not None and agency in agencies)


def own_item(session: Session, item_id: int, principal: Principal) -> SigningQueueItem:
    """The caller's own queue item, its official still an official of the document's agency."""
    item = session.get(SigningQueueItem, item_id)
    if item is None or (item.official_id != principal.user_id and not principal.is_admin):
        raise Refused(404, "Không có mục ký này (no such queue item)")
    official = session.get(StaffUser, item.official_id)
    document = session.get(Document, item.document_id)
    agency = dossier_agency(session, document.dossier_id) if document is not None else None
    if official is None or official.disabled or not official_of_agency(official, agency):
        raise _other_agency()
    return item


def cancel(ctx: Services, item_id: int, principal: Principal) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        item = session.get(SigningQueueItem, item_id)
        if item is None:
            raise Refused(404, "Không có mục ký này (no such queue item)")
        visible_document(session, item.document_id, principal)
        # The item's official, an administrator, or a clerk of the document's agency (who queue);
        # never another official.
        queuer = principal.is_admin or "clerk" in principal.roles
        if item.official_id != principal.user_id and not queuer:
            raise Refused(404, "Không có mục ký này (no such queue item)")
        if item.status != QueueStatus.PENDING.value:
            raise Refused(409, "Mục này đã ký hoặc đã hủy (item is not pending)")
        item.status = QueueStatus.CANCELLED.value
        audit(session, "signing.cancelled", actor=principal.actor, document_id=item.document_id, item=item.id)
        on_cancelled(session, item, actor=principal.actor)
        return item_view(item)

    return run_in_transaction(ctx.engine, work)


def _prefix_sha256(path: Path, size: int) -> str | None:
    digest = hashlib.sha256()
    remaining = size
    with open(path, "rb") as fh:
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                return None
            digest.update(chunk)
            remaining -= len(chunk)
    return digest.hexdigest()


def _signer_fingerprints(data: bytes) -> list[tuple[int, str | None]]:
    """(signed revision, SHA-256 of the signer's DER certificate) of every signature."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    result: list[tuple[int, str | None]] = []
    for emb in reader.embedded_signatures:
        cert = emb.signer_cert
        result.append((emb.signed_revision, hashlib.sha256(cert.dump()).hexdigest() if cert else None))
    return result


def _check_new_signers(path: Path, queued_size: int, expected: str) -> None:
    data = path.read_bytes()
    try:
        before = len(_signer_fingerprints(data[:queued_size]))
        signatures = sorted(_signer_fingerprints(data))
    except Exception:
        raise Refused(422, "Không đọc được chữ ký trong tệp (cannot read the signatures)") from None
    added = signatures[before:]
    if not added:
        raise Refused(422, "Tệp tải lên không có chữ ký mới (no new signature)")
    if any(fingerprint != expected for _, fingerprint in added):
        raise Refused(403, "Chữ ký không phải của cán bộ được giao ký (signed with another certificate)")


def _verify(ctx: Services, path: Path) -> VerificationReport:
    try:
        return verify_configured(path, ctx.settings.signing)
    except VerifyInputError as exc:
        raise Refused(422, exc.message) from None


def accept_signed(
    ctx: Services, item_id: int, path: Path, sha256: str, size: int, principal: Principal
) -> Acceptance:
    """Check an uploaded signed PDF against the queue item and store it as a new version."""
    with read_session(ctx.engine) as session:
        item = own_item(session, item_id, principal)
        official = session.get(StaffUser, item.official_id)
        assert official is not None
        expected_cert = official.cert_sha256
        signer_name = official.full_name or official.username
        document_id = item.document_id
        stamp = item.stamp
        snapshot = (item.status, item.signed_sha256, item.signed_version_id, item.size, item.sha256)
    status, signed_sha, signed_version, queued_size, queued_sha = snapshot
    if status == QueueStatus.SIGNED.value:
        if signed_sha == sha256 and signed_version is not None:
            return Acceptance(item_id, document_id, signed_version, sha256, True, {})
        raise Refused(409, "Mục này đã được ký và nhận rồi (item already signed; upload refused)")
    if status != QueueStatus.PENDING.value:
        raise Refused(409, "Mục này đã bị hủy (item was cancelled)")
    if expected_cert is None:
        raise Refused(409, "Cán bộ chưa đăng ký chứng thư số (no registered certificate)")
    if size <= queued_size or _prefix_sha256(path, queued_size) != queued_sha:
        raise Refused(
            422,
            "Tệp đã ký không chứa nguyên vẹn tài liệu được giao ký (signed file does not extend the "
            "queued document)",
        )
    report = _verify(ctx, path)
    if not report.valid:
        raise Refused(422, f"Chữ ký không hợp lệ (signature not valid): {report.reason or ''}".strip())
    _check_new_signers(path, queued_size, expected_cert)

    bucket, retain = upload_bucket(stamp)
    stored = ctx.store.put_file(bucket, path, content_type="application/pdf", retain=retain)
    if stored.sha256 != sha256:
        raise Refused(500, "Lưu trữ trả về mã băm khác (store hash mismatch)")

    def work(session: Session) -> Acceptance:
        won: int = session.execute(  # type: ignore[attr-defined]
            update(SigningQueueItem)
            .where(SigningQueueItem.id == item_id, SigningQueueItem.status == QueueStatus.PENDING.value)
            .values(status=QueueStatus.SIGNED.value, signed_at=datetime.now(UTC), signed_sha256=sha256)
        ).rowcount
        if won != 1:
            raise Refused(409, "Mục này đã được ký và nhận rồi (item already signed; upload refused)")
        signed_item = session.get(SigningQueueItem, item_id)
        assert signed_item is not None
        version = record_upload(
            session,
            signed_item,
            ObjectRef(bucket=bucket.value, key=stored.key, sha256=stored.sha256, size=stored.size),
            signed_by=signer_name,
            actor=principal.actor,
        )
        session.execute(
            update(SigningQueueItem)
            .where(SigningQueueItem.id == item_id)
            .values(signed_version_id=version.id)
        )
        # A dossier result moves on in this same transaction: to the seal, or filed once sealed.
        on_signed(
            session,
            signed_item,
            version,
            report,
            actor=principal.actor,
            min_level=required_level(ctx.settings.signing),
        )
        return Acceptance(item_id, document_id, version.id, sha256, False, report.model_dump(mode="json"))

    try:
        return run_in_transaction(ctx.engine, work)
    except Refused:
        # Lost a race with an identical upload: answer like a replay if it was the same file.
        with read_session(ctx.engine) as session:
            again = session.get(SigningQueueItem, item_id)
            if again is not None and again.signed_sha256 == sha256 and again.signed_version_id is not None:
                return Acceptance(item_id, again.document_id, again.signed_version_id, sha256, True, {})
        raise
