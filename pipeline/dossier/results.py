"""A dossier's result issued on the server: attached, signed by the competent official, sealed.

``sohoa dossier issue`` signs and seals in one local process; here the tokens stay on the
signers' desks. The processing officer attaches the result (a PDF, or one generated from the
template); its prepared bytes go to the competent official's signing queue as a *result* item
(the client makes the certification signature and reserves the seal's field). When the server
has verified the official's upload, the signed file itself (not a copy: the bytes the official
signed are the prefix the seal must extend) goes to the seal holder's queue as a *seal* item.
When the seal is verified the result is filed exactly as ``record_result`` files one (owners,
the case's result, finished), in the same transaction that accepts the seal.

Agency integrity is the queue's: the result's document belongs to the dossier, so only an
official of the dossier's agency is queued, fetches and signs either item (``own_item``). The
document has no owner until it is filed, so nothing offers a half-signed result for reuse.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import SigningSettings
from pipeline.access import dossier_agency, visible_dossier
from pipeline.dossier.lifecycle import State, get_case, transition
from pipeline.dossier.queue import STAMP_RESULT, STAMP_SEAL
from pipeline.dossier.result_template import result_title
from pipeline.dossier.signatures import (
    check_can_file_result,
    finish_with_result,
    prepare_result,
    result_doc_type,
    result_owners,
)
from pipeline.errors import Refused
from pipeline.principals import ALL, Principal
from pipeline.queue_items import add_item, audit_queued
from pipeline.services import Services
from signing.certcheck import seal_refusal
from signing.errors import InputPdfError
from signing.pades import SEAL_FIELD
from signing.verify import VerificationReport
from storage.db.api_models import QueueStatus, SigningQueueItem, StaffUser
from storage.db.dossier_cases import DossierResult, ResultStage
from storage.db.dossiers import audit
from storage.db.engine import read_session, run_in_transaction
from storage.db.errors import BadInputError
from storage.db.models import (
    Document,
    DocumentOwner,
    DocumentSource,
    DocumentVersion,
    Dossier,
    VersionKind,
    utcnow,
)
from storage.db.records import ObjectRef, add_sealed_result, add_signed_version, add_staged_result
from storage.objects.base import Bucket

ACTIVE = (ResultStage.AWAITING_OFFICIAL.value, ResultStage.AWAITING_SEAL.value)
STAGE_LABELS = {
    ResultStage.AWAITING_OFFICIAL.value: "Chờ cán bộ có thẩm quyền ký",
    ResultStage.AWAITING_SEAL.value: "Chờ đóng dấu cơ quan",
    ResultStage.ISSUED.value: "Đã ký, đóng dấu và ghi nhận là kết quả điện tử",
    ResultStage.CANCELLED.value: "Đã hủy",
}


class ResultView(BaseModel):
    """Where a dossier's result is; the API answers it as is (``ResultOut`` only adds its types)."""

    model_config = ConfigDict(frozen=True)

    code: str
    id: int
    document_id: int
    doc_type: str
    stage: str
    stage_label: str
    official: str
    seal: str
    official_item_id: int | None
    seal_item_id: int | None
    generated: bool
    created_by: str
    created_at: datetime
    issued_at: datetime | None


def _signer(session: Session, username: str, agency: str, role: str) -> StaffUser:
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None or user.disabled or not ({"official", "administrator"} & set(user.roles)):
        raise Refused(422, f"{role} không phải cán bộ có quyền ký (not an official): {username}")
    if user.cert_sha256 is None:
        raise Refused(409, f"{role} chưa đăng ký chứng thư số (no registered certificate): {username}")
    agencies = set(user.agencies or [])
    if ALL not in agencies and agency not in agencies:
        raise Refused(
            403, f"{role} không phải cán bộ của cơ quan giữ hồ sơ (official of another agency): {username}"
        )
    return user


def _view(session: Session, code: str, row: DossierResult) -> ResultView:
    official = session.get(StaffUser, row.official_id)
    seal = session.get(StaffUser, row.seal_id)
    document = session.get(Document, row.document_id)
    return ResultView(
        code=code,
        id=row.id,
        document_id=row.document_id,
        doc_type=document.doc_type if document is not None else "result",
        stage=row.stage,
        stage_label=STAGE_LABELS[row.stage],
        official=official.username if official is not None else "",
        seal=seal.username if seal is not None else "",
        official_item_id=row.official_item_id,
        seal_item_id=row.seal_item_id,
        generated=row.generated,
        created_by=row.created_by,
        created_at=row.created_at,
        issued_at=row.issued_at,
    )


def _latest(session: Session, dossier_id: int, stages: tuple[str, ...] | None = None) -> DossierResult | None:
    query = select(DossierResult).where(DossierResult.dossier_id == dossier_id)
    if stages is not None:
        query = query.where(DossierResult.stage.in_(stages))
    return session.scalar(query.order_by(DossierResult.id.desc()).limit(1))


def result_status(ctx: Services, code: str, principal: Principal) -> ResultView | None:
    """The dossier's latest result on its way (or issued); ``None`` if none was attached here."""
    with read_session(ctx.engine) as session:
        dossier = visible_dossier(session, code, principal)
        row = _latest(session, dossier.id)
        return _view(session, code, row) if row is not None else None


def attach_result(
    ctx: Services,
    code: str,
    data: bytes,
    *,
    official: str,
    seal: str,
    principal: Principal,
    generated: bool = False,
) -> ResultView:
    """Attach a result to a dossier being processed and queue it for the competent official.

    ``data`` is a PDF (or a scan image, wrapped losslessly). The official and the seal holder
    must be two different officials of the dossier's agency, each with a registered certificate.
    """
    with read_session(ctx.engine) as session:
        dossier = visible_dossier(session, code, principal)
        check_can_file_result(session, code)
        if _latest(session, dossier.id, ACTIVE) is not None:
            raise Refused(409, "Hồ sơ đã có kết quả đang chờ ký (a result is already on its way)")
        agency = dossier_agency(session, dossier.id) or ""
        signer = _signer(session, official, agency, "Người ký")
        holder = _signer(session, seal, agency, "Người đóng dấu")
        if signer.id == holder.id or signer.cert_sha256 == holder.cert_sha256:
            raise Refused(422, "Người ký và người đóng dấu phải khác nhau (official and seal must differ)")
        doc_type = result_doc_type(session, code)
        procedure_name = dossier.procedure.name if dossier.procedure else None
        dossier_id, official_id, seal_id = dossier.id, signer.id, holder.id
    # What the signers' agents show: the result's printed title, in Vietnamese, and the dossier.
    title = f"Kết quả: {result_title(doc_type, procedure_name).capitalize()} — hồ sơ {code}"[:255]
    try:
        prepared = prepare_result(data, f"{code}.pdf", title)
    except InputPdfError as exc:
        raise Refused(422, f"Tệp kết quả không dùng được (result file unusable): {exc.message}") from None
    stored = ctx.store.put_bytes(Bucket.DIGITISED, prepared, content_type="application/pdf")

    def work(session: Session) -> ResultView:
        _dossier, _case, state = check_can_file_result(session, code)
        if _latest(session, dossier_id, ACTIVE) is not None:
            raise Refused(409, "Hồ sơ đã có kết quả đang chờ ký (a result is already on its way)")
        # Identity until filed: unique per attachment (a result is identified by its signed file
        # once issued, see ``record_signed_document``).
        identity = hashlib.sha256(f"result-draft:{dossier_id}:{uuid.uuid4().hex}".encode()).hexdigest()
        document = Document(
            sha256=identity,
            doc_type=doc_type,
            pages=[],
            page_count=0,
            owner_id=None,
            source=DocumentSource.SIGNED.value,
            dossier_id=dossier_id,
            confidence=1.0,
        )
        document.versions = [
            DocumentVersion(
                kind=VersionKind.ORIGINAL.value,
                bucket=Bucket.DIGITISED.value,
                object_key=stored.key,
                sha256=stored.sha256,
                size=stored.size,
            )
        ]
        session.add(document)
        session.flush()
        item = add_item(
            session,
            document_id=document.id,
            official_id=official_id,
            title=title,
            stored=ObjectRef.of(stored),
            actor=principal.actor,
            stamp=STAMP_RESULT,
        )
        row = DossierResult(
            dossier_id=dossier_id,
            document_id=document.id,
            stage=ResultStage.AWAITING_OFFICIAL.value,
            official_id=official_id,
            seal_id=seal_id,
            official_item_id=item.id,
            generated=generated,
            created_by=principal.actor,
        )
        session.add(row)
        session.flush()
        if state is State.RECEIVED:
            transition(session, code, State.PROCESSING, actor=principal.actor)
        audit(
            session,
            "dossier.result_attached",
            actor=principal.actor,
            dossier_id=dossier_id,
            document_id=document.id,
            item=item.id,
            official=official,
            seal=seal,
            generated=generated,
        )
        audit_queued(session, item, official, result=True)
        return _view(session, code, row)

    return run_in_transaction(ctx.engine, work)


def cancel_result(ctx: Services, code: str, principal: Principal) -> ResultView:
    """Withdraw a result still on its way (a wrong file, another signer): its pending items too."""

    def work(session: Session) -> ResultView:
        dossier = visible_dossier(session, code, principal)
        row = _latest(session, dossier.id, ACTIVE)
        if row is None:
            raise Refused(409, "Không có kết quả nào đang chờ ký (no result on its way)")
        for item_id in (row.official_item_id, row.seal_item_id):
            item = session.get(SigningQueueItem, item_id) if item_id is not None else None
            if item is not None and item.status == QueueStatus.PENDING.value:
                item.status = QueueStatus.CANCELLED.value
        _cancelled(session, row, actor=principal.actor)
        session.flush()
        return _view(session, code, row)

    return run_in_transaction(ctx.engine, work)


def on_cancelled(session: Session, item: SigningQueueItem, *, actor: str) -> None:
    """A result's queue item cancelled directly in the queue withdraws the result with it."""
    if item.stamp not in (STAMP_RESULT, STAMP_SEAL):
        return
    row = session.scalar(
        select(DossierResult).where(
            (DossierResult.official_item_id == item.id) | (DossierResult.seal_item_id == item.id),
            DossierResult.stage.in_(ACTIVE),
        )
    )
    if row is not None:
        _cancelled(session, row, actor=actor, item=item.id)


def _move(row: DossierResult, stage: ResultStage) -> None:
    row.stage = stage.value
    row.updated_at = utcnow()


def _cancelled(session: Session, row: DossierResult, *, actor: str, **details: int) -> None:
    """Withdraw ``row`` (from the dossier's page, or by cancelling one of its queue items)."""
    _move(row, ResultStage.CANCELLED)
    audit(
        session,
        "dossier.result_cancelled",
        actor=actor,
        dossier_id=row.dossier_id,
        document_id=row.document_id,
        **details,
    )


def _row_of(session: Session, item: SigningQueueItem) -> DossierResult | None:
    return session.scalar(
        select(DossierResult).where(
            (DossierResult.official_item_id == item.id) | (DossierResult.seal_item_id == item.id)
        )
    )


def upload_bucket(stamp: str | None) -> tuple[Bucket, bool]:
    """Where an accepted upload is stored, and whether under retention.

    The official's signature alone is a staged result: kept with the drafts (digitised bucket,
    no retention) until the seal files it; everything else is a signed copy under retention.
    """
    if stamp == STAMP_RESULT:
        return Bucket.DIGITISED, False
    return Bucket.SIGNED, True


def record_upload(
    session: Session, item: SigningQueueItem, ref: ObjectRef, *, signed_by: str, actor: str
) -> DocumentVersion:
    """The version an accepted upload becomes, in the transaction that accepts it.

    A result signed by the official only is *staged* (not a signed version: not served, not
    announced); the seal's upload is the signed version, announced once by its filing
    (``document.signed_result``); any other item is a plain signed copy (``document.signed``).
    """
    row = _row_of(session, item) if item.stamp in (STAMP_RESULT, STAMP_SEAL) else None
    if row is not None and item.stamp == STAMP_RESULT:
        return add_staged_result(session, item.document_id, ref, signed_by=signed_by, actor=actor)
    if row is not None and item.stamp == STAMP_SEAL:
        return add_sealed_result(session, item.document_id, ref, signed_by=signed_by)
    return add_signed_version(session, item.document_id, ref, signed_by=signed_by, actor=actor)


# PAdES levels as ``signing.verify`` reports them, weakest first.
LEVELS = ("PKCS7", "B-B", "B-T", "B-LT", "B-LTA")


def required_level(signing: SigningSettings) -> str | None:
    """The least level a result's signatures must reach on this server: B-LT once a TSA is
    configured (a result is kept for years and must stay verifiable after its certificates
    expire), else whatever the signer's agent chose."""
    return "B-LT" if signing.tsa_url else None


def _check_level(report: VerificationReport, stamp: str, minimum: str | None) -> None:
    if minimum is None:
        return
    new = report.signatures[-1:] if stamp == STAMP_SEAL else report.signatures
    for signature in new:
        level = signature.pades_level or "PKCS7"
        if (LEVELS.index(level) if level in LEVELS else -1) < LEVELS.index(minimum):
            raise Refused(
                422,
                f"Chữ ký kết quả phải đạt mức PAdES {minimum} khi máy chủ có dấu thời gian (TSA): chữ "
                f"ký đạt {level}; đặt SOHOA_SIGNING__LEVEL={minimum} trên máy ký (result signature "
                f"below PAdES {minimum})",
            )


def _check_signatures(report: VerificationReport, stamp: str) -> None:
    """The official's signature certifies the result and leaves the seal's field; the seal fills it.

    An older client that ignores the item's stamp would make a plain approval signature, after
    which anything could follow: refused, so the filed result is certified and sealed as issued.
    The seal holder is an ordinary official account whose registered certificate is the seal:
    the server only knows its fingerprint, so the uploaded seal's certificate itself must be an
    organisation's (``signing.certcheck.holder_kind``), never a person's token; the refusal says
    what the certificate lacks (``seal_refusal``, the same words as ``check_seal_certificate``
    where sohoa makes a seal).
    """
    last = max(report.signatures, key=lambda s: s.revision or 0, default=None)
    if stamp == STAMP_RESULT:
        if len(report.signatures) != 1 or last is None or last.kind != "certification":
            raise Refused(
                422,
                "Kết quả phải được cán bộ có thẩm quyền ký chứng nhận (certification signature "
                "expected): cập nhật ứng dụng ký",
            )
        if SEAL_FIELD not in report.empty_signature_fields:
            raise Refused(422, "Chữ ký của kết quả chưa dành chỗ cho con dấu (seal field missing)")
    elif len(report.signatures) != 2 or last is None or last.field != SEAL_FIELD:
        raise Refused(422, "Con dấu phải đóng vào ô dành cho dấu của kết quả (seal not in its field)")
    elif last.signer_kind != "organisation":
        raise Refused(422, seal_refusal(last.signer_name, last.signer_kind_gap))


def on_signed(
    session: Session,
    item: SigningQueueItem,
    version: DocumentVersion,
    report: VerificationReport,
    *,
    actor: str,
    min_level: str | None = None,
) -> None:
    """Called by the queue in the transaction that accepts a verified upload.

    The official's signature sends the signed file to the seal holder; the seal files the
    result and finishes the dossier. Any other item is none of this module's business.
    ``min_level`` (see :func:`required_level`): the least PAdES level of the new signature.
    """
    if item.stamp not in (STAMP_RESULT, STAMP_SEAL):
        return
    row = _row_of(session, item)
    if row is None:
        return
    if row.stage == ResultStage.CANCELLED.value:
        raise Refused(409, "Kết quả này đã bị hủy (result was cancelled)")
    _check_signatures(report, item.stamp)
    _check_level(report, item.stamp, min_level)
    if item.stamp == STAMP_RESULT and row.stage == ResultStage.AWAITING_OFFICIAL.value:
        _queue_seal(session, row, version, actor=actor)
    elif item.stamp == STAMP_SEAL and row.stage == ResultStage.AWAITING_SEAL.value:
        _issue(session, row, version, actor=actor)
    else:
        raise Refused(409, "Kết quả không ở bước chờ chữ ký này (result is not at this step)")


def _queue_seal(session: Session, row: DossierResult, signed: DocumentVersion, *, actor: str) -> None:
    holder = session.get(StaffUser, row.seal_id)
    official_item = session.get(SigningQueueItem, row.official_item_id)
    assert holder is not None and official_item is not None
    item = add_item(
        session,
        document_id=row.document_id,
        official_id=row.seal_id,
        title=f"Đóng dấu — {official_item.title}"[:255],
        # the signed file itself, not a copy: the bytes the official signed are the seal's prefix
        stored=ObjectRef(signed.bucket, signed.object_key, signed.sha256, signed.size),
        actor=actor,
        stamp=STAMP_SEAL,
    )
    row.seal_item_id = item.id
    _move(row, ResultStage.AWAITING_SEAL)
    audit_queued(session, item, holder.username, seal=True)


def _issue(session: Session, row: DossierResult, sealed: DocumentVersion, *, actor: str) -> None:
    """File the sealed result as ``record_result`` would: the applicant's, the dossier's result."""
    code = _code_of(session, row)
    _dossier, case, _state = check_can_file_result(session, code)
    if session.scalar(select(Document.id).where(Document.sha256 == sealed.sha256)) is not None:
        raise BadInputError("Tệp kết quả này đã được lưu (this signed file is already filed)")
    document = session.get(Document, row.document_id)
    assert document is not None
    document.sha256 = sealed.sha256  # a signed result is identified by its signed file
    owners = result_owners(case, document.doc_type, {})
    document.owner_id = owners[0][0]
    document.owners = [DocumentOwner(owner_id=o, role=role) for o, role in owners]
    row.stage = ResultStage.ISSUED.value
    row.issued_at = row.updated_at = utcnow()
    session.flush()
    audit(
        session,
        "document.signed_result",
        actor=actor,
        dossier_id=row.dossier_id,
        document_id=document.id,
        doc_type=document.doc_type,
        object_key=sealed.object_key,
    )
    finish_with_result(session, code, document, actor=actor)


def _code_of(session: Session, row: DossierResult) -> str:
    dossier = session.get(Dossier, row.dossier_id)
    assert dossier is not None
    return dossier.code


def return_result(ctx: Services, code: str, principal: Principal, *, base_url: str) -> str:
    """Return the e-result electronically (finished → returned); the citizen's link."""

    def work(session: Session) -> str:
        visible_dossier(session, code, principal)
        _dossier, case = get_case(session, code)
        if State(case.state) is State.FINISHED and case.result_document_id is None:
            raise Refused(409, "Hồ sơ chưa có kết quả điện tử để trả (no e-result to return)")
        transition(session, code, State.RETURNED, actor=principal.actor)
        return f"{base_url.rstrip('/')}/tra-cuu/{code}?t={case.token}"

    return run_in_transaction(ctx.engine, work)


def generated_result(
    ctx: Services, code: str, content: str, principal: Principal, *, place: str | None
) -> bytes:
    """The template's PDF for a simple certificate, printed with the agency's name."""
    from pipeline.dossier.receive import dossier_view
    from pipeline.dossier.result_template import render_result
    from pipeline.reuse import today_in_vietnam
    from signing.pades import check_organisation

    content = content.strip()
    if not content:
        raise Refused(422, "Cần nội dung kết quả (content is empty)")
    with read_session(ctx.engine) as session:
        visible_dossier(session, code, principal)
        view = dossier_view(session, code)
        doc_type = result_doc_type(session, code)
    organisation = check_organisation(ctx.settings.signing.organisation or view.agency_name or "")
    if not organisation:
        raise Refused(
            409,
            "Chưa có tên cơ quan để in kết quả: đặt SOHOA_SIGNING__ORGANISATION (organisation unknown)",
        )
    return render_result(
        view,
        doc_type,
        content,
        organisation=organisation,
        place=(place or "").strip() or None,
        issued_on=today_in_vietnam(),
        font=ctx.settings.signing.font,
    )
