"""Delivery-status notifications (bounces) as real MTAs send them: multipart/report."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, make_msgid
from typing import Any


def build_bounce(fields: dict[str, Any], default_to: str | None) -> EmailMessage:
    """A RFC 3464 bounce to `to` about a message to `bounce["recipient"]`."""
    info = fields["bounce"] if isinstance(fields["bounce"], dict) else {}
    failed = info.get("recipient", "nobody@invalid.example")
    status = info.get("status", "5.1.1")
    to = fields.get("to") or default_to
    msg = EmailMessage()
    msg["From"] = fields.get("from", "MAILER-DAEMON@sandbox.local")
    msg["To"] = to if isinstance(to, str) else ", ".join(to or [])
    msg["Subject"] = fields.get("subject", "Delivery Status Notification (Failure)")
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = fields.get("message_id") or make_msgid(domain="sandbox.local")
    msg["Auto-Submitted"] = "auto-replied"
    if fields.get("in_reply_to"):
        msg["In-Reply-To"] = fields["in_reply_to"]
        msg["References"] = fields["in_reply_to"]
    msg.set_type("multipart/report")
    msg.set_param("report-type", "delivery-status")
    human = MIMEPart()
    human.set_content(
        fields.get("text")
        or f"Delivery to {failed} failed permanently.\nStatus: {status} (user unknown)"
    )
    # Parsed rather than built: the generator wants the DSN as a list of header blocks.
    dsn = message_from_bytes(
        (
            "Content-Type: message/delivery-status\n\n"
            "Reporting-MTA: dns; sandbox.local\n\n"
            f"Final-Recipient: rfc822; {failed}\nAction: failed\nStatus: {status}\n"
        ).encode(),
        _class=MIMEPart,  # type: ignore[arg-type]  # typeshed wants EmailMessage; a part is right
        policy=policy.default,
    )
    msg.attach(human)  # type: ignore[arg-type]
    msg.attach(dsn)
    return msg
