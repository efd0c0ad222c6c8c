"""The scheduled drain: queue due follow-ups, then claim and deliver due messages until
none is left. Safe on every replica at once (claims skip locked rows)."""

from __future__ import annotations

import asyncio
import logging
from uuid import UUID

from leadwire_sender.claiming import Claimed, claim_due, claim_one
from leadwire_sender.context import SenderContext
from leadwire_sender.delivery import deliver
from leadwire_sender.follow_ups import queue_due_follow_ups

log = logging.getLogger(__name__)


async def drain(ctx: SenderContext, max_rounds: int = 50) -> int:
    """One run of the scheduled job; returns how many messages were attempted."""
    await queue_due_follow_ups(ctx)
    attempted = 0
    for _ in range(max_rounds):
        claimed = await claim_due(ctx, ctx.batch_size)
        if not claimed:
            break
        await deliver_all(ctx, claimed)
        attempted += len(claimed)
    return attempted


async def deliver_all(ctx: SenderContext, claimed: list[Claimed]) -> None:
    outcomes = await asyncio.gather(*(deliver(ctx, c) for c in claimed), return_exceptions=True)
    for item, outcome in zip(claimed, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            # Still `sending` with a claim: once the claim lapses it is looked up and resumed.
            log.error("delivering outbound %s crashed: %r", item.outbound.id, outcome)


async def send_now(ctx: SenderContext, outbound_id: UUID) -> bool:
    """Fast path right after a message is queued: send it now if it is due and the budget
    allows; otherwise the drain does it. Never raises (the queued row is safe)."""
    try:
        claimed = await claim_one(ctx, outbound_id)
        if claimed is None:
            return False
        await deliver(ctx, claimed)
    except Exception:
        log.exception("immediate send of %s failed; the scheduled drain will retry", outbound_id)
        return False
    return True


class ImmediateSender:
    """Sends just-queued messages in this replica's background, so a consumer or a route
    returns at once instead of waiting for the provider. What it does not finish (a
    crash, a shutdown) is still in the table, and the drain does it."""

    def __init__(self, ctx: SenderContext, concurrency: int = 32) -> None:
        self._ctx = ctx
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[bool]] = set()

    def kick(self, outbound_id: UUID) -> None:
        task = asyncio.create_task(self._send(outbound_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, outbound_id: UUID) -> bool:
        async with self._slots:
            return await send_now(self._ctx, outbound_id)

    async def close(self, grace: float = 10.0) -> None:
        """Let sends in flight finish (a cancelled one is looked up after its lease)."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in pending:
                task.cancel()
