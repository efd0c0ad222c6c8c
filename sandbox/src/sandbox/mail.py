"""Build and read RFC 5322 messages, shared by the Gmail and Graph fakes.

Inbound mail reaches the control API either as structured fields or as raw
RFC 822 bytes (base64 in JSON); both become a stdlib EmailMessage.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from typing import Any

from sandbox.mail_bounce import build_bounce

CRLF = policy.default.clone(linesep="\r\n")  # SMTP line ends

__all__ = [
    "MailInputError",
    "attachments",
    "build_bounce",
    "build_message",
    "from_raw",
    "header_list",
    "html_body",
    "inbound_from_fields",
    "message_from_fields",
    "new_message_id",
    "text_body",
]

_STRUCTURED_KEYS = {
    "from",
    "from_name",
    "to",
    "subject",
    "text",
    "html",
    "cc",
    "bcc",
    "reply_to",
    "message_id",
    "in_reply_to",
    "references",
    "date",
    "headers",
    "attachments",
    "auto_submitted",
    "precedence",
    "auto_reply",
    "bounce",
}


class MailInputError(ValueError):
    """The caller's message fields make no valid email."""


def new_message_id(domain: str = "sandbox.local") -> str:
    return make_msgid(domain=domain)


def _addresses(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _set_from(msg: EmailMessage, sender: str, name: str | None) -> None:
    if name:
        user, _, domain = sender.partition("@")
        msg["From"] = Address(display_name=name, username=user, domain=domain)
    else:
        msg["From"] = sender


def _decode_b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_")
    except (binascii.Error, ValueError) as exc:
        raise MailInputError(f"{what} is not valid base64") from exc


def build_message(fields: dict[str, Any], default_to: str | None = None) -> EmailMessage:
    """An EmailMessage from structured fields (see sandbox/README.md for the list)."""
    unknown = set(fields) - _STRUCTURED_KEYS
    if unknown:
        raise MailInputError(f"unknown message fields: {sorted(unknown)}")
    sender = fields.get("from")
    if not sender or "@" not in parseaddr(sender)[1]:
        raise MailInputError("'from' must be an email address")
    if fields.get("bounce"):
        return build_bounce(fields, default_to)
    to = _addresses(fields.get("to")) or _addresses(default_to)
    if not to:
        raise MailInputError("'to' is required")
    msg = EmailMessage()
    _set_from(msg, sender, fields.get("from_name"))
    msg["To"] = ", ".join(to)
    if fields.get("cc"):
        msg["Cc"] = ", ".join(_addresses(fields["cc"]))
    if fields.get("reply_to"):
        msg["Reply-To"] = fields["reply_to"]
    msg["Subject"] = fields.get("subject", "")
    msg["Date"] = fields.get("date") or format_datetime(datetime.now(UTC))
    msg["Message-ID"] = fields.get("message_id") or new_message_id()
    if fields.get("in_reply_to"):
        msg["In-Reply-To"] = fields["in_reply_to"]
    if fields.get("references"):
        refs = fields["references"]
        msg["References"] = refs if isinstance(refs, str) else " ".join(refs)
    if fields.get("auto_reply"):
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Autoreply"] = "yes"
    elif fields.get("auto_submitted"):
        msg["Auto-Submitted"] = fields["auto_submitted"]
    if fields.get("precedence"):
        msg["Precedence"] = fields["precedence"]
    for name, value in (fields.get("headers") or {}).items():
        msg[name] = value
    _set_bodies(msg, fields.get("text"), fields.get("html"))
    for att in fields.get("attachments") or []:
        _attach(msg, att)
    return msg


def _set_bodies(msg: EmailMessage, text: str | None, html: str | None) -> None:
    if text is None and html is None:
        text = ""
    if text is not None:
        msg.set_content(text)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    else:
        msg.set_content(html, subtype="html")


def _attach(msg: EmailMessage, att: dict[str, Any]) -> None:
    try:
        filename = att["filename"]
        ctype = att.get("content_type", "application/octet-stream")
        data = _decode_b64(att["content_base64"], f"attachment {filename!r}")
    except KeyError as exc:
        raise MailInputError(f"attachment needs {exc.args[0]!r}") from exc
    maintype, _, subtype = ctype.partition("/")
    msg.add_attachment(
        data, maintype=maintype, subtype=subtype or "octet-stream", filename=filename
    )


def from_raw(raw: bytes | str) -> EmailMessage:
    """Parse RFC 822 bytes (or base64/base64url text of them), however messy.

    A message with no header section parses as a body with no headers, as an
    MTA would take it (Gmail files such mail too; see sandbox/README.md)."""
    data = _decode_b64(raw, "raw") if isinstance(raw, str) else raw
    if not data.strip():
        raise MailInputError("raw message is empty")
    parsed = message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def inbound_from_fields(
    body: dict[str, Any], default_to: str | None = None
) -> tuple[EmailMessage, bytes]:
    """The control API's inbound body as (parsed message, the bytes as received).

    Raw input is kept byte for byte (providers serve it back unchanged); structured
    fields are serialised once, with CRLF line ends as SMTP delivers them."""
    if "raw_base64" in body:
        raw = body["raw_base64"]
        if not isinstance(raw, str):
            raise MailInputError("raw_base64 must be a string")
        data = _decode_b64(raw, "raw")
        return from_raw(data), data
    message = build_message(body, default_to)
    return message, message.as_bytes(policy=CRLF)


def message_from_fields(body: dict[str, Any], default_to: str | None = None) -> EmailMessage:
    """The control API's inbound body: {"raw_base64": ...} or structured fields."""
    return inbound_from_fields(body, default_to)[0]


def header_list(msg: EmailMessage) -> list[dict[str, str]]:
    """Headers in order as {name, value} with encoded words decoded."""
    return [{"name": k, "value": str(v)} for k, v in msg.items()]


def _body_of_type(msg: EmailMessage, subtype: str) -> str | None:
    part = msg.get_body(preferencelist=(subtype,))
    if part is None:
        return None
    content = part.get_content()
    return content if isinstance(content, str) else content.decode("utf-8", "replace")


def text_body(msg: EmailMessage) -> str | None:
    return _body_of_type(msg, "plain")


def html_body(msg: EmailMessage) -> str | None:
    return _body_of_type(msg, "html")


def attachments(msg: EmailMessage) -> list[dict[str, Any]]:
    out = []
    for part in msg.iter_attachments():
        payload = part.get_payload(decode=True) or b""
        out.append(
            {
                "filename": part.get_filename() or "",
                "content_type": part.get_content_type(),
                "size": len(payload),
                "content": payload,
            }
        )
    return out


def recipients(msg: EmailMessage) -> list[str]:
    """Every address in To/Cc/Bcc (lower-cased)."""
    fields = msg.get_all("To", []) + msg.get_all("Cc", []) + msg.get_all("Bcc", [])
    return [addr.lower() for _, addr in getaddresses([str(f) for f in fields]) if addr]


def build_reply(
    original: EmailMessage, sender: str, text: str | None, html: str | None = None
) -> EmailMessage:
    """A reply as a person's mail client writes one: Re: subject, In-Reply-To, References."""
    subject = str(original.get("Subject", ""))
    if not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    original_id = str(original.get("Message-ID", "")).strip()
    references = " ".join(f"{original.get('References', '')} {original_id}".split())
    to = str(original.get("Reply-To") or original.get("From") or "")
    if "@" not in to:
        raise MailInputError("the message has no From or Reply-To address to reply to")
    fields: dict[str, Any] = {"from": sender, "to": to, "subject": subject, "text": text}
    if html is not None:
        fields["html"] = html
    if original_id:
        fields["in_reply_to"], fields["references"] = original_id, references
    return build_message(fields)
