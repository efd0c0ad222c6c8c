"""Consumers: parse the event, call one use case. Three queues: drafts to send, leads to
stop writing to, and the directory (clients, mailboxes)."""

from __future__ import annotations

import logging

from leadwire.consuming import Consumed, Permanent
from leadwire.events import (
    ClientChanged,
    DraftApproved,
    DraftCreated,
    EmailBounced,
    EmailSentByPerson,
    LeadReplied,
    MailboxConnected,
    MailboxDisconnected,
    MailboxRevoked,
)
from leadwire.runtime import ServiceRuntime
from leadwire_sender import intake
from leadwire_sender.context import SenderContext
from leadwire_sender.dispatch import ImmediateSender
from leadwire_sender.domain.drafts import UnanswerableDraftError
from leadwire_sender.store import outbound as outbound_store

log = logging.getLogger(__name__)

_STOP_REASONS = {
    LeadReplied: "lead_replied",
    EmailSentByPerson: "answered_by_person",
    EmailBounced: "bounced",
}


def register(runtime: ServiceRuntime, ctx: SenderContext, immediate: ImmediateSender) -> None:
    _register_drafts(runtime, ctx, immediate)
    _register_leads(runtime)
    _register_directory(runtime)


def _register_drafts(
    runtime: ServiceRuntime, ctx: SenderContext, immediate: ImmediateSender
) -> None:
    # Outside a transaction: the send is kicked off only once the outbound row is committed.
    @runtime.consumer("drafts", DraftCreated, DraftApproved, transaction=False)
    async def send_draft(event: Consumed[DraftCreated | DraftApproved]) -> None:
        draft, client_id = event.payload, event.client_id
        if client_id is None:
            raise Permanent(f"{event.envelope.type} without client_id")
        async with event.transaction() as conn:
            if isinstance(draft, DraftCreated) and not _auto_send(draft):
                await intake.hold_draft(conn, draft, client_id)
                return
            try:
                outbound_id = await intake.accept_draft(
                    ctx, conn, intake.draft_to_send(draft),
                    client_id=client_id, correlation_id=event.correlation_id,
                )  # fmt: skip
            except UnanswerableDraftError as exc:
                raise Permanent(str(exc)) from None
        if outbound_id is not None:
            immediate.kick(outbound_id)  # committed: the consumer need not wait for Gmail


def _register_leads(runtime: ServiceRuntime) -> None:
    @runtime.consumer("leads", LeadReplied, EmailSentByPerson, EmailBounced)
    async def stop_lead(event: Consumed[LeadReplied | EmailSentByPerson | EmailBounced]) -> None:
        payload = event.payload
        lead_id = payload.lead_id
        if (
            lead_id is None
            and isinstance(payload, EmailBounced)
            and payload.original_rfc_message_id
        ):
            lead_id = await outbound_store.lead_of_message(
                event.conn, payload.original_rfc_message_id
            )
        if lead_id is None:
            log.info("%s names no lead we wrote to: nothing to stop", event.envelope.type)
            return
        await intake.stop_lead(event.conn, lead_id, _STOP_REASONS[type(payload)])


def _register_directory(runtime: ServiceRuntime) -> None:
    @runtime.consumer(
        "directory", ClientChanged, MailboxConnected, MailboxDisconnected, MailboxRevoked
    )
    async def track_directory(
        event: Consumed[ClientChanged | MailboxConnected | MailboxDisconnected | MailboxRevoked],
    ) -> None:
        if isinstance(event.payload, ClientChanged):
            await intake.apply_client(event.conn, event.payload)
        else:
            await intake.apply_mailbox(event.conn, event.payload)


def _auto_send(draft: DraftCreated) -> bool:
    """The drafter decides; a draft its own guard did not pass is never sent unseen."""
    if draft.auto_send and draft.guard_verdict != "pass":
        log.warning(
            "draft %s is auto_send with verdict %s: held", draft.draft_id, draft.guard_verdict
        )
        return False
    return draft.auto_send
