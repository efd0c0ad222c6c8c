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
    # The LLM call runs outside any transaction and holds no connection (no serialize_by:
    # its session lock would pin one for the whole call, and 20 handlers would starve the
    # pool). One lead at a time per process (an asyncio lock: duplicates cost no second
    # LLM call); across replicas its writers serialise in the final transaction.
    # email.received: the lead wrote again.
    @runtime.consumer("leads", LeadReceived, EmailReceived, transaction=False)
    async def draft_for_lead(event: Consumed[LeadReceived | EmailReceived]) -> None:
        payload = event.payload
        async with ctx.lead_locks.hold(payload.lead_id):
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
