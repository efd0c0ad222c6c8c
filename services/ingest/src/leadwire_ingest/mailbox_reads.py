"""Support staff reading a connected mailbox through ingest (one shape for both
providers), and the mailbox's sync health."""

from __future__ import annotations

from uuid import UUID

from leadwire_ingest.context import IngestContext
from leadwire_ingest.domain.message import ParsedMessage, Unparseable, parse_message
from leadwire_ingest.domain.models import Mailbox, NotFound
from leadwire_ingest.providers.base import MessagePage, MessageRef
from leadwire_ingest.store import mailboxes


async def mailbox(ctx: IngestContext, mailbox_id: UUID) -> Mailbox:
    async with ctx.pool.acquire() as conn:
        return await mailboxes.get(conn, mailbox_id)


async def list_messages(
    ctx: IngestContext, mailbox_id: UUID, q: str, max_results: int, page_token: str | None
) -> MessagePage:
    box = await mailbox(ctx, mailbox_id)
    return await ctx.provider(box.provider).list_messages(box, q, max_results, page_token)


async def read_message(
    ctx: IngestContext, mailbox_id: UUID, message_id: str
) -> tuple[str | None, ParsedMessage | Unparseable]:
    """(thread id, the parsed message) or NotFound."""
    box = await mailbox(ctx, mailbox_id)
    fetched = await ctx.provider(box.provider).fetch(box, MessageRef(message_id))
    if fetched is None:
        raise NotFound(f"no message {message_id} in mailbox {mailbox_id}")
    return fetched.provider_thread_id, parse_message(fetched.raw)
