"""The receiving official's signing queue for a dossier's digitised components.

When the official signs at their own computer (``sohoa sign-client``: the token never leaves
the desk), each component scanned for the dossier is put in their queue as the exact bytes to
sign, like ``POST /signing/queue`` does for one document. The title marks it as a received copy,
so the client stamps it with the text-only "bản số hóa từ bản giấy" stamp; the server accepts
the upload only if it extends those bytes and carries that official's signature, and then the
component counts as digitised.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from pipeline.dossier.signatures import ToSign, result_request, seal_request, unsigned_components
from pipeline.queue_items import add_item, audit_queued, pending_item
from signing.appearance import Placement, StampKind
from signing.images import as_pdf
from signing.pades import SignRequest
from signing.repair import prepare_for_signing
from storage.db.api_models import StaffUser
from storage.db.engine import read_session, run_in_transaction
from storage.db.errors import BadInputError
from storage.db.records import ObjectRef
from storage.objects.base import Bucket, ObjectStore

RECEIVED_TITLE_PREFIX = "Bản số hóa"
"""Queue titles starting with this are digitised paper copies: the client uses the received stamp."""


@dataclass(frozen=True)
class Queued:
    item_id: int
    document_id: int
    doc_type: str
    new: bool


# What a queue item's ``stamp`` asks of the official's client (sign-client, the signing agent).
STAMP_RECEIVED = "received"  # a digitised paper copy: the text-only received stamp
STAMP_RESULT = "result"  # a dossier's result: the competent official's certification signature
STAMP_SEAL = "seal"  # the organisation seal on a result the official has signed
STAMPS = (STAMP_RECEIVED, STAMP_RESULT, STAMP_SEAL)


def is_received_copy(title: str) -> bool:
    return title.startswith(RECEIVED_TITLE_PREFIX)


def sign_request_for(title: str, stamp: str | None, reason: str | None = None) -> SignRequest:
    """The signature a queue item takes: as its ``stamp`` says, else by its title (older servers)."""
    if stamp == STAMP_RESULT:
        return result_request(reason=reason)
    if stamp == STAMP_SEAL:
        return seal_request(reason)
    if stamp == STAMP_RECEIVED or is_received_copy(title):
        return SignRequest(stamp=StampKind.RECEIVED, reason=reason, placement=Placement(1, None))
    return SignRequest(stamp=StampKind.OFFICIAL, reason=reason)


def _official(session: Session, username: str) -> int:
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None or user.disabled or not ({"official", "administrator"} & set(user.roles)):
        raise BadInputError("Người ký không phải cán bộ có quyền ký (not an official)")
    if user.cert_sha256 is None:
        raise BadInputError("Cán bộ ký chưa đăng ký chứng thư số (official has no registered certificate)")
    return user.id


def queue_components(
    engine: Engine, store: ObjectStore, code: str, official: str, *, actor: str
) -> list[Queued]:
    """Queue every unsigned digitised component of ``code`` for ``official`` (idempotent)."""
    with read_session(engine) as session:
        official_id = _official(session, official)
        items = unsigned_components(session, code)
    result: list[Queued] = []
    for item in items:
        result.append(_queue_one(engine, store, code, item, official_id, official, actor))
    return result


def _queue_one(
    engine: Engine, store: ObjectStore, code: str, item: ToSign, official_id: int, official: str, actor: str
) -> Queued:
    with store.open(Bucket(item.bucket), item.key) as fh:
        data = fh.read()
    title = f"{RECEIVED_TITLE_PREFIX} {item.doc_type} #{item.document_id} — hồ sơ {code}"[:255]
    prepared = prepare_for_signing(as_pdf(data, title), title).data
    stored = store.put_bytes(Bucket.DIGITISED, prepared, content_type="application/pdf")

    def work(session: Session) -> Queued:
        existing = pending_item(session, item.document_id, official_id)
        if existing is not None:
            return Queued(existing.id, item.document_id, item.doc_type, False)
        row = add_item(
            session,
            document_id=item.document_id,
            official_id=official_id,
            title=title,
            stored=ObjectRef.of(stored),
            actor=actor,
            stamp=STAMP_RECEIVED,
        )
        audit_queued(session, row, official, received_copy=True)
        return Queued(row.id, item.document_id, item.doc_type, True)

    return run_in_transaction(engine, work)
