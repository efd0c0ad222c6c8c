"""Claiming due outbound messages under each mailbox's send budget.

One transaction locks the due rows (`FOR UPDATE SKIP LOCKED`: replicas never take the same
row) and each mailbox's budget row, grants what the budget allows, postpones the rest, and
commits `sending` before any provider call is made.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import groupby
from uuid import UUID

from leadwire_sender import metrics
from leadwire_sender.context import SenderContext
from leadwire_sender.domain.budget import BudgetPolicy, initial_state, take
from leadwire_sender.domain.outbound import Outbound, OutboundStatus
from leadwire_sender.store import Conn, NotFoundError
from leadwire_sender.store import directory as directory_store
from leadwire_sender.store import outbound as outbound_store

log = logging.getLogger(__name__)

# A mailbox at its concurrency ceiling is tried again this soon.
_CONCURRENCY_RETRY = timedelta(milliseconds=200)


@dataclass(frozen=True)
class Claimed:
    outbound: Outbound
    # `sending` already before this claim: it may be at the provider, look it up first.
    claimed_from: OutboundStatus


async def claim_due(ctx: SenderContext, limit: int) -> list[Claimed]:
    now = ctx.clock()
    async with ctx.pool.acquire() as conn, conn.transaction():
        due = await outbound_store.lock_due(conn, now, limit)
        return await _claim_rows(ctx, conn, due, now)


async def claim_one(ctx: SenderContext, outbound_id: UUID) -> Claimed | None:
    """Claim one message now if it is due, free and within budget (the fast path)."""
    now = ctx.clock()
    async with ctx.pool.acquire() as conn, conn.transaction():
        row = await outbound_store.lock_one_due(conn, outbound_id, now)
        claimed = await _claim_rows(ctx, conn, [row] if row else [], now)
    return claimed[0] if claimed else None


async def _claim_rows(
    ctx: SenderContext, conn: Conn, rows: Sequence[Outbound], now: datetime
) -> list[Claimed]:
    claimed: list[Claimed] = []
    # Budget rows are locked in mailbox order so two replicas cannot deadlock.
    ordered = sorted(rows, key=lambda r: (str(r.mailbox_id), r.due_at))
    for mailbox_id, group in groupby(ordered, key=lambda r: r.mailbox_id):
        claimed += await _claim_for_mailbox(ctx, conn, mailbox_id, list(group), now)
    return claimed


async def _claim_for_mailbox(
    ctx: SenderContext, conn: Conn, mailbox_id: UUID | None, rows: list[Outbound], now: datetime
) -> list[Claimed]:
    if mailbox_id is None:
        for row in rows:
            await outbound_store.mark_failed(conn, row.id, "no_mailbox", "no mailbox to send from")
        return []
    policy = await _policy(ctx, conn, mailbox_id)
    await directory_store.ensure_budget_row(conn, mailbox_id, initial_state(policy, now))
    state = await directory_store.lock_budget(conn, mailbox_id)
    assert state is not None  # ensured just above, in this transaction
    in_flight = await outbound_store.in_flight(conn, mailbox_id, now)
    claimed: list[Claimed] = []
    for row in rows:
        if row.status is OutboundStatus.QUEUED and await _blocked(conn, row):
            continue
        decision = take(policy, state, now, in_flight)
        state = decision.state
        if not decision.granted:
            wait = timedelta(seconds=decision.wait_seconds) or _CONCURRENCY_RETRY
            await outbound_store.postpone(conn, row.id, now + wait)
            metrics.BUDGET_POSTPONED.labels(decision.reason).inc()
            continue
        await outbound_store.claim(conn, row.id, now + timedelta(seconds=ctx.claim_seconds))
        claimed.append(Claimed(_as_claimed(row), row.status))
        in_flight += 1
    await directory_store.save_budget(conn, mailbox_id, state)
    return claimed


async def _policy(ctx: SenderContext, conn: Conn, mailbox_id: UUID) -> BudgetPolicy:
    try:
        mailbox = await directory_store.get_mailbox(conn, mailbox_id)
    except NotFoundError:  # no mailbox.connected seen yet: the stricter Gmail default
        return ctx.budgets.gmail_workspace
    return ctx.budgets.for_mailbox(mailbox.provider, mailbox.address)


async def _blocked(conn: Conn, row: Outbound) -> bool:
    """Automatic mail to a lead that replied or was answered by a person is cancelled."""
    if row.lead_id is None or row.kind not in ("reply", "follow_up"):
        return False
    reason = await directory_store.lead_block_reason(conn, row.lead_id)
    if reason is None:
        return False
    await outbound_store.cancel_queued(conn, row.id, reason)
    metrics.SEND_OUTCOMES.labels("cancelled").inc()
    log.info("outbound %s cancelled: lead %s %s", row.id, row.lead_id, reason)
    return True


def _as_claimed(row: Outbound) -> Outbound:
    return replace(row, status=OutboundStatus.SENDING, attempts=row.attempts + 1)
