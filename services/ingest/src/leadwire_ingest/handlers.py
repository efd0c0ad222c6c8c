"""Consumers of the ingest service: each parses nothing and calls one use case."""

from __future__ import annotations

from leadwire.consuming import Consumed
from leadwire.events import (
    ClientChanged,
    DraftApproved,
    DraftCreated,
    DraftRejected,
    EmailBounced,
    EmailSendFailed,
    EmailSent,
    LeadFlagged,
    MailboxConnected,
    MailboxDisconnected,
    MailboxRevoked,
    MailboxSyncRequested,
)
from leadwire.runtime import ServiceRuntime
from leadwire_ingest.client_projection import apply_client_changed
from leadwire_ingest.context import IngestContext
from leadwire_ingest.sync import sync_mailbox
from leadwire_ingest.timeline import TimelineEvent, record_timeline_event
from leadwire_ingest.watching import mailbox_connected, stop_watching

MailboxEvent = MailboxConnected | MailboxDisconnected | MailboxRevoked


def register(runtime: ServiceRuntime, ctx: IngestContext) -> None:
    @runtime.consumer(
        "mailboxes",
        MailboxConnected,
        MailboxDisconnected,
        MailboxRevoked,
        serialize_by=lambda m: m.mailbox_id,
        transaction=False,
    )
    async def track_mailbox(event: Consumed[MailboxEvent]) -> None:
        if isinstance(event.payload, MailboxConnected):
            async with event.transaction() as conn:
                await mailbox_connected(conn, event.payload)
        else:
            await stop_watching(ctx, event.payload.mailbox_id)  # calls the provider
            async with event.transaction():
                pass  # record the event as handled

    @runtime.consumer("clients", ClientChanged, serialize_by=lambda c: c.client_id)
    async def track_client(event: Consumed[ClientChanged]) -> None:
        await apply_client_changed(event.conn, event.payload)

    @runtime.consumer(
        "sync", MailboxSyncRequested, serialize_by=lambda s: s.mailbox_id, transaction=False
    )
    async def sync(event: Consumed[MailboxSyncRequested]) -> None:
        request = event.payload
        await sync_mailbox(ctx, request.mailbox_id, request.reason, request.resource)
        async with event.transaction():
            pass  # record the request as handled: a redelivery is skipped

    @runtime.consumer(
        "timeline",
        DraftCreated,
        DraftApproved,
        DraftRejected,
        EmailSent,
        EmailSendFailed,
        LeadFlagged,
        EmailBounced,
    )
    async def timeline(event: Consumed[TimelineEvent]) -> None:
        await record_timeline_event(
            event.conn, event.payload, event.client_id, event.envelope.occurred_at
        )
