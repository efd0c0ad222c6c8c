"""Raw RFC 822 bytes → `ParsedMessage`, never raising.

The standard `email` package with `policy.default` does the parsing (RFC 2047 headers,
any declared charset, multipart). Every step that can trip on hostile or broken mail
falls back to something readable; a message that cannot be read at all becomes
`Unparseable` with the reason, which the caller records and skips.
"""

from __future__ import annotations

import email
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from leadwire_ingest.domain.bounce import Bounce, detect_bounce
from leadwire_ingest.domain.signals import Signals, read_signals
from leadwire_ingest.domain.text import count_links, html_to_text, reply_text

MAX_TEXT = 100_000


@dataclass(frozen=True)
class AttachmentMeta:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ParsedMessage:
    """What ingest keeps of one message: addresses, threading, text and signals."""

    from_address: str
    from_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: tuple[str, ...]
    subject: str
    rfc_message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    sent_at: datetime | None
    text: str  # the whole readable body, for the timeline
    reply_text: str  # the newest part only, for the drafter
    has_html: bool
    attachments: tuple[AttachmentMeta, ...]
    signals: Signals
    # Lower-cased header name → raw values, topmost first (for classification).
    headers: dict[str, list[str]] = field(repr=False)
    bounce: Bounce | None = None
    defects: tuple[str, ...] = ()

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower())
        return values[0].strip() if values else ""


@dataclass(frozen=True)
class Unparseable:
    reason: str


def _decoded(value: str) -> str:
    """An RFC 2047 value decoded; undecodable words are kept as they came."""
    try:
        return str(make_header(decode_header(value)))
    except Exception:  # unknown charset, broken encoded-word
        return value


def _raw_headers(msg: Message) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        headers.setdefault(name.lower(), []).append(str(value))
    return headers


def _header_text(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
        return " ".join(str(value).split()) if value is not None else ""
    except Exception:  # a header policy.default cannot parse: decode the raw value
        raw = next((str(v) for k, v in msg.raw_items() if k.lower() == name.lower()), "")
        return " ".join(_decoded(raw).split())


def _addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    values = [_header_text(msg, name)] if msg.get_all(name) else []
    pairs = getaddresses(values)
    return [(n, a.strip().lower()) for n, a in pairs if "@" in a]


def _ids(value: str) -> tuple[str, ...]:
    return tuple(
        w for w in value.replace(",", " ").split() if w.startswith("<") and w.endswith(">")
    )


def _part_text(part: Message) -> str:
    """A text part decoded with its declared charset, else UTF-8 with replacement."""
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except Exception:  # unknown charset ("fakescii"), bad transfer encoding: decode below
        content = None
    if isinstance(content, str):
        return content
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        charset = part.get_content_charset() or "utf-8"
        try:
            return payload.decode(charset, "replace")
        except LookupError:
            return payload.decode("utf-8", "replace")
    return ""


def _bodies(msg: EmailMessage) -> tuple[str, str]:
    """(plain text, html) of the message's main body; either may be ""."""
    plain = html = ""
    for preference in ("plain", "html"):
        try:
            part = msg.get_body(preferencelist=(preference,))
        except Exception:  # a broken multipart tree
            part = None
        if part is None:
            continue
        if preference == "plain":
            plain = _part_text(part)
        else:
            html = _part_text(part)
    if not plain and not html and not msg.is_multipart():
        # A body with an unusual type (text/enriched, none at all): take it as text.
        plain = _part_text(msg) if msg.get_content_maintype() == "text" else ""
    return plain[:MAX_TEXT], html[: MAX_TEXT * 5]


def _attachments(msg: EmailMessage) -> tuple[AttachmentMeta, ...]:
    found = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if not filename and part.get_content_disposition() != "attachment":
            continue
        payload = part.get_payload(decode=True)
        found.append(
            AttachmentMeta(
                filename=_decoded(filename or ""),
                content_type=part.get_content_type(),
                size=len(payload) if isinstance(payload, bytes) else 0,
            )
        )
    return tuple(found)


def _sent_at(msg: Message) -> datetime | None:
    try:
        value = parsedate_to_datetime(_header_text(msg, "Date"))
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo is not None else None


def _clean(text: str) -> str:
    # Postgres text refuses NUL; some mail carries it in headers or bodies.
    return text.replace("\x00", "")


def _parse(raw: bytes) -> ParsedMessage:
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    sender = _header_text(msg, "From")
    from_name, from_address = parseaddr(sender)
    plain, html = _bodies(msg)
    text = _clean(plain.strip() or html_to_text(html))
    subject = _clean(_header_text(msg, "Subject"))
    from_address = from_address.strip().lower()
    return ParsedMessage(
        from_address=from_address,
        from_name=_clean(_decoded(from_name)),
        to=tuple(a for _, a in _addresses(msg, "To")),
        cc=tuple(a for _, a in _addresses(msg, "Cc")),
        reply_to=tuple(a for _, a in _addresses(msg, "Reply-To")),
        subject=subject,
        rfc_message_id=(_ids(_header_text(msg, "Message-ID")) or (None,))[0],
        in_reply_to=(_ids(_header_text(msg, "In-Reply-To")) or (None,))[0],
        references=_ids(_header_text(msg, "References")),
        sent_at=_sent_at(msg),
        text=text,
        reply_text=reply_text(text),
        has_html=bool(html),
        attachments=_attachments(msg),
        signals=read_signals(_raw_headers(msg), count_links(text, html)),
        headers=_raw_headers(msg),
        bounce=detect_bounce(msg, sender, subject, text),
        defects=tuple(type(d).__name__ for d in msg.defects),
    )


def parse_message(raw: bytes) -> ParsedMessage | Unparseable:
    """Parse raw mail; any failure is returned as `Unparseable`, never raised."""
    if not raw or not raw.strip():
        return Unparseable("empty message")
    try:
        return _parse(raw)
    except RecursionError:
        return Unparseable("message nested too deeply")
    except Exception as exc:  # the last line of defence: no mail may stop a sync
        return Unparseable(f"{type(exc).__name__}: {str(exc)[:200]}")
