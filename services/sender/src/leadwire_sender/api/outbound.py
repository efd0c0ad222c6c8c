"""GET /admin/outbound/{id} and GET /admin/outbound: the history of what was sent."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from leadwire_sender.api.deps import AdminDep, ContextDep, not_found
from leadwire_sender.domain.outbound import Outbound, snippet
from leadwire_sender.store import NotFoundError
from leadwire_sender.store import outbound as outbound_store

router = APIRouter(prefix="/admin/outbound", tags=["outbound"])

Status = Literal["queued", "sending", "sent", "failed", "cancelled"]


class PersonOut(BaseModel):
    address: str
    name: str


class OutboundOut(BaseModel):
    id: UUID
    client_id: UUID
    mailbox_id: UUID | None
    kind: str
    status: str
    draft_id: UUID | None
    lead_id: UUID | None
    job_id: UUID | None
    to: list[PersonOut]
    cc: list[PersonOut]
    subject: str
    snippet: str
    rfc_message_id: str
    in_reply_to: str | None
    provider_message_id: str | None
    provider_thread_id: str | None
    attempts: int
    error_code: str | None
    last_error: str | None
    due_at: datetime
    sent_at: datetime | None
    created_at: datetime | None
    created_by: str

    @classmethod
    def of(cls, out: Outbound) -> OutboundOut:
        return cls(
            id=out.id,
            client_id=out.client_id,
            mailbox_id=out.mailbox_id,
            kind=out.kind,
            status=out.status.value,
            draft_id=out.draft_id,
            lead_id=out.lead_id,
            job_id=out.job_id,
            to=[PersonOut(address=r.address, name=r.name) for r in out.to],
            cc=[PersonOut(address=r.address, name=r.name) for r in out.cc],
            subject=out.subject,
            snippet=snippet(out.body_text),
            rfc_message_id=out.rfc_message_id,
            in_reply_to=out.in_reply_to,
            provider_message_id=out.provider_message_id,
            provider_thread_id=out.provider_thread_id,
            attempts=out.attempts,
            error_code=out.error_code,
            last_error=out.last_error,
            due_at=out.due_at,
            sent_at=out.sent_at,
            created_at=out.created_at,
            created_by=out.created_by,
        )


class OutboundPage(BaseModel):
    items: list[OutboundOut]
    # Pass as `before` for the next (older) page; None on the last page.
    next_before: datetime | None


@router.get("/{outbound_id}")
async def get_outbound(outbound_id: UUID, ctx: ContextDep, _admin: AdminDep) -> OutboundOut:
    try:
        return OutboundOut.of(await outbound_store.get(ctx.pool, outbound_id))
    except NotFoundError as exc:
        raise not_found(exc) from None


@router.get("")
async def list_outbound(
    ctx: ContextDep,
    _admin: AdminDep,
    client_id: UUID | None = None,
    mailbox_id: UUID | None = None,
    status: Status | None = None,
    before: datetime | None = None,
    limit: int = Query(default=50, ge=1, le=500),
) -> OutboundPage:
    rows = await outbound_store.list_recent(
        ctx.pool,
        client_id=client_id,
        mailbox_id=mailbox_id,
        status=status,
        before=before,
        limit=limit,
    )
    last = rows[-1].created_at if len(rows) == limit else None
    return OutboundPage(items=[OutboundOut.of(r) for r in rows], next_before=last)
