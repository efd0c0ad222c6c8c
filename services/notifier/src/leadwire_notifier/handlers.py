"""The notifier's consumer: every event a person should hear of, client.changed, and
the drafter's draft.approved / draft.rejected (decisions taken outside Slack).

Thin: the body logs a notification row (queued or skipped) inside the consumer's
transaction and returns; Slack is never called here, so a Slack outage never fails a
consumer. Failures while consuming (database down, a payload that breaks its contract)
take the platform's path: retried with backoff, then parked in the queue's DLQ.
"""

from __future__ import annotations

from leadwire.consuming import Consumed
from leadwire.events import ClientChanged, DraftApproved, DraftRejected, EventPayload
from leadwire.redelivery import Permanent
from leadwire.runtime import ServiceRuntime
from leadwire_notifier.context import NotifierContext
from leadwire_notifier.domain.notices import NOTIFIED_TYPES
from leadwire_notifier.notify import (
    EventInfo,
    apply_client_changed,
    apply_draft_decided_elsewhere,
    record_notice,
)


def register(runtime: ServiceRuntime, ctx: NotifierContext) -> None:
    @runtime.consumer("events", ClientChanged, DraftApproved, DraftRejected, *NOTIFIED_TYPES)
    async def notify_people(event: Consumed[EventPayload]) -> None:
        payload = event.payload
        if isinstance(payload, ClientChanged):
            await apply_client_changed(event.conn, payload)
            ctx.urls.forget(payload.client_id)  # the webhook URL may have changed
            return
        if isinstance(payload, DraftApproved | DraftRejected):
            await apply_draft_decided_elsewhere(event.conn, payload, event.envelope.occurred_at)
            return
        client_id = event.client_id or getattr(payload, "client_id", None)
        if client_id is None:
            raise Permanent(f"{event.envelope.type} names no client: nobody to tell")
        info = EventInfo(
            event.event_id, client_id, event.envelope.occurred_at, event.correlation_id
        )
        await record_notice(event.conn, info, payload, ctx.links)
