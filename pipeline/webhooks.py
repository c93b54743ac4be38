"""Webhooks: integrators are told when a job finishes, a result is signed, a dossier is returned.

Subscriptions are registered by an administrator (``sohoa admin add-webhook`` or
``POST /api/v1/webhooks``); events are written as delivery rows in the transaction that caused
them (``storage.db.webhook_models.record_event``). :class:`WebhookDispatcher` (a thread of
``sohoa serve``) claims due rows with a conditional UPDATE (a lease, so several API processes
never send one row twice at once), POSTs the JSON payload and

- signs it: ``X-Sohoa-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``,
  the secret read from the environment variable the subscription names (never stored);
- on a 2xx answer marks it delivered; otherwise records the status or error and retries after
  ``retry_seconds * 2**(attempts-1)`` (capped at six hours), giving up after ``max_attempts``.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from pipeline.errors import Refused, not_found
from pipeline.services import Services
from storage.db.dossiers import audit
from storage.db.engine import read_session, run_in_transaction
from storage.db.webhook_models import (
    NOTIFY_CHANNEL,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

log = logging.getLogger("sohoa.webhooks")

EVENTS = tuple(e.value for e in WebhookEvent)
SIGNATURE_HEADER = "X-Sohoa-Signature"
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,127}$")
MAX_DELAY = timedelta(hours=6)
LEASE = timedelta(seconds=60)
TIMEOUT = 10.0
BATCH = 20


@dataclass(frozen=True)
class SubscriptionView:
    id: int
    url: str
    events: list[str]
    secret_env: str
    active: bool
    created_by: str
    created_at: datetime


def _view(s: WebhookSubscription) -> SubscriptionView:
    return SubscriptionView(s.id, s.url, list(s.events), s.secret_env, s.active, s.created_by, s.created_at)


def check_subscription(url: str, events: list[str], secret_env: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        raise Refused(422, "Địa chỉ webhook phải là URL http(s) (webhook URL must be http or https)")
    unknown = sorted(set(events) - set(EVENTS))
    if not events or unknown:
        raise Refused(
            422,
            f"Sự kiện không hợp lệ (unknown events): {', '.join(unknown) or '-'}; có: {', '.join(EVENTS)}",
        )
    if not ENV_NAME.fullmatch(secret_env):
        raise Refused(422, "Tên biến môi trường không hợp lệ (secret variable name: A-Z, 0-9, _)")


def add_subscription(
    session: Session, url: str, events: list[str], secret_env: str, *, actor: str
) -> SubscriptionView:
    check_subscription(url, events, secret_env)
    subscription = WebhookSubscription(
        url=url, events=sorted(set(events)), secret_env=secret_env, active=True, created_by=actor
    )
    session.add(subscription)
    session.flush()
    audit(session, "webhook.created", actor=actor, subscription=subscription.id, events=subscription.events)
    return _view(subscription)


def list_subscriptions(session: Session) -> list[SubscriptionView]:
    return [_view(s) for s in session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id))]


def remove_subscription(session: Session, subscription_id: int, *, actor: str) -> SubscriptionView:
    """Deactivated, not deleted: its deliveries stay as a record; pending ones are not sent."""
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None:
        raise not_found("webhook")
    subscription.active = False
    session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == subscription_id,
            WebhookDelivery.status == DeliveryStatus.PENDING.value,
        )
        .values(status=DeliveryStatus.FAILED.value, last_error="subscription removed")
    )
    audit(session, "webhook.removed", actor=actor, subscription=subscription_id)
    return _view(subscription)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Sohoa-Signature`` value: what a receiver recomputes to trust a delivery."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(
    secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None
) -> bool:
    """A receiver's check (also the test's): right MAC and a timestamp within ``tolerance`` s."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), f"t={timestamp},v1={fields.get('v1', '')}")


def backoff(attempts: int, base_seconds: float) -> timedelta:
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_DELAY)


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _claim(ctx: Services, now: datetime) -> list[tuple[int, str, str, str, dict[str, Any], int]]:
    """Due deliveries this process now holds a lease on: (id, url, secret_env, event, payload, attempts)."""
    with read_session(ctx.engine) as session:
        candidates = list(
            session.scalars(
                select(WebhookDelivery.id)
                .where(
                    WebhookDelivery.status == DeliveryStatus.PENDING.value,
                    WebhookDelivery.next_attempt_at <= now,
                    or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
                )
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(BATCH)
            )
        )
    claimed = []
    for delivery_id in candidates:

        def work(session: Session, delivery_id: int = delivery_id) -> Any:
            won = session.execute(  # type: ignore[attr-defined]
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery_id,
                    WebhookDelivery.status == DeliveryStatus.PENDING.value,
                    or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
                )
                .values(claimed_until=now + LEASE)
            ).rowcount
            if won != 1:
                return None
            row = session.execute(
                select(
                    WebhookDelivery.id,
                    WebhookSubscription.url,
                    WebhookSubscription.secret_env,
                    WebhookDelivery.event,
                    WebhookDelivery.payload,
                    WebhookDelivery.attempts,
                )
                .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
                .where(WebhookDelivery.id == delivery_id)
            ).one()
            return tuple(row)

        row = run_in_transaction(ctx.engine, work)
        if row is not None:
            claimed.append(row)
    return claimed


def _send(
    client: httpx.Client, url: str, secret: str, event: str, delivery_id: int, payload: dict[str, Any]
) -> tuple[int | None, str | None]:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "sohoa-webhooks/1",
        "X-Sohoa-Event": event,
        "X-Sohoa-Delivery": str(delivery_id),
        SIGNATURE_HEADER: signature(secret, int(time.time()), body),
    }
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}"
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}"


def deliver_due(
    ctx: Services,
    client: httpx.Client,
    *,
    retry_seconds: float,
    max_attempts: int,
    now: datetime | None = None,
) -> int:
    """Send every due delivery once; returns how many were attempted."""
    now = now or datetime.now(UTC)
    attempted = 0
    for delivery_id, url, secret_env, event, payload, attempts in _claim(ctx, now):
        attempted += 1
        secret = os.environ.get(secret_env)
        status: int | None
        error: str | None
        if not secret:
            status, error = None, f"secret variable {secret_env} is not set"
        else:
            status, error = _send(client, url, secret, event, delivery_id, payload)
        done_at = datetime.now(UTC)
        count = attempts + 1
        if error is None:
            values: dict[str, Any] = {
                "status": DeliveryStatus.DELIVERED.value, "delivered_at": done_at, "last_error": None,
            }
        else:
            log.warning("webhook delivery %s failed (attempt %s): %s", delivery_id, count, error)
            values = {
                "status": (DeliveryStatus.FAILED if count >= max_attempts else DeliveryStatus.PENDING).value,
                "next_attempt_at": done_at + backoff(count, retry_seconds),
                "last_error": error[:500],
            }
        values.update(attempts=count, last_status=status, claimed_until=None)

        def record(session: Session, delivery_id: int = delivery_id, values: dict[str, Any] = values) -> None:
            session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values))

        run_in_transaction(ctx.engine, record)
    return attempted


def next_due(ctx: Services) -> datetime | None:
    with read_session(ctx.engine) as session:
        value = session.scalar(
            select(WebhookDelivery.next_attempt_at)
            .where(WebhookDelivery.status == DeliveryStatus.PENDING.value)
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(1)
        )
    return _aware(value)


class _Listener:
    """A connection of its own LISTENing on the outbox channel (PostgreSQL): wakes the loop at once.

    ``record_event`` notifies the channel in the transaction that writes a delivery, so the
    notification arrives when, and only if, the delivery is committed.
    """

    def __init__(self, raw: Any) -> None:
        self._raw = raw  # SQLAlchemy's pooled connection, detached: closed by us, not the pool
        self._conn = raw.driver_connection
        raw.detach()
        self._conn.rollback()  # out of any transaction the pool's check left open
        self._conn.autocommit = True
        self._conn.execute(f"LISTEN {NOTIFY_CHANNEL}")

    @classmethod
    def open(cls, engine: Any) -> _Listener | None:
        if engine.dialect.name != "postgresql":
            return None
        try:
            raw = engine.raw_connection()
            try:
                return cls(raw)
            except BaseException:
                raw.close()
                raise
        except Exception as exc:  # the database is away: poll until it is back
            log.info("webhook loop polls (no LISTEN connection): %s", type(exc).__name__)
            return None

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        """Block until a notification, ``seconds`` or ``stop``; True when notified."""
        deadline = time.monotonic() + seconds
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            # slices of at most a second: stop() is seen soon; an idle wake-up costs no query
            if any(True for _ in self._conn.notifies(timeout=min(left, 1.0), stop_after=1)):
                for _ in self._conn.notifies(timeout=0):  # the rest of a burst: one round for all
                    pass
                return True
        return False

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._raw.close()


class WebhookDispatcher:
    """The delivery loop, a daemon thread of the API process and of each queue worker.

    On PostgreSQL it LISTENs for new deliveries and, while the outbox is idle, waits ever longer
    between polls (``poll_seconds`` doubled up to ``idle_seconds``), never past the next retry
    that is due: a new event is sent at once, and an idle deployment does not query the outbox
    every second in every process. Without LISTEN (SQLite, or the connection lost) it polls
    every ``poll_seconds``.
    """

    def __init__(
        self,
        ctx: Services,
        *,
        retry_seconds: float,
        max_attempts: int,
        poll_seconds: float = 1.0,
        idle_seconds: float = 60.0,
    ) -> None:
        self.ctx = ctx
        self.retry_seconds = retry_seconds
        self.max_attempts = max_attempts
        self.poll_seconds = poll_seconds
        self.idle_seconds = max(idle_seconds, poll_seconds)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sohoa-webhooks", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        listener = _Listener.open(self.ctx.engine)  # before the first poll: no event slips between
        retry_listen_at = time.monotonic() + self.idle_seconds
        wait = self.poll_seconds
        try:
            with httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False) as client:
                while not self._stop.is_set():
                    try:
                        sent = deliver_due(
                            self.ctx, client, retry_seconds=self.retry_seconds, max_attempts=self.max_attempts
                        )
                    except Exception as exc:  # a database hiccup must not end the loop
                        log.warning("webhook loop: %s", type(exc).__name__)
                        sent = -1
                    if sent > 0:
                        wait = self.poll_seconds
                        continue
                    if listener is None:
                        if sent == 0 and time.monotonic() >= retry_listen_at:
                            listener = _Listener.open(self.ctx.engine)
                            retry_listen_at = time.monotonic() + self.idle_seconds
                        if listener is None:
                            self._stop.wait(self.poll_seconds)
                            continue
                    timeout = wait
                    try:
                        due = next_due(self.ctx) if sent == 0 else None
                    except Exception:
                        due = None
                    if due is not None:
                        timeout = min(timeout, max((due - datetime.now(UTC)).total_seconds(), 0.0))
                    try:
                        woke = listener.wait(timeout, self._stop)
                    except Exception as exc:  # the connection went away: poll, listen again later
                        log.warning("webhook loop stops listening: %s", type(exc).__name__)
                        listener.close()
                        listener = None
                        wait = self.poll_seconds
                        continue
                    wait = self.poll_seconds if woke else min(wait * 2, self.idle_seconds)
        finally:
            if listener is not None:
                listener.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=TIMEOUT + 5)
            self._thread = None
