"""Between RFC 5322 messages and Graph's message resource."""

from __future__ import annotations

import base64
import html
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from sandbox.mail import CRLF, attachments, header_list, html_body, new_message_id, text_body
from sandbox.microsoft.store import GraphMessage, Mailbox, graph_time, new_graph_id, recipient

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(br|/p|/div|/tr|/h\d)\s*/?>", re.IGNORECASE)
_HIDDEN = re.compile(r"<(style|script|head)[^>]*>.*?</\1>", re.IGNORECASE | re.DOTALL)


def html_to_text(markup: str) -> str:
    text = _HIDDEN.sub("", markup)
    text = _BREAK.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    return "\n".join(line.rstrip() for line in text.splitlines()).strip()


def text_to_html(text: str) -> str:
    escaped = html.escape(text).replace("\n", "<br>\r\n")
    return f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>{escaped}</body></html>'


def plain_text(message: GraphMessage) -> str:
    return html_to_text(message.body) if message.body_type == "html" else message.body


def body_preview(message: GraphMessage) -> str:
    return " ".join(plain_text(message).split())[:255]


def _people(msg: EmailMessage, header: str) -> list[dict[str, Any]]:
    values = [str(v) for v in msg.get_all(header, [])]
    return [recipient(addr, name or None) for name, addr in getaddresses(values) if addr]


def _parse_ids(value: str | None) -> list[str]:
    return re.findall(r"<[^<>]+>", value or "")


def _sent_time(msg: EmailMessage) -> datetime | None:
    try:
        moment = parsedate_to_datetime(str(msg["Date"])) if msg["Date"] else None
    except (TypeError, ValueError):
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def from_email(
    mailbox: Mailbox,
    msg: EmailMessage,
    folder: str,
    conversation_id: str,
    is_read: bool,
    raw: bytes | None = None,
) -> GraphMessage:
    """An inbound RFC 5322 message as Exchange stores it."""
    html_part, text_part = html_body(msg), text_body(msg)
    body_type, body = ("html", html_part) if html_part is not None else ("text", text_part or "")
    sender = (_people(msg, "From") or [recipient("unknown@invalid")])[0]
    return GraphMessage(
        id=new_graph_id(),
        folder=folder,
        conversation_id=conversation_id,
        internet_message_id=str(msg["Message-ID"] or new_message_id()).strip(),
        subject=str(msg["Subject"] or ""),
        body_type=body_type,
        body=body,
        sender=(_people(msg, "Sender") or [sender])[0],
        to=_people(msg, "To"),
        cc=_people(msg, "Cc"),
        bcc=_people(msg, "Bcc"),
        reply_to=_people(msg, "Reply-To"),
        sent=_sent_time(msg),
        is_read=is_read,
        headers=header_list(msg),
        attachments=[_attachment(a) for a in attachments(msg)],
        in_reply_to=next(iter(_parse_ids(str(msg["In-Reply-To"] or ""))), None),
        references=_parse_ids(str(msg["References"] or "")),
        from_=sender,
        mime=raw if raw is not None else msg.as_bytes(policy=CRLF),
    )


def _attachment(att: dict[str, Any]) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.fileAttachment",
        "id": new_graph_id(),
        "name": att["filename"],
        "contentType": att["content_type"],
        "size": att["size"],
        "isInline": False,
        "contentBytes": base64.b64encode(att["content"]).decode(),
    }


def sent_headers(mailbox: Mailbox, message: GraphMessage) -> list[dict[str, str]]:
    """The RFC 5322 headers Exchange writes on a message it sends."""

    def addr_list(people: list[dict[str, Any]]) -> str:
        return ", ".join(
            f"{p['emailAddress'].get('name') or ''} <{p['emailAddress']['address']}>".strip()
            for p in people
        )

    headers = [
        {"name": "From", "value": f"{mailbox.display_name} <{mailbox.address}>"},
        {"name": "To", "value": addr_list(message.to)},
        {"name": "Subject", "value": message.subject},
        {
            "name": "Date",
            "value": (message.sent or datetime.now(UTC)).strftime("%a, %d %b %Y %H:%M:%S +0000"),
        },
        {"name": "Message-ID", "value": message.internet_message_id},
    ]
    if message.cc:
        headers.insert(2, {"name": "Cc", "value": addr_list(message.cc)})
    if message.in_reply_to:
        headers.append({"name": "In-Reply-To", "value": message.in_reply_to})
    if message.references:
        headers.append({"name": "References", "value": " ".join(message.references)})
    return headers + [h for h in message.headers if h["name"].lower().startswith("x-")]


def to_graph(
    mailbox: Mailbox,
    message: GraphMessage,
    prefer_text: bool = False,
    select: list[str] | None = None,
) -> dict[str, Any]:
    """The message resource; internetMessageHeaders and uniqueBody only when $select'd."""
    body_type, body = message.body_type, message.body
    if prefer_text and body_type == "html":
        body_type, body = "text", html_to_text(body)
    full: dict[str, Any] = {
        "@odata.etag": f'W/"{message.change_key}"',
        "id": message.id,
        "createdDateTime": graph_time(message.created),
        "lastModifiedDateTime": graph_time(message.modified),
        "changeKey": message.change_key,
        "categories": [],
        "receivedDateTime": graph_time(message.received),
        "sentDateTime": graph_time(message.sent),
        "hasAttachments": bool(message.attachments),
        "internetMessageId": message.internet_message_id,
        "subject": message.subject,
        "bodyPreview": body_preview(message),
        "importance": "normal",
        "parentFolderId": mailbox.folder_ids[message.folder],
        "conversationId": message.conversation_id,
        "conversationIndex": base64.b64encode(message.conversation_id.encode()[:22]).decode(),
        "isDeliveryReceiptRequested": False,
        "isReadReceiptRequested": False,
        "isRead": message.is_read,
        "isDraft": message.is_draft,
        "webLink": f"https://outlook.office365.com/owa/?ItemID={message.id}",
        "inferenceClassification": "focused",
        "body": {"contentType": body_type, "content": body},
        "sender": message.sender,
        "from": message.from_ or message.sender,
        "toRecipients": message.to,
        "ccRecipients": message.cc,
        "bccRecipients": message.bcc,
        "replyTo": message.reply_to,
        "flag": {"flagStatus": "notFlagged"},
    }
    if select is None:
        return full
    wanted = {s.lower() for s in select}
    extra = {
        "internetmessageheaders": ("internetMessageHeaders", message.headers),
        "uniquebody": (
            "uniqueBody",
            {"contentType": body_type, "content": message.unique_body or body},
        ),
        "attachments": ("attachments", message.attachments),
    }
    picked = {k: v for k, v in full.items() if k.lower() in wanted}
    for key, (name, value) in extra.items():
        if key in wanted:
            picked[name] = value
    return {"@odata.etag": full["@odata.etag"], "id": message.id, **picked}


def to_mime(mailbox: Mailbox, message: GraphMessage) -> bytes:
    """The message's MIME ($value): inbound mail as received, sent mail as Exchange wrote it."""
    if message.mime is not None:
        return message.mime
    out = EmailMessage()
    for header in sent_headers(mailbox, message):
        out[header["name"]] = header["value"]
    out.set_content(message.body, subtype="html" if message.body_type == "html" else "plain")
    return out.as_bytes(policy=CRLF)
