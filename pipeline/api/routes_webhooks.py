"""Webhook subscriptions (administrators only) and the record of their deliveries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.api.auth import require_role
from pipeline.api.context import ApiContext, get_context
from pipeline.api.paging import Page, Window50, Window100
from pipeline.api.types import RowIdPath, Timestamp
from pipeline.principals import Principal
from pipeline.webhooks import (
    EVENTS,
    SubscriptionView,
    add_subscription,
    list_subscriptions,
    remove_subscription,
)
from storage.db.engine import read_session, run_in_transaction
from storage.db.webhook_models import WebhookDelivery

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

Admin = Annotated[Principal, Depends(require_role("administrator"))]


class SubscriptionRequest(BaseModel):
    url: str = Field(max_length=2000, examples=["https://hethong.example.gov.vn/sohoa-events"])
    events: list[str] = Field(min_length=1, max_length=len(EVENTS), examples=[list(EVENTS)])
    secret_env: str = Field(
        max_length=128,
        description="tên biến môi trường trên máy chủ chứa khóa bí mật chung (không gửi khóa qua API)",
        examples=["SOHOA_WEBHOOK_SECRET_HETHONG"],
    )


class Subscription(BaseModel):
    id: int
    url: str
    events: list[str]
    secret_env: str
    active: bool
    created_by: str
    created_at: Timestamp


class Delivery(BaseModel):
    id: int
    subscription_id: int
    event: str
    event_id: str
    status: str
    attempts: int
    next_attempt_at: Timestamp
    last_status: int | None
    last_error: str | None
    created_at: Timestamp
    delivered_at: Timestamp | None


def _out(view: SubscriptionView) -> Subscription:
    return Subscription.model_validate(view, from_attributes=True)


@router.get("", response_model=Page[Subscription], summary="Các đăng ký webhook (subscriptions)")
def get_subscriptions(
    window: Window100, ctx: Annotated[ApiContext, Depends(get_context)], _admin: Admin
) -> Page[Subscription]:
    # An administrator registers a handful: read whole in the workflow, cut here.
    with read_session(ctx.engine) as session:
        return window.cut([_out(v) for v in list_subscriptions(session)])


@router.post(
    "", status_code=201, response_model=Subscription, summary="Đăng ký webhook (subscribe a URL to events)"
)
def post_subscription(
    body: SubscriptionRequest, ctx: Annotated[ApiContext, Depends(get_context)], admin: Admin
) -> Subscription:
    def work(session: Session) -> SubscriptionView:
        return add_subscription(session, body.url, body.events, body.secret_env, actor=admin.actor)

    return _out(run_in_transaction(ctx.engine, work))


@router.delete("/{subscription_id}", response_model=Subscription, summary="Hủy đăng ký webhook")
def delete_subscription(
    subscription_id: RowIdPath,
    ctx: Annotated[ApiContext, Depends(get_context)],
    admin: Admin,
) -> Subscription:
    return _out(
        run_in_transaction(ctx.engine, lambda s: remove_subscription(s, subscription_id, actor=admin.actor))
    )


@router.get(
    "/deliveries", response_model=Page[Delivery], summary="Lần gửi webhook, mới nhất trước (deliveries)"
)
def get_deliveries(
    window: Window50,
    ctx: Annotated[ApiContext, Depends(get_context)],
    _admin: Admin,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> Page[Delivery]:
    with read_session(ctx.engine) as session:
        query = select(WebhookDelivery)
        if status is not None:
            query = query.where(WebhookDelivery.status == status)
        rows, total = window.rows(session, query.order_by(WebhookDelivery.id.desc()))
        return window.page([Delivery.model_validate(r, from_attributes=True) for r in rows], total=total)
