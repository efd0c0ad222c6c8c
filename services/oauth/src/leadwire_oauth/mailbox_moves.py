"""Moving a mailbox to another client, explicitly, by an admin.

An address belongs to one client at a time, even when its mailbox is disconnected;
connecting it from another client is refused (and the grant it got revoked). A move
hands the mailbox row, and its grant if it is still connected, to the other client:
the old client hears `mailbox.disconnected` (reason `moved`), the new one
`mailbox.connected`, and the old client's primary mailbox is cleared if it was this.
"""

from __future__ import annotations

from uuid import UUID

from leadwire.events import MailboxConnected, MailboxDisconnected, new_event
from leadwire.outbox import add_event
from leadwire_oauth import store
from leadwire_oauth.clients import client_changed
from leadwire_oauth.context import OAuthContext
from leadwire_oauth.domain.models import Mailbox


class MoveRefused(Exception):
    pass


async def move_mailbox(ctx: OAuthContext, mailbox_id: UUID, to_client: UUID) -> Mailbox | None:
    """The moved mailbox; None when there is no such mailbox. MoveRefused for an
    unknown target client or a move onto the mailbox's own client."""
    async with ctx.pool.acquire() as conn, conn.transaction():
        mailbox = await store.get_mailbox(conn, mailbox_id, for_update=True)
        if mailbox is None:
            return None
        if await store.get_client(conn, to_client) is None:
            raise MoveRefused(f"no client {to_client}")
        if mailbox.client_id == to_client:
            raise MoveRefused("the mailbox already belongs to this client")
        await store.move_mailbox(conn, mailbox_id, to_client)
        released = await store.release_primary_mailbox(conn, mailbox.client_id, mailbox_id)
        if released is not None:
            await add_event(conn, new_event(client_changed(released), client_id=released.id))
        if mailbox.status != "disconnected":
            await _announce(conn, mailbox, to_client)
        moved = await store.get_mailbox(conn, mailbox_id)
    return moved


async def _announce(conn: store.Conn, mailbox: Mailbox, to_client: UUID) -> None:
    gone = MailboxDisconnected(
        mailbox_id=mailbox.id,
        client_id=mailbox.client_id,
        provider=mailbox.provider,
        address=mailbox.address,
        reason="moved",
    )
    await add_event(conn, new_event(gone, client_id=mailbox.client_id))
    arrived = MailboxConnected(
        mailbox_id=mailbox.id,
        client_id=to_client,
        provider=mailbox.provider,
        address=mailbox.address,
        display_name=mailbox.display_name,
        scopes=mailbox.scopes,
        reconnected=False,
    )
    await add_event(conn, new_event(arrived, client_id=to_client))
