"""/admin/mailboxes/{id}/messages… and /sync: read a mailbox, see its sync health."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status

from leadwire_ingest import mailbox_reads
from leadwire_ingest.api.deps import AdminDep, ContextDep
from leadwire_ingest.domain.message import Unparseable
from leadwire_ingest.domain.models import NotFound
from leadwire_ingest.providers.base import ProviderError

router = APIRouter(prefix="/admin/mailboxes", tags=["mailboxes"])


def _provider_failure(exc: ProviderError) -> HTTPException:
    if exc.kind == "not_found":
        return HTTPException(status.HTTP_404_NOT_FOUND, "not found at the provider")
    if exc.kind == "rejected" and exc.status is None:
        return HTTPException(status.HTTP_400_BAD_REQUEST, str(exc))
    return HTTPException(status.HTTP_502_BAD_GATEWAY, f"provider: {exc.kind}")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@router.get("/{mailbox_id}/messages")
async def list_messages(
    mailbox_id: UUID,
    ctx: ContextDep,
    _admin: AdminDep,
    q: Annotated[str, Query(max_length=500)] = "",
    max_results: Annotated[int, Query(ge=1, le=100)] = 20,
    page_token: Annotated[str | None, Query(max_length=4000)] = None,
) -> dict[str, Any]:
    try:
        page = await mailbox_reads.list_messages(ctx, mailbox_id, q, max_results, page_token)
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except ProviderError as exc:
        raise _provider_failure(exc) from None
    messages = [{**asdict(m), "date": _iso(m.date)} for m in page.messages]
    return {"messages": messages, "next_page_token": page.next_page_token}


@router.get("/{mailbox_id}/messages/{message_id}")
async def read_message(
    mailbox_id: UUID, message_id: str, ctx: ContextDep, _admin: AdminDep
) -> dict[str, Any]:
    try:
        thread_id, parsed = await mailbox_reads.read_message(ctx, mailbox_id, message_id)
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except ProviderError as exc:
        raise _provider_failure(exc) from None
    if isinstance(parsed, Unparseable):
        return {"id": message_id, "thread_id": thread_id, "unparseable": parsed.reason}
    return {
        "id": message_id,
        "thread_id": thread_id,
        "from_address": parsed.from_address,
        "from_name": parsed.from_name,
        "to": list(parsed.to),
        "cc": list(parsed.cc),
        "subject": parsed.subject,
        "date": _iso(parsed.sent_at),
        "rfc_message_id": parsed.rfc_message_id,
        "text": parsed.text,
        "reply_text": parsed.reply_text,
        "has_html": parsed.has_html,
        "attachments": [asdict(a) for a in parsed.attachments],
        "signals": asdict(parsed.signals),
    }


@router.get("/{mailbox_id}/sync")
async def sync_status(mailbox_id: UUID, ctx: ContextDep, _admin: AdminDep) -> dict[str, Any]:
    try:
        box = await mailbox_reads.mailbox(ctx, mailbox_id)
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    expires = box.watch_expires_at if box.provider == "google" else box.subscription_expires_at
    return {
        "mailbox_id": str(box.mailbox_id),
        "provider": box.provider,
        "address": box.address,
        "status": box.status,
        "watch_expires_at": _iso(expires),
        "subscription_id": box.subscription_id,
        "cursor": box.history_id
        if box.provider == "google"
        else ("delta" if box.delta_link else None),
        "last_push_at": _iso(box.last_push_at),
        "last_poll_at": _iso(box.last_poll_at),
        "last_sync_at": _iso(box.last_sync_at),
        "lag_seconds": box.lag_seconds,
        "last_error": box.last_error,
        "last_error_at": _iso(box.last_error_at),
        "failing_since": _iso(box.failing_since),
        "failure_count": box.failure_count,
        "next_poll_at": _iso(box.next_poll_at),
    }
