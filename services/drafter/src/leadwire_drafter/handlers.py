"""The drafter's consumers: thin, each hands its event to a use case."""

from __future__ import annotations

import logging
from typing import Any

from leadwire.consuming import Consumed, Permanent
from leadwire.events import (
    ClientChanged,
    DraftDecided,
    EmailSent,
    EmailSentByPerson,
    LeadReceived,
)
from leadwire.runtime import ServiceRuntime
from leadwire_drafter import clients, deciding, drafting
from leadwire_drafter.context import Cause, DrafterContext

log = logging.getLogger(__name__)


def _cause(event: Consumed[Any]) -> Cause:
    if event.client_id is None:
        raise Permanent(f"{event.envelope.type} without client_id: cannot tell whose it is")
    return Cause(client_id=event.client_id, envelope=event.envelope)


def register(runtime: ServiceRuntime, ctx: DrafterContext) -> None:
    # The LLM call runs outside a transaction; one lead at a time so a newer message's
    # draft supersedes the older one in order.
    @runtime.consumer(
        "leads", LeadReceived, serialize_by=lambda lead: lead.lead_id, transaction=False
    )
    async def draft_for_lead(event: Consumed[LeadReceived]) -> None:
        await drafting.draft_for_lead(ctx, event.payload, _cause(event), event.transaction)

    @runtime.consumer("clients", ClientChanged, serialize_by=lambda c: c.client_id)
    async def client_changed(event: Consumed[ClientChanged]) -> None:
        await clients.client_changed(event.conn, event.payload)

    @runtime.consumer("decisions", DraftDecided, serialize_by=lambda d: d.draft_id)
    async def draft_decided(event: Consumed[DraftDecided]) -> None:
        await _decide(ctx, event)

    @runtime.consumer("outcomes", EmailSent, EmailSentByPerson)
    async def outcome(event: Consumed[EmailSent | EmailSentByPerson]) -> None:
        payload = event.payload
        if isinstance(payload, EmailSent):
            if payload.draft_id is not None:
                await deciding.mark_sent(event.conn, payload.draft_id)
            return
        await deciding.answered_by_person(
            event.conn, payload.lead_id, at=payload.sent_at, now=ctx.clock(), cause=_cause(event)
        )


async def _decide(ctx: DrafterContext, event: Consumed[DraftDecided]) -> None:
    """A Slack click: same state machine as the API; a decided draft is a logged no-op."""
    decided = event.payload
    cause = _cause(event)
    try:
        if decided.decision == "approve":
            approval = deciding.Approval(
                by=decided.decided_by, subject=decided.subject, body_text=decided.body_text
            )
            await deciding.approve(
                event.conn, decided.draft_id, approval, now=ctx.clock(), cause=cause
            )
        else:
            await deciding.reject(
                event.conn, decided.draft_id, by=decided.decided_by, reason=decided.reason,
                now=ctx.clock(), cause=cause,
            )  # fmt: skip
    except deciding.DraftNotFound:
        raise Permanent(f"draft.decided for unknown draft {decided.draft_id}") from None
    except deciding.DecisionConflict as exc:
        log.info(
            "draft.decided (%s by %s) for draft %s is a no-op: %s",
            decided.decision, decided.decided_by, decided.draft_id, exc.conflict.reason,
        )  # fmt: skip
