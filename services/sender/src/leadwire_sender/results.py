"""Committing a delivery's outcome with its event (and the next follow-up) in one
transaction: `email.sent` or `email.send_failed` through the outbox."""

from __future__ import annotations

import logging
from datetime import datetime, time
from typing import Any

from leadwire.events import EmailSendFailed, EmailSent, new_event
from leadwire.outbox import add_event
from leadwire_sender import metrics
from leadwire_sender.context import SenderContext
from leadwire_sender.domain.outbound import Outbound, snippet
from leadwire_sender.domain.schedule import BusinessCalendar, follow_up_due
from leadwire_sender.providers.base import SentMessage
from leadwire_sender.store import Conn
from leadwire_sender.store import directory as directory_store
from leadwire_sender.store import follow_ups as follow_up_store
from leadwire_sender.store import outbound as outbound_store

log = logging.getLogger(__name__)


async def record_sent(ctx: SenderContext, out: Outbound, provider: str, sent: SentMessage) -> None:
    now = ctx.clock()
    async with ctx.pool.acquire() as conn, conn.transaction():
        if not await outbound_store.mark_sent(conn, out.id, sent.message_id, sent.thread_id, now):
            log.info("outbound %s already finished elsewhere", out.id)
            return
        event = EmailSent(
            outbound_id=out.id,
            draft_id=out.draft_id,
            lead_id=out.lead_id,
            mailbox_id=out.mailbox_id,
            provider=provider,
            provider_message_id=sent.message_id,
            provider_thread_id=sent.thread_id,
            rfc_message_id=out.rfc_message_id,
            to_address=out.to[0].address if out.to else "",
            subject=out.subject,
            sent_at=now,
            kind=out.kind,
            cc=[r.address for r in out.cc],
            in_reply_to=out.in_reply_to,
            snippet=snippet(out.body_text),
        )
        await add_event(
            conn, new_event(event, client_id=out.client_id, correlation_id=out.correlation_id)
        )
        await _schedule_next_follow_up(ctx, conn, out, now)
    metrics.SEND_OUTCOMES.labels("sent").inc()
    log.info("outbound %s sent as %s", out.id, sent.message_id)


async def record_failed(ctx: SenderContext, out: Outbound, error_code: str, detail: str) -> None:
    async with ctx.pool.acquire() as conn, conn.transaction():
        if not await outbound_store.mark_failed(conn, out.id, error_code, detail):
            return
        event = EmailSendFailed(
            outbound_id=out.id,
            draft_id=out.draft_id,
            lead_id=out.lead_id,
            mailbox_id=out.mailbox_id,
            kind=out.kind,
            error_code=error_code,
            error_message=detail[:500],
            permanent=True,
            attempts=max(1, out.attempts),
        )
        await add_event(
            conn, new_event(event, client_id=out.client_id, correlation_id=out.correlation_id)
        )
    metrics.SEND_OUTCOMES.labels("failed").inc()
    log.warning("outbound %s failed: %s", out.id, error_code)


async def _schedule_next_follow_up(
    ctx: SenderContext, conn: Conn, out: Outbound, now: datetime
) -> None:
    """After a reply (or a follow-up) to a lead, the client's sequence says what comes next."""
    if out.lead_id is None or out.kind not in ("reply", "follow_up"):
        return
    if await directory_store.lead_block_reason(conn, out.lead_id) is not None:
        return
    client = await directory_store.get_client(conn, out.client_id)
    sequence = client.follow_up if client is not None else {}
    if not sequence.get("enabled"):
        return
    step = 0 if out.kind == "reply" else (out.follow_up_step or 0) + 1
    delays = tuple(int(d) for d in sequence.get("delays_business_days") or ())
    due = follow_up_due(now, step, delays, calendar_of(client.business_hours if client else None))
    if due is None:
        await follow_up_store.finish(conn, out.lead_id, "done", "sequence complete")
        return
    await follow_up_store.schedule(
        conn, follow_up_store.FollowUpRow(out.lead_id, out.client_id, out.id, step, due)
    )


def calendar_of(business_hours: dict[str, Any] | None) -> BusinessCalendar:
    if not business_hours:
        return BusinessCalendar()
    return BusinessCalendar(
        timezone=business_hours.get("timezone", "UTC"),
        days=tuple(business_hours.get("days") or ("mon", "tue", "wed", "thu", "fri")),
        start=time.fromisoformat(business_hours.get("start", "00:00")),
        end=time.fromisoformat(business_hours.get("end", "23:59:59")),
    )
