"""EmailMessage -> Gmail's Message resource (payload tree, base64url bodies)."""

from __future__ import annotations

import base64
import html
import re
from email.message import EmailMessage, Message
from typing import TYPE_CHECKING, Any

from sandbox.mail import html_body, text_body

if TYPE_CHECKING:
    from sandbox.google.gmail_store import StoredMessage

_TAG = re.compile(r"<[^>]+>")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def snippet_of(msg: EmailMessage) -> str:
    try:
        text = text_body(msg)
        if text is None:
            text = _TAG.sub(" ", html_body(msg) or "")
    except (KeyError, LookupError):  # unknown charset or odd structure: no snippet
        text = ""
    return html.escape(" ".join(html.unescape(text).split())[:200])


def _part_bytes(part: Message) -> bytes:
    if part.get_content_maintype() == "message":  # e.g. message/delivery-status blocks
        payload = part.get_payload()
        if isinstance(payload, list):
            return b"".join(p.as_bytes() for p in payload if isinstance(p, Message))
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def attachment_id(message_id: str, part_id: str) -> str:
    return f"ANGjdJ_{message_id}_{part_id or 'root'}"


def parse_attachment_id(value: str) -> tuple[str, str] | None:
    parts = value.split("_")
    if len(parts) != 3 or parts[0] != "ANGjdJ":
        return None
    return parts[1], "" if parts[2] == "root" else parts[2]


def build_payload(part: Message, message_id: str, part_id: str = "") -> dict[str, Any]:
    filename = part.get_filename() or ""
    out: dict[str, Any] = {
        "partId": part_id,
        "mimeType": part.get_content_type(),
        "filename": filename,
        "headers": [{"name": k, "value": str(v)} for k, v in part.items()],
    }
    if part.is_multipart() and part.get_content_maintype() == "multipart":
        out["body"] = {"size": 0}
        prefix = f"{part_id}." if part_id else ""
        out["parts"] = [
            build_payload(sub, message_id, f"{prefix}{i}")
            for i, sub in enumerate(part.get_payload())
        ]
        return out
    data = _part_bytes(part)
    if filename:  # attachments are fetched separately, as at Gmail
        out["body"] = {"attachmentId": attachment_id(message_id, part_id), "size": len(data)}
    else:
        out["body"] = {"size": len(data), "data": b64url(data)} if data else {"size": 0}
    return out


def find_part(msg: Message, part_id: str) -> Message | None:
    part: Message = msg
    for index in filter(None, part_id.split(".")):
        children = part.get_payload()
        if not isinstance(children, list) or int(index) >= len(children):
            return None
        child = children[int(index)]
        if not isinstance(child, Message):
            return None
        part = child
    return part


def attachment_json(stored: StoredMessage, part_id: str, att_id: str) -> dict[str, Any] | None:
    part = find_part(stored.message, part_id)
    if part is None:
        return None
    data = _part_bytes(part)
    return {"attachmentId": att_id, "size": len(data), "data": b64url(data)}


def message_json(stored: StoredMessage, fmt: str, metadata_headers: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": stored.id,
        "threadId": stored.thread_id,
        "labelIds": list(stored.label_ids),
        "snippet": stored.snippet,
        "sizeEstimate": len(stored.raw),
        "historyId": str(stored.history_id),
        "internalDate": str(stored.internal_date),
    }
    if fmt == "raw":
        out["raw"] = b64url(stored.raw)
    elif fmt == "metadata":
        wanted = {h.lower() for h in metadata_headers}
        headers = [
            {"name": k, "value": str(v)}
            for k, v in stored.message.items()
            if not wanted or k.lower() in wanted
        ]
        out["payload"] = {
            "partId": "",
            "mimeType": stored.message.get_content_type(),
            "filename": "",
            "headers": headers,
        }
    elif fmt == "full":
        if stored.payload is None:
            stored.payload = build_payload(stored.message, stored.id)
        out["payload"] = stored.payload
    return out
