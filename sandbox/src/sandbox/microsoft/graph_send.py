"""Graph v1.0 sending routes: sendMail, drafts, createReply + send, reply."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sandbox.mail import new_message_id
from sandbox.microsoft.convert import plain_text, to_graph
from sandbox.microsoft.graph_common import (
    SEND,
    WRITE,
    GraphError,
    authenticate,
    bad_request,
    json_body,
    not_found,
    odata_context,
)
from sandbox.microsoft.graph_messages import apply_patch
from sandbox.microsoft.store import GraphMessage, Mailbox, MicrosoftStore, new_graph_id, recipient

_MAIL_DOMAIN = "sandbox.outlook.com"


def _recipients(value: Any, field: str) -> list[dict[str, Any]]:
    people = []
    for item in value or []:
        address = ((item or {}).get("emailAddress") or {}).get("address")
        if not address or "@" not in address:
            raise bad_request(
                f"At least one recipient isn't valid ({field}).", "ErrorInvalidRecipients"
            )
        people.append(recipient(address, item["emailAddress"].get("name")))
    return people


def _custom_headers(value: Any) -> list[dict[str, str]]:
    headers = []
    for item in value or []:
        name = str((item or {}).get("name", ""))
        if not name.lower().startswith("x-"):
            raise bad_request(
                f"The internet message header name '{name}' should start with 'x-' or 'X-'.",
                "InvalidInternetMessageHeader",
            )
        headers.append({"name": name, "value": str(item.get("value", ""))})
    return headers


def _new_draft(mailbox: Mailbox, spec: dict[str, Any], conversation_id: str | None) -> GraphMessage:
    body = spec.get("body") or {}
    me = recipient(mailbox.address, mailbox.display_name)
    return GraphMessage(
        id=new_graph_id(),
        folder="drafts",
        conversation_id=conversation_id or new_graph_id(),
        internet_message_id=new_message_id(_MAIL_DOMAIN),
        subject=str(spec.get("subject", "")),
        body_type=str(body.get("contentType", "text")).lower(),
        body=str(body.get("content", "")),
        sender=me,
        from_=me,
        to=_recipients(spec.get("toRecipients"), "toRecipients"),
        cc=_recipients(spec.get("ccRecipients"), "ccRecipients"),
        bcc=_recipients(spec.get("bccRecipients"), "bccRecipients"),
        reply_to=_recipients(spec.get("replyTo"), "replyTo"),
        is_read=True,
        is_draft=True,
        headers=_custom_headers(spec.get("internetMessageHeaders")),
    )


def reply_draft(
    mailbox: Mailbox, original: GraphMessage, comment: str, overrides: dict[str, Any]
) -> GraphMessage:
    """A reply in the original's conversation, quoting it, as Outlook builds one."""
    subject = original.subject
    if not subject.lower().startswith(("re:", "aw:")):
        subject = f"RE: {subject}"
    draft = _new_draft(mailbox, {"subject": subject}, original.conversation_id)
    draft.to = list(original.reply_to or [original.from_ or original.sender])
    quoted = html.escape(plain_text(original)).replace("\n", "<br>")
    draft.body_type = "html"
    draft.body = (
        f"<html><body><div>{html.escape(comment)}</div><hr>"
        f"<div><b>From:</b> {html.escape(_who(original))}<br>"
        f"<b>Subject:</b> {html.escape(original.subject)}<br><br>{quoted}</div>"
        "</body></html>"
    )
    draft.unique_body = comment
    draft.in_reply_to = original.internet_message_id
    draft.references = [*original.references, original.internet_message_id][-20:]
    if overrides:
        patch = {k: v for k, v in overrides.items() if k != "internetMessageHeaders"}
        apply_patch(draft, patch)
        if "body" in patch:
            draft.unique_body = None
        draft.headers += _custom_headers(overrides.get("internetMessageHeaders"))
    return draft


def _who(message: GraphMessage) -> str:
    person = (message.from_ or message.sender)["emailAddress"]
    return f"{person.get('name') or ''} <{person['address']}>"


def graph_send_router(
    store: MicrosoftStore, on_sent: Callable[[Mailbox, GraphMessage], None] | None = None
) -> APIRouter:
    router = APIRouter(prefix="/v1.0", tags=["microsoft-graph"])

    def send(mailbox: Mailbox, draft: GraphMessage, save: bool = True) -> None:
        if not draft.to and not draft.cc and not draft.bcc:
            raise bad_request(
                "At least one recipient isn't valid., A message can't be sent "
                "because it contains no recipients.",
                "ErrorInvalidRecipients",
            )
        draft.is_draft, draft.sent = False, datetime.now(UTC)
        draft.received = draft.sent
        if draft.id not in mailbox.messages:
            store.add_message(mailbox, draft)
        if save:
            store.move(mailbox, draft, "sentitems")
        else:
            store.delete(mailbox, draft)
        if on_sent is not None:
            on_sent(mailbox, draft)

    def original_of(mailbox: Mailbox, message_id: str) -> GraphMessage:
        message = mailbox.messages.get(message_id)
        if message is None:
            raise not_found()
        return message

    @router.post("/me/sendMail")
    async def send_mail(request: Request) -> Response:
        try:
            who = authenticate(store, request)
            who.require(SEND)
            payload = await json_body(request)
            spec = payload.get("message")
            if not isinstance(spec, dict):
                raise bad_request("Empty Payload. JSON content expected.", "ErrorInvalidRequest")
            draft = _new_draft(who.mailbox, spec, None)
            send(who.mailbox, draft, payload.get("saveToSentItems", True) is not False)
        except GraphError as err:
            return err.response()
        return Response(status_code=202)

    @router.post("/me/messages")
    async def create_draft(request: Request) -> Response:
        try:
            who = authenticate(store, request)
            who.require(WRITE)
            draft = _new_draft(who.mailbox, await json_body(request), None)
        except GraphError as err:
            return err.response()
        store.add_message(who.mailbox, draft)
        return _created(request, who.mailbox, draft)

    @router.post("/me/messages/{message_id}/createReply")
    async def create_reply(message_id: str, request: Request) -> Response:
        try:
            who = authenticate(store, request)
            who.require(WRITE)
            payload = await json_body(request)
            original = original_of(who.mailbox, message_id)
            draft = reply_draft(
                who.mailbox, original, str(payload.get("comment", "")), payload.get("message") or {}
            )
        except GraphError as err:
            return err.response()
        store.add_message(who.mailbox, draft)
        return _created(request, who.mailbox, draft)

    @router.post("/me/messages/{message_id}/reply")
    async def reply(message_id: str, request: Request) -> Response:
        try:
            who = authenticate(store, request)
            who.require(SEND)
            payload = await json_body(request)
            original = original_of(who.mailbox, message_id)
            draft = reply_draft(
                who.mailbox, original, str(payload.get("comment", "")), payload.get("message") or {}
            )
            send(who.mailbox, draft)
        except GraphError as err:
            return err.response()
        return Response(status_code=202)

    @router.post("/me/messages/{message_id}/send")
    async def send_draft(message_id: str, request: Request) -> Response:
        try:
            who = authenticate(store, request)
            who.require(SEND)
            draft = original_of(who.mailbox, message_id)
            if not draft.is_draft:
                raise bad_request("Only draft messages can be sent.", "ErrorInvalidOperation")
            send(who.mailbox, draft)
        except GraphError as err:
            return err.response()
        return Response(status_code=202)

    return router


def _created(request: Request, mailbox: Mailbox, draft: GraphMessage) -> JSONResponse:
    body = to_graph(mailbox, draft)
    context = odata_context(request, "users('me')/messages/$entity")
    return JSONResponse({"@odata.context": context, **body}, status_code=201)
