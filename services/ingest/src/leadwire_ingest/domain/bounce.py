"""Delivery-status notifications: is this mail a bounce, and of which message.

RFC 3464 reports (`multipart/report; report-type=delivery-status`) are read field by
field; the many non-standard bounces (qmail, old sendmail, Exchange texts) are
recognised by their sender and subject, and the original Message-ID is looked for in
the returned headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage, Message

_BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail delivery", "mail-daemon")
_BOUNCE_SUBJECTS = re.compile(
    r"undeliver|delivery status notification|delivery failure|failure notice|"
    r"returned mail|mail delivery failed|delivery has failed|could not be delivered|"
    r"non[- ]?delivery|nondeliverable|unzustellbar|non remis|no entregado|"
    r"warning: could not send|delivery notification|error sending your mail|"
    r"bounce notification|mail system error|メールエラー",
    re.IGNORECASE,
)
_MESSAGE_ID = re.compile(r"^\s*message-id:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")


@dataclass(frozen=True)
class Bounce:
    original_message_id: str | None
    recipient: str
    status: str
    diagnostic: str
    permanent: bool


def _report_fields(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    return []


def _address_of(value: str) -> str:
    # "rfc822; user@example.com" → "user@example.com"
    return value.partition(";")[2].strip() if ";" in value else value.strip()


def _original_message_id(msg: Message) -> str | None:
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            first = inner[0] if isinstance(inner, list) and inner else None
            if isinstance(first, Message) and first.get("Message-ID"):
                return str(first["Message-ID"]).strip()
        if ctype in ("text/rfc822-headers", "text/plain"):
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes):
                found = _MESSAGE_ID.search(raw.decode("utf-8", "replace"))
                if found and str(msg.get("Message-ID", "")).strip() != found.group(1):
                    return found.group(1)
    return None


def _from_report(msg: Message) -> Bounce | None:
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = _report_fields(part)
        recipients = [b for b in blocks if b.get("Final-Recipient") or b.get("Action")]
        first = recipients[0] if recipients else (blocks[-1] if blocks else None)
        if first is None:
            break
        status = str(first.get("Status", "")).strip()
        action = str(first.get("Action", "failed")).strip().lower()
        return Bounce(
            original_message_id=_original_message_id(msg),
            recipient=_address_of(str(first.get("Final-Recipient", ""))),
            status=status,
            diagnostic=str(first.get("Diagnostic-Code", "")).strip()[:1000],
            permanent=action == "failed" and not status.startswith("4"),
        )
    return None


def _is_report(msg: EmailMessage) -> bool:
    ctype = msg.get_content_type()
    if ctype == "message/delivery-status":  # a bare report without its multipart wrapper
        return True
    return ctype == "multipart/report" and (
        str(msg.get_param("report-type", "")).lower() == "delivery-status"
    )


def detect_bounce(msg: EmailMessage, sender: str, subject: str, text: str) -> Bounce | None:
    """The bounce this message reports, or None when it is not a bounce.

    `sender` is the From header as written (a daemon's From often has no address) and
    the Return-Path: a null `<>` return path marks mail that must not be answered.
    """
    is_report = _is_report(msg)
    if is_report:
        found = _from_report(msg)
        if found is not None:
            return found
    sender = sender.lower()
    null_return_path = str(msg.get("Return-Path", "")).strip() == "<>"
    daemon = null_return_path or any(s in sender for s in _BOUNCE_SENDERS)
    looks_like_bounce = daemon and bool(_BOUNCE_SUBJECTS.search(subject))
    if not (is_report or looks_like_bounce):
        return None
    status = _STATUS.search(text)
    return Bounce(
        original_message_id=_original_message_id(msg),
        recipient="",
        status=status.group(1) if status else "",
        diagnostic="",
        permanent=not (status and status.group(1).startswith("4")),
    )
