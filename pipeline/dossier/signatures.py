"""Signing a dossier's documents: digitised components (receiving official) and the result.

A digitised component counts as digitised only once the receiving official has signed it (the
text-only stamp of a received copy, ``StampKind.RECEIVED``). Each signed copy goes to the
signed bucket under retention and is recorded as a new version of its document. Scans that are
images (JPEG, PNG, TIFF) are wrapped into a PDF first (``img2pdf``, lossless).

The result is signed by the competent official (a certification signature: the document is
final, only the seal may follow) and then sealed; ``record_result`` files it as an electronic
result of the dossier, held for reuse by the applicant's later dossiers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import enumerate_sig_fields
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.documents.types import document_type
from pipeline.dossier.lifecycle import State, get_case, transition
from signing.appearance import Placement, StampKind
from signing.errors import InputPdfError
from signing.images import as_pdf
from signing.pades import SigningContext, SignRequest, sign_bytes
from signing.repair import prepare_for_signing
from storage.db.dossier_cases import DossierCase, DossierResult, ResultStage
from storage.db.dossiers import get_dossier
from storage.db.errors import BadInputError
from storage.db.models import Document, DocumentVersion, Dossier, DossierComponent, VersionKind
from storage.db.records import (
    FieldInput,
    ObjectRef,
    add_signed_version,
    owners_from_fields,
    record_signed_document,
)
from storage.objects.base import Bucket, ObjectStore

# Which stored copy of a digitised document the official signs, best first.
SOURCE_KINDS = (VersionKind.SEARCHABLE.value, VersionKind.ORIGINAL.value)


@dataclass(frozen=True)
class ToSign:
    document_id: int
    doc_type: str
    bucket: str
    key: str


def unsigned_components(session: Session, code: str) -> list[ToSign]:
    """Components scanned for this dossier that have no signed copy yet (reused ones are excluded)."""
    dossier = get_dossier(session, code)
    rows = session.execute(
        select(DossierComponent.document_id, DossierComponent.doc_type)
        .where(DossierComponent.dossier_id == dossier.id, DossierComponent.reused.is_(False))
        .order_by(DossierComponent.id)
    ).all()
    result: list[ToSign] = []
    for document_id, doc_type in rows:
        document = session.get(Document, document_id)
        assert document is not None
        kinds = {v.kind for v in document.versions}
        if VersionKind.SIGNED.value in kinds or document.source != "digitised":
            continue
        source = next(
            (v for kind in SOURCE_KINDS for v in reversed(document.versions) if v.kind == kind), None
        )
        if source is None:
            continue
        result.append(ToSign(document_id, doc_type, source.bucket, source.object_key))
    return result


def _read(store: ObjectStore, bucket: str, key: str) -> bytes:
    with store.open(Bucket(bucket), key) as fh:
        return fh.read()


def sign_received_copy(
    store: ObjectStore, item: ToSign, signer: signers.Signer, ctx: SigningContext
) -> ObjectRef:
    """The receiving official's signed copy of one component, stored under retention."""
    name = f"{item.doc_type}-{item.document_id}.pdf"
    data = prepare_for_signing(as_pdf(_read(store, item.bucket, item.key), name), name).data
    request = SignRequest(stamp=StampKind.RECEIVED, placement=Placement(1, None))
    signed = sign_bytes(data, signer, request, ctx, name=name)
    stored = store.put_bytes(Bucket.SIGNED, signed, content_type="application/pdf", retain=True)
    return ObjectRef.of(stored)


def record_received_signature(
    session: Session, item: ToSign, ref: ObjectRef, *, signed_by: str, actor: str
) -> DocumentVersion:
    return add_signed_version(session, item.document_id, ref, signed_by=signed_by, actor=actor)


def prepare_result(data: bytes, name: str, title: str | None = None) -> bytes:
    """A result file ready for the competent official's certification signature.

    A file that already carries a signature is refused: the official's certification must be
    its first signature and the seal the one after it, so a result signed (or "sealed") elsewhere
    would never be filed with a seal checked here.
    """
    prepared = prepare_for_signing(as_pdf(data, name), title or name).data
    try:
        reader = PdfFileReader(io.BytesIO(prepared), strict=False)
        signed = [field for field, value, _ in enumerate_sig_fields(reader) if value is not None]
    except Exception:  # unreadable fields: the signer reports the file itself
        signed = []
    if signed:
        raise InputPdfError(
            f"{name} đã có chữ ký số ({', '.join(signed)}): kết quả phải do cán bộ có thẩm quyền ký "
            "chứng nhận trước, rồi mới đóng dấu cơ quan; hãy dùng bản chưa ký (result file already "
            "signed)"
        )
    return prepared


def sign_result(
    data: bytes, official: signers.Signer, seal: signers.Signer, ctx: SigningContext, *, name: str
) -> bytes:
    """Competent official's certification signature, then the organisation seal.

    The seal is not optional: a result is issued only sealed (``sign_bytes`` refuses a seal whose
    certificate is not an organisation's)."""
    prepared = prepare_result(data, name)
    first = sign_bytes(prepared, official, result_request(), ctx, name=name)
    return sign_bytes(first, seal, seal_request(), ctx, name=name)


def result_request(*, sealed: bool = True, reason: str | None = None) -> SignRequest:
    """The competent official's signature on a result: it certifies (DocMDP, form filling only)
    and reserves the seal's field, so the seal is the one change allowed after it."""
    return SignRequest(stamp=StampKind.OFFICIAL, certify=True, reserve_seal_field=sealed, reason=reason)


def seal_request(reason: str | None = None) -> SignRequest:
    return SignRequest(stamp=StampKind.SEAL, reason=reason)


def result_doc_type(session: Session, code: str) -> str:
    """The document type of the dossier's result, as its procedure says (``result`` if none)."""
    dossier = get_dossier(session, code)
    procedure = dossier.procedure
    return (procedure.result_doc_type if procedure else None) or "result"


def check_can_file_result(session: Session, code: str) -> tuple[Dossier, DossierCase, State]:
    """The dossier may receive a result: being processed (or just received), none filed yet."""
    dossier, case = get_case(session, code)
    state = State(case.state)
    if state not in (State.RECEIVED, State.PROCESSING):
        raise BadInputError(
            "Chỉ trả kết quả cho hồ sơ đang xử lý (dossier is not being processed): "
            f"trạng thái hiện tại {state.value}"
        )
    if case.result_document_id is not None:
        raise BadInputError("Hồ sơ đã có kết quả (dossier already has a result)")
    return dossier, case, state


def result_owners(case: DossierCase, doc_type: str, values: dict[str, str]) -> list[tuple[str, str]]:
    """The applicant, then whoever else the result's owner fields name (both spouses)."""
    owners = [(case.applicant_id, "holder")]
    named = owners_from_fields(document_type(doc_type).owner_fields, values)
    return owners + [o for o in named if o[0] != case.applicant_id]


def finish_with_result(session: Session, code: str, document: Document, *, actor: str) -> None:
    """Make ``document`` the dossier's result and move the dossier to finished."""
    _dossier, case = get_case(session, code)
    case.result_document_id = document.id
    if State(case.state) is State.RECEIVED:
        transition(session, code, State.PROCESSING, actor=actor)
    transition(session, code, State.FINISHED, actor=actor)


def record_result(
    session: Session,
    code: str,
    signed: ObjectRef,
    *,
    signed_by: str,
    actor: str,
    fields: dict[str, str] | None = None,
) -> Document:
    """File a signed result on the dossier and finish it (processing first, if just received).

    ``signed`` is a result made by :func:`sign_result` (the official's certification, then the
    seal, whose certificate ``sign_bytes`` has checked is an organisation's); a result signed
    elsewhere comes through the server's queue instead (``pipeline.dossier.results``).

    The result belongs to the applicant (held for reuse) and to whoever else its fields name as an
    owner by its type's owner fields (both spouses of a marriage certificate); typed as the
    procedure says.
    """
    dossier, case, _state = check_can_file_result(session, code)
    on_its_way = select(DossierResult.id).where(
        DossierResult.dossier_id == dossier.id,
        DossierResult.stage.in_((ResultStage.AWAITING_OFFICIAL.value, ResultStage.AWAITING_SEAL.value)),
    )
    if session.scalar(on_its_way) is not None:
        raise BadInputError(
            "Hồ sơ có kết quả đang chờ ký trên máy chủ: hủy kết quả đó trước (a result is on its way)"
        )
    procedure = dossier.procedure
    doc_type = (procedure.result_doc_type if procedure else None) or "result"
    document = session.scalar(select(Document).where(Document.sha256 == signed.sha256))
    if document is not None:
        raise BadInputError("Tệp kết quả này đã được lưu (this signed file is already filed)")
    values = fields or {}
    document = record_signed_document(
        session,
        doc_type=doc_type,
        signed=signed,
        signed_by=signed_by,
        actor=actor,
        owners=result_owners(case, doc_type, values),
        fields={k: FieldInput(v, confidence=1.0) for k, v in values.items()},
        dossier=dossier,
    )
    finish_with_result(session, code, document, actor=actor)
    return document
