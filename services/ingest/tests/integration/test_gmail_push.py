"""Gmail through the sandbox: a push becomes lead.received; forged pushes change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from leadwire.testing import MailboxConnector, TestStack

from .harness import connect

pytestmark = pytest.mark.integration


async def test_a_pushed_gmail_message_becomes_lead_received_with_its_fields(
    stack: TestStack, sandbox: Any, connected_mailbox: MailboxConnector
) -> None:
    tap = await stack.tap("lead.received")
    ingest, mailbox = await connect(stack, sandbox, connected_mailbox, "google", "sales@acme.test")

    sandbox.deliver(
        mailbox.address,
        **{
            "from": "ann@customer.example",
            "from_name": "Ann Lead",
            "subject": "Quote for 20 seats",
            "text": "Hello, a quote please?",
            "cc": ["bob@customer.example"],
        },
    )

    [event] = await tap.wait_for("lead.received", within=15)
    lead = event["payload"]
    assert lead["source"] == "email"
    assert lead["mailbox_id"] == str(mailbox.mailbox_id)
    assert lead["provider"] == "google"
    assert lead["from_address"] == "ann@customer.example"
    assert lead["from_name"] == "Ann Lead"
    assert lead["subject"] == "Quote for 20 seats"
    assert lead["body_text"] == "Hello, a quote please?"
    assert lead["cc"] == ["bob@customer.example"]
    assert lead["provider_thread_id"] and lead["rfc_message_id"]
    state = (await ingest.http.get(f"/admin/mailboxes/{mailbox.mailbox_id}/sync")).json()
    assert state["last_push_at"] is not None
