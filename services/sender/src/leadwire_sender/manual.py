"""Manual sends from the admin API: content from the request or a template, optional
in-thread reply, attachments, and Idempotency-Key (same key and body, same outbound)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from leadwire.mailbox_tokens import MailboxTokenError
from leadwire_sender.context import SenderContext
from leadwire_sender.domain.mime import (
    FileAttachment,
    new_message_id,
    reply_references,
    reply_subject,
)
from leadwire_sender.domain.outbound import Outbound, Recipient
from leadwire_sender.domain.templates import (
    RenderedEmail,
    TemplateProblem,
    TemplateSource,
    html_to_text,
    render,
    sanitize_html,
)
from leadwire_sender.providers.base import ProviderCallError, ThreadInfo
from leadwire_sender.store import Conn, NotFoundError
from leadwire_sender.store import content as content_store
from leadwire_sender.store import directory as directory_store
from leadwire_sender.store import outbound as outbound_store


class ManualSendProblem(ValueError):
    """The request cannot be sent as asked; `status` is the HTTP answer."""

    def __init__(self, message: str, status: int = 422, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.missing = missing


@dataclass(frozen=True)
class ManualSend:
    mailbox_id: UUID
    to: tuple[Recipient, ...]
    cc: tuple[Recipient, ...] = ()
    bcc: tuple[Recipient, ...] = ()
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    attachments: tuple[FileAttachment, ...] = ()
    template_id: UUID | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    reply_to_message_id: str | None = None
    send_at: datetime | None = None
    created_by: str = ""


async def queue_manual_send(
    ctx: SenderContext, request: ManualSend, idempotency: tuple[str, str] | None
) -> tuple[UUID, bool]:
    """(outbound id, created?) — a repeated Idempotency-Key returns the first outbound."""
    scope = f"send:{request.mailbox_id}"
    async with ctx.pool.acquire() as conn:
        mailbox = await directory_store.get_mailbox(conn, request.mailbox_id)
        if idempotency is not None:
            earlier = await _earlier(conn, scope, idempotency)
            if earlier is not None:
                return earlier, False
        rendered = await _content(conn, request, mailbox.client_id)
    if mailbox.status != "connected":
        raise ManualSendProblem(f"mailbox {mailbox.address} is {mailbox.status}", status=409)
    thread = await _thread(ctx, request) if request.reply_to_message_id else None
    out = _outbound(
        ctx, request, mailbox.client_id, mailbox.address, mailbox.display_name, rendered, thread
    )
    async with ctx.pool.acquire() as conn, conn.transaction():
        if idempotency is not None and not await directory_store.insert_idempotent(
            conn, scope, idempotency[0], idempotency[1], out.id
        ):
            raise ManualSendProblem("a request with this Idempotency-Key is in progress", 409)
        await outbound_store.insert(conn, out, request.attachments)
    return out.id, True


async def _earlier(conn: Conn, scope: str, idempotency: tuple[str, str]) -> UUID | None:
    found = await directory_store.find_idempotent(conn, scope, idempotency[0])
    if found is None:
        return None
    if found[0] != idempotency[1]:
        raise ManualSendProblem("Idempotency-Key was already used with a different request")
    return found[1]


async def _content(conn: Conn, request: ManualSend, client_id: UUID) -> RenderedEmail:
    if request.template_id is not None:
        try:
            template = await content_store.get_template(conn, request.template_id)
        except NotFoundError:
            raise ManualSendProblem(f"template {request.template_id} not found") from None
        if template.client_id != client_id:
            raise ManualSendProblem("the template belongs to another client")
        source = TemplateSource(
            request.subject or template.subject, template.body_text, template.body_html
        )
        try:
            return render(source, request.variables)
        except TemplateProblem as exc:
            raise ManualSendProblem(str(exc), missing=exc.missing) from None
    if not (request.text or request.html):
        raise ManualSendProblem("give text, html or template_id")
    html = sanitize_html(request.html) if request.html else ""
    return RenderedEmail(request.subject or "", request.text or html_to_text(html), html)


async def _thread(ctx: SenderContext, request: ManualSend) -> ThreadInfo:
    assert request.reply_to_message_id is not None
    try:
        token = await ctx.tokens.get(request.mailbox_id)
        provider = ctx.providers[token.provider]
        return await provider.thread_of(token.token.get_secret_value(), request.reply_to_message_id)
    except MailboxTokenError as exc:
        raise ManualSendProblem(f"the mailbox cannot send: {exc.code}", status=409) from None
    except ProviderCallError as exc:
        if exc.failure.status in (400, 404):
            raise ManualSendProblem(
                "reply_to_message_id is not a message of this mailbox"
            ) from None
        raise ManualSendProblem("the provider did not answer; try again", status=503) from None


def _outbound(
    ctx: SenderContext,
    request: ManualSend,
    client_id: UUID,
    address: str,
    display_name: str,
    rendered: RenderedEmail,
    thread: ThreadInfo | None,
) -> Outbound:
    subject = rendered.subject
    if thread is not None:
        subject = reply_subject(subject or thread.subject)
    if not subject:
        raise ManualSendProblem("subject is required")
    now = ctx.clock()
    return Outbound(
        id=uuid4(),
        client_id=client_id,
        mailbox_id=request.mailbox_id,
        kind="manual",
        rfc_message_id=new_message_id(address),
        sender_name=display_name,
        to=request.to,
        cc=request.cc,
        bcc=request.bcc,
        subject=subject,
        body_text=rendered.text,
        body_html=rendered.html,
        in_reply_to=thread.rfc_message_id if thread else None,
        references=reply_references(thread.references, thread.rfc_message_id) if thread else (),
        reply_thread_id=thread.thread_id if thread else None,
        reply_message_id=thread.message_id if thread else None,
        due_at=max(request.send_at, now) if request.send_at else now,
        created_by=request.created_by,
    )
