"""/admin/notifications: what was sent, coalesced, failed or skipped, and why; each
client's webhook state; putting failed notices back in their queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from leadwire_notifier.api.deps import AdminDep, ContextDep
from leadwire_notifier.store import clients as client_store
from leadwire_notifier.store import notifications as queue_store

router = APIRouter(prefix="/admin/notifications", tags=["notifications"])

Status = Literal["queued", "sent", "coalesced", "failed", "skipped"]


class NotificationOut(BaseModel):
    id: int
    event_id: UUID
    event_type: str
    client_id: UUID
    lead_id: UUID | None
    draft_id: UUID | None
    status: Status
    reason: str
    headline: str | None = Field(description="The message's first line (mrkdwn).")
    attempts: int
    batch_id: UUID | None = Field(description="The Slack message that carried it.")
    batch_size: int | None = Field(description="Notices in that message (>1: a digest).")
    occurred_at: datetime
    created_at: datetime
    delivered_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page.")


class WebhookOut(BaseModel):
    client_id: UUID
    name: str
    has_slack_webhook: bool | None
    deleted: bool
    broken: bool
    webhook_broken_at: datetime | None
    webhook_broken_reason: str
    queued: int
    next_send_at: datetime


class RequeueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_id: UUID | None = None
    ids: list[int] | None = Field(default=None, max_length=1000)


def _cursor(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "cursor is not one this API returned")
    return int(value)


@router.get("")
async def list_notifications(
    ctx: ContextDep,
    _: AdminDep,
    client_id: UUID | None = None,
    status_: Status | None = Query(None, alias="status"),
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = None,
) -> NotificationPage:
    async with ctx.pool.acquire() as conn:
        rows = await queue_store.list_notifications(
            conn, client_id=client_id, status=status_, before_id=_cursor(cursor), limit=limit
        )
    items = [NotificationOut(**row) for row in rows]
    next_cursor = str(items[-1].id) if len(items) == limit else None
    return NotificationPage(items=items, next_cursor=next_cursor)


@router.get("/webhooks")
async def list_webhooks(
    ctx: ContextDep, _: AdminDep, client_id: UUID | None = None
) -> list[WebhookOut]:
    async with ctx.pool.acquire() as conn:
        rows: list[dict[str, Any]] = await client_store.webhook_states(conn, client_id)
    return [WebhookOut(broken=row["webhook_broken_at"] is not None, **row) for row in rows]


@router.post("/requeue")
async def requeue(body: RequeueIn, ctx: ContextDep, _: AdminDep) -> dict[str, int]:
    """Failed notices back in their queues, oldest first (Slack was down too long)."""
    async with ctx.pool.acquire() as conn, conn.transaction():
        count = await queue_store.requeue_failed(conn, body.client_id, body.ids)
    return {"requeued": count}
