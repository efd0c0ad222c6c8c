"""Building the RFC 5322 message we send: headers for threading, text + HTML, attachments.

Everything here is pure: the caller supplies the Message-ID (generated and stored before
any provider call, so a lost answer can be looked up later by it).
"""

from __future__ import annotations

import base64
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

# "Re:", "RE :", "Aw:", "Sv:", "Antw:", "Re[2]:" ... repeated: one "Re: " replaces them all.
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|aw|sv|antw|ref)(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
# SMTP wants CRLF; Gmail's `raw` takes the bytes as they are.
SMTP_POLICY = policy.SMTP.clone(max_line_length=78)
# How many ancestors References keeps (RFC 5322 suggests trimming long chains).
MAX_REFERENCES = 20


class InvalidAddressError(ValueError):
    """An address cannot be written into a header (e.g. no '@', control characters)."""


@dataclass(frozen=True)
class Mailbox:
    """A person: address plus optional display name (non-ASCII is fine)."""

    address: str
    name: str = ""


@dataclass(frozen=True)
class FileAttachment:
    filename: str
    content_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class OutgoingEmail:
    """What we send, independent of the provider."""

    sender: Mailbox
    to: tuple[Mailbox, ...]
    subject: str
    message_id: str
    text: str = ""
    html: str = ""
    cc: tuple[Mailbox, ...] = ()
    bcc: tuple[Mailbox, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    attachments: tuple[FileAttachment, ...] = ()


def new_message_id(sender_address: str) -> str:
    """`<random@domain-of-sender>`: unique, and ours (searchable at the provider)."""
    domain = sender_address.rpartition("@")[2] or "leadwire.invalid"
    return f"<{uuid.uuid4().hex}.leadwire@{domain}>"


def reply_subject(subject: str) -> str:
    """`Re: <original>` without stacking prefixes (`Re: Re: AW: x` -> `Re: x`)."""
    stripped = _REPLY_PREFIX.sub("", subject).strip()
    return f"Re: {stripped}" if stripped else "Re:"


def reply_references(
    references: tuple[str, ...] | list[str], answered: str | None
) -> tuple[str, ...]:
    """References of a reply: the parent's chain plus the parent, de-duplicated, trimmed."""
    chain = [ref for ref in references if ref]
    if answered and answered not in chain:
        chain.append(answered)
    seen: list[str] = []
    for ref in chain:
        if ref not in seen:
            seen.append(ref)
    if len(seen) > MAX_REFERENCES:  # keep the root, then the newest ones
        seen = [seen[0], *seen[-(MAX_REFERENCES - 1) :]]
    return tuple(seen)


_ADDRESS = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+\.[^@\s<>,;:\"()\[\]\\.]+$")


def is_valid_address(address: str) -> bool:
    """`local@domain.tld` without spaces, brackets or separators (what we can put in To)."""
    return bool(_ADDRESS.match(address)) and address.isprintable()


def _header_address(person: Mailbox) -> Address:
    address = person.address.strip()
    if not is_valid_address(address):
        raise InvalidAddressError(f"invalid email address {person.address!r}")
    local, _, domain = address.rpartition("@")
    return Address(display_name=" ".join(person.name.split()), username=local, domain=domain)


def build_message(email: OutgoingEmail, sent_at: datetime | None = None) -> EmailMessage:
    """The MIME message: multipart/alternative (text + HTML), mixed when attachments."""
    if not email.to and not email.cc and not email.bcc:
        raise InvalidAddressError("a message needs at least one recipient")
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["From"] = _header_address(email.sender)
    for name, people in (("To", email.to), ("Cc", email.cc), ("Bcc", email.bcc)):
        if people:
            msg[name] = [_header_address(p) for p in people]
    msg["Subject"] = email.subject  # the policy applies RFC 2047 to non-ASCII
    msg["Message-ID"] = email.message_id
    if sent_at is not None:
        msg["Date"] = format_datetime(sent_at)
    if email.in_reply_to:
        msg["In-Reply-To"] = email.in_reply_to
    if email.references:
        msg["References"] = " ".join(email.references)
    msg["MIME-Version"] = "1.0"
    msg.set_content(email.text or " ", subtype="plain", charset="utf-8", cte="quoted-printable")
    if email.html:
        msg.add_alternative(email.html, subtype="html", charset="utf-8", cte="quoted-printable")
    for item in email.attachments:
        maintype, _, subtype = item.content_type.partition("/")
        msg.add_attachment(
            item.content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=item.filename,
        )
    return msg


def gmail_raw(msg: EmailMessage) -> str:
    """base64url of the message bytes, as Gmail's `users.messages.send` wants in `raw`."""
    return base64.urlsafe_b64encode(msg.as_bytes(policy=SMTP_POLICY)).decode("ascii")
