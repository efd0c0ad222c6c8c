"""Building drafts that answer a lead the sandbox delivered (test data only)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from leadwire.contracts.leads import ReplyTarget
from leadwire_sender.context import SenderContext
from leadwire_sender.domain.drafts import DraftToSend
from leadwire_sender.intake import accept_draft
from sandbox.testing import RunningSandbox


def lead_writes(sandbox: RunningSandbox, mailbox: str, provider: str, **fields: Any) -> ReplyTarget:
    """Drop a lead's email into the sandbox mailbox; where and how to answer it."""
    mail = {
        "from": "lea@example.org",
        "from_name": "Léa Lefèvre",
        "subject": "Angebot für Köln?",
        "text": "Hello, what does it cost?",
        "message_id": f"<{uuid4().hex}@example.org>",
        **fields,
    }
    ids = sandbox.deliver(mailbox, **mail)
    if provider == "google":
        message_id, thread_id = ids["id"], ids["threadId"]
    else:
        message_id, thread_id = ids["id"], ids.get("conversationId")
    return ReplyTarget(
        to_address=mail["from"],
        to_name=mail["from_name"],
        subject=mail["subject"],
        provider=provider,
        provider_message_id=message_id,
        provider_thread_id=thread_id if provider == "google" else None,
        rfc_message_id=mail["message_id"],
        references=[],
        cc=list(fields.get("cc", [])),
    )


def draft_for(target: ReplyTarget | None, mailbox_id: UUID | None, **overrides: Any) -> DraftToSend:
    fields: dict[str, Any] = {
        "draft_id": uuid4(),
        "lead_id": uuid4(),
        "subject": target.subject if target else "Your request",
        "body_text": "Thanks for writing: it costs 10 €.",
        "body_html": "<p>Thanks for writing: it costs <b>10 €</b>.</p>",
        "reply_to": target,
        "send_after": None,
        "mailbox_id": mailbox_id,
    }
    fields.update(overrides)
    return DraftToSend(**fields)


async def queue(ctx: SenderContext, draft: DraftToSend, client_id: UUID) -> UUID | None:
    async with ctx.pool.acquire() as conn, conn.transaction():
        return await accept_draft(ctx, conn, draft, client_id=client_id, correlation_id=uuid4())
