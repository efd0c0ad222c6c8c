"""The drafter's consumers: thin, each hands its event to a use case."""

from __future__ import annotations

from typing import Any

from leadwire.consuming import Consumed, Permanent
from leadwire.events import (
    ClientChanged,
    DraftDecided,
    EmailReceived,
    EmailSent,
    EmailSentByPerson,
    LeadReceived,
)
from leadwire.runtime import ServiceRuntime
from leadwire_drafter import clients, deciding, drafting
from leadwire_drafter.context import Cause, DrafterContext


def _cause(event: Consumed[Any]) -> Cause:
    if event.client_id is None:
        raise Permanent(f"{event.envelope.type} without client_id: cannot tell whose it is")
    return Cause(client_id=event.client_id, envelope=event.envelope)


def register(runtime: ServiceRuntime, ctx: DrafterContext) -> None:
    # The LLM call runs outside a transaction; one lead at a time so a newer message's
    # draft supersedes the older one in order (email.received: the lead wrote again).
    @runtime.consumer(
        "leads", LeadReceived, EmailReceived, serialize_by=lambda p: p.lead_id, transaction=False
    )
    async def draft_for_lead(event: Consumed[LeadReceived | EmailReceived]) -> None:
        payload = event.payload
        if isinstance(payload, LeadReceived):
            await drafting.draft_for_lead(ctx, payload, _cause(event), event.transaction)
        else:
            await drafting.lead_wrote_again(ctx, payload, _cause(event), event.transaction)

    @runtime.consumer("clients", ClientChanged, serialize_by=lambda c: c.client_id)
    async def client_changed(event: Consumed[ClientChanged]) -> None:
        await clients.client_changed(event.conn, event.payload)

    @runtime.consumer("decisions", DraftDecided, serialize_by=lambda d: d.draft_id)
    async def draft_decided(event: Consumed[DraftDecided]) -> None:
        await deciding.decided_elsewhere(
            event.conn, event.payload, now=ctx.clock(), cause=_cause(event)
        )

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
