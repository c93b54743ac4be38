"""Webhook subscriptions and their deliveries: the outbox integrators are notified from.

A subscription names a URL, the events it wants and the *name* of the environment variable
holding its shared secret (the secret itself is never stored). A delivery row is written in the
same transaction as the event it reports (:func:`record_event`, called by ``audit``), so an event
is announced exactly when it commits and never for a rolled-back one; the delivery loop
(``pipeline.webhooks``) sends it, with retries and backoff, recording attempts and the last error.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db.base import Base
from storage.db.models import BigId, Dossier, utcnow
from storage.db.types import UtcDateTime

if TYPE_CHECKING:
    from storage.db.models import AuditEntry

NOTIFY_CHANNEL = "sohoa_webhooks"  # PostgreSQL: a new delivery is announced on it at commit


class WebhookEvent(StrEnum):
    JOB_FINISHED = "job.finished"  # an intake job is done or failed
    RESULT_SIGNED = "result.signed"  # a signed copy or e-result was recorded
    DOSSIER_RETURNED = "dossier.returned"  # the result was handed back to the citizen


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last attempt


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret_env: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


# Audit actions that are webhook events (the audit log is where every path records them).
_SIGNED_ACTIONS = frozenset({"document.signed", "document.signed_result"})


def event_of(action: str, details: dict[str, Any]) -> WebhookEvent | None:
    if action == "job.finished":
        return WebhookEvent.JOB_FINISHED
    if action in _SIGNED_ACTIONS:
        return WebhookEvent.RESULT_SIGNED
    if action == "dossier.status" and details.get("status") == "returned":
        return WebhookEvent.DOSSIER_RETURNED
    return None


def record_event(session: Session, entry: AuditEntry) -> int:
    """One pending delivery per active subscription wanting the event of ``entry``; how many."""
    event = event_of(entry.action, entry.details or {})
    if event is None:
        return 0
    with session.no_autoflush:
        active = session.scalars(select(WebhookSubscription).where(WebhookSubscription.active.is_(True)))
        subscriptions = [s for s in active if event.value in (s.events or [])]
        if not subscriptions:
            return 0
        code = None
        if entry.dossier_id is not None:
            code = session.scalar(select(Dossier.code).where(Dossier.id == entry.dossier_id))
    now = utcnow()
    data: dict[str, Any] = {}
    if entry.dossier_id is not None:
        data["dossier"] = code
    if entry.document_id is not None:
        data["document_id"] = entry.document_id
        data["result_url"] = f"/api/v1/results/documents/{entry.document_id}"
    details = entry.details or {}
    for key in ("job_id", "status", "doc_type", "files", "error"):
        if key in details:
            data[key] = details[key]
    if event is WebhookEvent.JOB_FINISHED and "job_id" in details:
        data["status_url"] = f"/api/v1/jobs/{details['job_id']}"
    event_id = uuid.uuid4().hex
    payload = {
        "id": event_id,
        "type": event.value,
        "occurred_at": now.isoformat().replace("+00:00", "Z"),
        "data": data,
    }
    if session.get_bind().dialect.name == "postgresql":
        # delivered at commit (never for a rollback): the dispatchers LISTENing wake at once
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})
    for subscription in subscriptions:
        session.add(
            WebhookDelivery(
                subscription_id=subscription.id,
                event=event.value,
                event_id=event_id,
                payload=payload,
                next_attempt_at=now,
            )
        )
    return len(subscriptions)
