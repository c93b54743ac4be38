"""Signing-queue items: the one constructor of a pending item, its audit entry, the lookup of one
already waiting.

Shared by every workflow that asks an official to sign: ``pipeline.signing_queue`` (a document
queued by hand), ``pipeline.dossier.queue`` (a dossier's digitised components) and
``pipeline.dossier.results`` (a result and its seal). It depends on none of them, so the signing
queue can import the dossier's results at module level.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db.api_models import QueueStatus, SigningQueueItem
from storage.db.dossiers import audit
from storage.db.records import ObjectRef


def pending_item(session: Session, document_id: int, official_id: int) -> SigningQueueItem | None:
    """The item already waiting for this official on this document: queueing again is a no-op."""
    return session.scalar(
        select(SigningQueueItem).where(
            SigningQueueItem.document_id == document_id,
            SigningQueueItem.official_id == official_id,
            SigningQueueItem.status == QueueStatus.PENDING.value,
        )
    )


def add_item(
    session: Session,
    *,
    document_id: int,
    official_id: int,
    title: str,
    stored: ObjectRef,
    actor: str,
    stamp: str | None = None,
) -> SigningQueueItem:
    """A pending item asking ``official_id`` to sign exactly the bytes of ``stored``.

    The one constructor of queue items (``enqueue``, a dossier's digitised components, a result
    and its seal), so every item records its bytes the same way. Flushed, so the caller can refer
    to its id; the caller audits it (``audit_queued``) once its own rows are written, which keeps
    each workflow's audit order.
    """
    item = SigningQueueItem(
        document_id=document_id,
        official_id=official_id,
        title=title,
        bucket=stored.bucket,
        object_key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
        queued_by=actor,
        stamp=stamp,
    )
    session.add(item)
    session.flush()
    return item


def audit_queued(session: Session, item: SigningQueueItem, official: str, **details: bool) -> None:
    """The ``signing.queued`` entry of a new item; ``details`` say what kind of item it is."""
    audit(
        session,
        "signing.queued",
        actor=item.queued_by,
        document_id=item.document_id,
        official=official,
        item=item.id,
        **details,
    )
