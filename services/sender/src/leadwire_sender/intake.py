"""Use cases for what other services tell the sender: drafts to send, leads to stop
writing to, mailboxes and clients. Each runs inside the caller's transaction."""

from __future__ import annotations

import logging
from uuid import UUID

from leadwire.contracts.clients import ClientChanged
from leadwire.contracts.drafts import DraftApproved, DraftCreated
from leadwire.contracts.mailboxes import MailboxConnected, MailboxDisconnected, MailboxRevoked
from leadwire_sender.context import SenderContext
from leadwire_sender.domain.drafts import DraftToSend, Sender, outbound_for_draft
from leadwire_sender.store import Conn, NotFoundError
from leadwire_sender.store import content as content_store
from leadwire_sender.store import directory as directory_store
from leadwire_sender.store import follow_ups as follow_up_store
from leadwire_sender.store import outbound as outbound_store

log = logging.getLogger(__name__)


class NoMailboxError(LookupError):
    """Neither the draft nor the client names a mailbox to send from."""


def draft_to_send(draft: DraftCreated | DraftApproved) -> DraftToSend:
    return DraftToSend(
        draft_id=draft.draft_id,
        lead_id=draft.lead_id,
        subject=draft.subject,
        body_text=draft.body_text,
        body_html=draft.body_html,
        reply_to=draft.reply_to,
        send_after=draft.send_after,
        mailbox_id=draft.mailbox_id,
    )


async def accept_draft(
    ctx: SenderContext,
    conn: Conn,
    draft: DraftToSend,
    *,
    client_id: UUID,
    correlation_id: UUID | None,
) -> UUID | None:
    """Create the one outbound for this draft; None if it exists already (a duplicate)."""
    sender = await sender_for(conn, client_id, draft.mailbox_id)
    blocked = await directory_store.lead_block_reason(conn, draft.lead_id)
    out = outbound_for_draft(
        draft,
        sender,
        client_id=client_id,
        correlation_id=correlation_id,
        now=ctx.clock(),
        blocked_reason=blocked,
    )
    await content_store.forget_pending_draft(conn, draft.draft_id)
    if not await outbound_store.insert(conn, out):
        log.info("draft %s already has an outbound message", draft.draft_id)
        return None
    return None if blocked else out.id


async def hold_draft(conn: Conn, draft: DraftCreated, client_id: UUID) -> None:
    """A draft waiting for approval: a bulk job may send it; a newer draft replaces it."""
    if draft.supersedes is not None:
        await content_store.forget_pending_draft(conn, draft.supersedes)
        await outbound_store.cancel_queued_for_draft(conn, draft.supersedes, "superseded")
    await content_store.save_pending_draft(
        conn, draft.draft_id, client_id, draft.lead_id, draft.model_dump(mode="json")
    )


async def stop_lead(conn: Conn, lead_id: UUID, reason: str) -> int:
    """Nothing automatic goes to this lead any more: queued sends and follow-ups stop."""
    await directory_store.block_lead(conn, lead_id, reason)
    await follow_up_store.cancel(conn, lead_id, reason)
    cancelled = await outbound_store.cancel_queued_for_lead(conn, lead_id, reason)
    log.info("lead %s stopped (%s): %d queued messages cancelled", lead_id, reason, cancelled)
    return cancelled


async def apply_client(conn: Conn, client: ClientChanged) -> None:
    row = directory_store.ClientRow(
        client_id=client.client_id,
        revision=client.revision,
        primary_mailbox_id=client.primary_mailbox_id,
        follow_up=client.follow_up.model_dump(mode="json"),
        business_hours=client.business_hours.model_dump(mode="json")
        if client.business_hours
        else None,
        deleted=client.deleted,
    )
    if not await directory_store.upsert_client(conn, row):
        log.info(
            "client %s revision %d is older than ours: ignored", client.client_id, client.revision
        )


async def sender_for(conn: Conn, client_id: UUID, mailbox_id: UUID | None) -> Sender:
    if mailbox_id is None:
        client = await directory_store.get_client(conn, client_id)
        mailbox_id = client.primary_mailbox_id if client else None
        mailbox_id = mailbox_id or await directory_store.first_connected_mailbox(conn, client_id)
    if mailbox_id is None:
        raise NoMailboxError(f"client {client_id} has no mailbox to send from")
    try:
        mailbox = await directory_store.get_mailbox(conn, mailbox_id)
    except NotFoundError:  # mailbox.connected not seen yet: the token RPC knows the address
        return Sender(mailbox_id, "", "")
    return Sender(mailbox_id, mailbox.address, mailbox.display_name)


MailboxEvent = MailboxConnected | MailboxDisconnected | MailboxRevoked


async def apply_mailbox(conn: Conn, event: MailboxEvent) -> None:
    """Remember provider, address and display name; a gone mailbox's sends then fail when
    its token is refused (with the reason), never silently."""
    status = {
        MailboxConnected: "connected",
        MailboxDisconnected: "disconnected",
        MailboxRevoked: "revoked",
    }[type(event)]
    display_name = event.display_name if isinstance(event, MailboxConnected) else ""
    await directory_store.upsert_mailbox(
        conn,
        directory_store.MailboxRow(
            event.mailbox_id, event.client_id, event.provider, event.address, display_name, status
        ),
    )
