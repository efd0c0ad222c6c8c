"""Builders of sample leads and clients, for the tests, the eval and the bench script."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from leadwire.events import ClientChanged, LeadReceived

CLIENT_ID = UUID("00000000-0000-4000-8000-0000000000c1")
MAILBOX_ID = UUID("00000000-0000-4000-8000-0000000000b1")
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # a Wednesday


def sample_client(**changes: Any) -> ClientChanged:
    fields: dict[str, Any] = {
        "client_id": CLIENT_ID,
        "slug": "acme",
        "name": "Acme Web Studio",
        "auto_send": "guarded",
        "offer": "We design and build websites and online shops for small businesses.",
        "tone": "friendly",
        "signature": "Anna Weber\nAcme Web Studio\nhttps://acme.test",
        "booking_link": "https://cal.acme.test/intro",
        "language": "en",
        "own_domains": ["acme.test"],
        "primary_mailbox_id": MAILBOX_ID,
        "qualification_threshold": 50,
    }
    fields.update(changes)
    return ClientChanged(**fields)


def sample_lead(**changes: Any) -> LeadReceived:
    fields: dict[str, Any] = {
        "lead_id": uuid4(),
        "contact_id": uuid4(),
        "source": "email",
        "mailbox_id": MAILBOX_ID,
        "provider": "google",
        "provider_message_id": f"m-{uuid4().hex[:8]}",
        "from_address": "jane@bakery-example.com",
        "from_name": "Jane Miller",
        "to_address": "sales@acme.test",
        "subject": "New website for our bakery",
        "body_text": (
            "Hi, we are a small bakery and would like a new website with an online shop. "
            "Could you send us a quote? We hope to launch within three months."
        ),
        "received_at": NOW,
        "signals": {"spf": "pass", "dkim": "pass", "dmarc": "pass"},
    }
    fields.update(changes)
    return LeadReceived(**fields)
