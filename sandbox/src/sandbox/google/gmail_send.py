"""users.messages.send: read the request (JSON raw, media or multipart upload) and file it."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import format_datetime, formataddr, getaddresses, make_msgid, parseaddr

from fastapi import Request

from sandbox.google.errors import GoogleApiError
from sandbox.google.gmail_store import GmailMailbox, StoredMessage

_CRLF = policy.default.clone(linesep="\r\n")


def _bad(message: str) -> GoogleApiError:
    return GoogleApiError(400, message, reason="invalidArgument")


def _decode_raw(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise _bad("Invalid value for ByteString: raw") from exc


def _multipart_related(content_type: str, body: bytes) -> tuple[bytes, str | None]:
    """uploadType=multipart: JSON metadata part, then the message/rfc822 part, whose bytes
    are cut out of the body as sent (parsing it would re-serialise the message)."""
    envelope = Message()
    envelope["Content-Type"] = content_type
    boundary = envelope.get_param("boundary")
    if not isinstance(boundary, str):
        raise _bad("multipart upload needs a boundary")
    segments = body.split(b"--" + boundary.encode())[1:-1]
    if len(segments) != 2:
        raise _bad("multipart upload needs a metadata part and a media part")
    (_, meta), (headers, media) = (_part(segment) for segment in segments)
    if b"base64" in headers.lower():  # Content-Transfer-Encoding: base64
        media = base64.b64decode(media)
    try:
        thread_id = json.loads(meta or b"{}").get("threadId")
    except (json.JSONDecodeError, AttributeError) as exc:
        raise _bad("Invalid JSON payload received.") from exc
    return media, thread_id


def _part(segment: bytes) -> tuple[bytes, bytes]:
    """(headers, content) of one multipart segment; the CRLF before a delimiter is its own."""
    segment = segment.removeprefix(b"\r\n").removeprefix(b"\n")
    head, sep, content = segment.partition(b"\r\n\r\n")
    if not sep:
        head, _, content = segment.partition(b"\n\n")
    if content.endswith(b"\r\n"):
        return head, content[:-2]
    return head, content.removesuffix(b"\n")


async def read_send_request(request: Request) -> tuple[bytes, str | None]:
    body = await request.body()
    upload = request.query_params.get("uploadType")
    ctype = request.headers.get("content-type", "")
    if upload == "media":
        return body, None
    if upload == "multipart":
        return _multipart_related(ctype, body)
    if upload:
        raise _bad(f"uploadType {upload} is not supported by the sandbox")
    try:
        data = json.loads(body or b"{}")
    except json.JSONDecodeError as exc:
        raise _bad("Invalid JSON payload received.") from exc
    if not isinstance(data, dict) or not data.get("raw"):
        raise _bad(
            "'raw' RFC822 payload message string or uploading message via /upload/* URL required"
        )
    return _decode_raw(data["raw"]), data.get("threadId")


def _complete_headers(msg: EmailMessage, box: GmailMailbox, raw: bytes) -> bytes:
    """Gmail sets From to the sender, and adds Date and Message-ID if absent."""
    added: list[tuple[str, str]] = []
    name, addr = parseaddr(str(msg.get("From", "")))
    rewrite = bool(addr) and addr.lower() != box.address.lower()
    if not addr or rewrite:
        del msg["From"]
        added.append(("From", formataddr((name or box.display_name, box.address))))
    if not msg.get("Date"):
        added.append(("Date", format_datetime(datetime.now(UTC))))
    if not msg.get("Message-ID"):
        added.append(("Message-ID", make_msgid(domain="mail.gmail.com")))
    for header, value in added:
        msg[header] = value
    if rewrite:  # a foreign From must be replaced inside the message: serialize again
        return msg.as_bytes(policy=_CRLF)
    # Only additions: prepend them and keep the client's bytes, which is also far cheaper.
    head = "".join(f"{h}: {v}\r\n" for h, v in added).encode()
    return head + raw


def send_message(box: GmailMailbox, raw: bytes, thread_id: str | None) -> StoredMessage:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    fields = [str(v) for h in ("To", "Cc", "Bcc") for v in msg.get_all(h, [])]
    if not any(addr for _, addr in getaddresses(fields)):
        raise _bad("Recipient address required")
    raw = _complete_headers(msg, box, raw)
    stored = box.add(raw, msg, ["SENT"], thread_id, sending=True)
    box.sent.append(stored.id)
    return stored
