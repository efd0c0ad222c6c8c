"""Use case: a lead arrived (or a person asked to regenerate) -> guard, draft, events.

The LLM call happens outside any transaction; the verdict row (also the per-message
dedupe), the draft, the superseding of an older pending draft, the usage and the outbox
rows then commit together.
"""

from __future__ import annotations

import logging
from uuid import UUID, uuid4

from leadwire.events import ClientChanged, EmailReceived, LeadReceived
from leadwire_drafter import store
from leadwire_drafter.context import Cause, DrafterContext, Transaction, emit
from leadwire_drafter.domain.decisions import Conflict, transition
from leadwire_drafter.domain.draft import Draft, draft_created, lead_flagged, new_draft
from leadwire_drafter.domain.guard import GuardResult, judge
from leadwire_drafter.domain.leads import message_key, with_new_message
from leadwire_drafter.store import Conn, UsageDelta
from leadwire_drafter.writing import Written, month_of, write_draft

log = logging.getLogger(__name__)


class ClientUnknown(Exception):
    """No client.changed seen yet for this client: retry later (it may be in flight)."""


class NotRegenerable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def draft_for_lead(
    ctx: DrafterContext, lead: LeadReceived, cause: Cause, transaction: Transaction
) -> Draft | None:
    """The draft made for this lead message, or None (spam, duplicate, deleted client)."""
    key = message_key(lead)
    known = await _what_we_know(ctx, lead, key, cause.client_id)
    if known is None:
        return None
    client, answered = known
    guard = judge(lead, answered_by_person=answered)
    if guard.verdict == "spam":
        await _flag_spam(ctx, lead, key, guard, cause, transaction)
        return None
    written = await write_draft(ctx, lead, client, guard)
    async with transaction() as conn:
        await store.lock_lead(conn, lead.lead_id)
        pending = await store.pending_draft_for_lead(conn, lead.lead_id)
        # Messages of a lead may be drafted out of order: an older one gets no draft once
        # a newer message's draft is waiting (its verdict is still recorded).
        stale = pending is not None and pending.message_received_at > lead.received_at
        draft_id = None if stale else uuid4()
        if not await store.insert_verdict(
            conn, lead_id=lead.lead_id, message_key=key, client_id=client.client_id,
            guard=guard, draft_id=draft_id,
        ):  # fmt: skip
            log.info("lead %s message %s handled meanwhile: duplicate ignored", lead.lead_id, key)
            return None
        if draft_id is None:
            log.info("lead %s message %s: a newer message's draft waits", lead.lead_id, key)
            return None
        previous = await _supersede(conn, pending)
        return await _save(conn, ctx, lead, client, written, draft_id, previous, cause)


async def _what_we_know(
    ctx: DrafterContext, lead: LeadReceived, key: str, client_id: UUID
) -> tuple[ClientChanged, bool] | None:
    """The client and whether a person answered the lead; None: nothing to draft."""
    async with ctx.pool.acquire() as conn:
        client = await store.get_client(conn, client_id)
        if client is None:
            raise ClientUnknown(f"client {client_id} unknown (no client.changed yet)")
        if client.deleted:
            log.info("lead %s ignored: client %s is deleted", lead.lead_id, client_id)
            return None
        if await store.verdict_exists(conn, lead.lead_id, key):
            log.info("lead %s message %s already handled: duplicate ignored", lead.lead_id, key)
            return None
        return client, await store.answered_by_person(conn, lead.lead_id)


async def _flag_spam(
    ctx: DrafterContext,
    lead: LeadReceived,
    key: str,
    guard: GuardResult,
    cause: Cause,
    transaction: Transaction,
) -> None:
    async with transaction() as conn:
        if not await store.insert_verdict(
            conn, lead_id=lead.lead_id, message_key=key, client_id=cause.client_id,
            guard=guard, draft_id=None,
        ):  # fmt: skip
            return
        await store.upsert_lead(conn, cause.client_id, lead)
        month = month_of(ctx.clock().date())
        await store.add_usage(conn, cause.client_id, month, UsageDelta(flagged=1))
        await emit(conn, cause, lead_flagged(lead.lead_id, "spam", guard.reasons(), None))
    log.info("lead %s flagged as spam: %s", lead.lead_id, "; ".join(guard.reasons()))


async def _supersede(conn: Conn, pending: Draft | None) -> UUID | None:
    if pending is None or isinstance(transition(pending.status, "supersede"), Conflict):
        return None
    await store.set_status(conn, pending.id, "superseded")
    log.info("draft %s superseded by a newer draft for its lead", pending.id)
    return pending.id


async def _save(
    conn: Conn,
    ctx: DrafterContext,
    lead: LeadReceived,
    client: ClientChanged,
    written: Written,
    draft_id: UUID,
    supersedes: UUID | None,
    cause: Cause,
) -> Draft:
    draft = new_draft(
        draft_id, client.client_id, lead, written.composed, model=written.model,
        supersedes=supersedes,
    )  # fmt: skip
    await store.insert_draft(conn, draft)
    await store.upsert_lead(conn, client.client_id, lead)
    await store.add_usage(conn, client.client_id, month_of(ctx.clock().date()), written.usage)
    await emit(conn, cause, draft_created(draft))
    if draft.guard_verdict != "pass":
        flagged = lead_flagged(lead.lead_id, draft.guard_verdict, list(draft.reasons), draft.id)
        await emit(conn, cause, flagged)
    return draft


async def lead_wrote_again(
    ctx: DrafterContext, message: EmailReceived, cause: Cause, transaction: Transaction
) -> Draft | None:
    """Another message from the lead before anyone approved our draft: draft again for
    the newest message (the earlier one becomes history) and supersede the pending one."""
    if message.lead_id is None or message.is_auto_reply:
        return None
    async with ctx.pool.acquire() as conn:
        lead = await store.get_lead(conn, message.lead_id)
        pending = await store.has_pending_draft(conn, message.lead_id)
    if lead is None or not pending:
        log.info("email.received for lead %s: no draft awaiting approval", message.lead_id)
        return None
    return await draft_for_lead(ctx, with_new_message(lead, message), cause, transaction)


async def regenerate(
    ctx: DrafterContext, draft_id: UUID, *, instructions: str, requested_by: str
) -> Draft:
    """A new draft for the same lead message, superseding one that awaits approval."""
    async with ctx.pool.acquire() as conn:
        old = await store.get_draft(conn, draft_id)
        if old is None:
            raise LookupError(f"draft {draft_id} not found")
        lead = await store.get_lead(conn, old.lead_id)
        client = await store.get_client(conn, old.client_id)
        answered = await store.answered_by_person(conn, old.lead_id)
    conflict = transition(old.status, "supersede")
    if isinstance(conflict, Conflict):
        raise NotRegenerable(conflict.reason.replace("supersede", "regenerate"))
    if lead is None or client is None:
        raise NotRegenerable("the lead or its client is no longer known to the drafter")
    written = await write_draft(
        ctx, lead, client, judge(lead, answered_by_person=answered),
        extra_instructions=instructions, review_reason=f"regenerated on request by {requested_by}",
    )  # fmt: skip
    cause = Cause(client_id=client.client_id)
    async with ctx.transaction() as conn:
        await store.lock_lead(conn, lead.lead_id)
        pending = await store.pending_draft_for_lead(conn, lead.lead_id)
        if pending is None or pending.id != draft_id:
            raise NotRegenerable("the draft was decided or replaced meanwhile")
        await _supersede(conn, pending)
        return await _save(conn, ctx, lead, client, written, uuid4(), draft_id, cause)
