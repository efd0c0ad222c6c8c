"""A lead's life through ingest: the timeline from other services' events, the lead's
reply, a person answering by hand, the admin reads, and a mailbox that keeps failing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from leadwire.events import DraftCreated, EmailSent, MailboxDisconnected
from leadwire.testing import MailboxConnector, TestStack

from .harness import connect, start_ingest, sync_state, wait_watching

pytestmark = pytest.mark.integration
LEAD = {"from": "ann@customer.example", "subject": "Quote please", "text": "Hello, how much?"}


async def test_reply_after_our_answer_is_lead_replied_and_the_timeline_tells_it_all(
    stack: TestStack, sandbox: Any, connected_mailbox: MailboxConnector
) -> None:
    tap = await stack.tap("lead.received", "lead.replied", "email.received")
    ingest, mailbox = await connect(stack, sandbox, connected_mailbox, "google", "sales@acme.test")
    delivered = sandbox.deliver(mailbox.address, **LEAD)
    [received] = await tap.wait_for("lead.received")
    lead_id = uuid.UUID(received["payload"]["lead_id"])
    draft = DraftCreated(
        draft_id=uuid.uuid4(),
        lead_id=lead_id,
        subject="Re: Quote please",
        body_text="It costs 10.",
        model="template",
    )
    await stack.publish(draft, client_id=mailbox.client_id)
    ours = "<reply-1@acme.test>"
    sent = EmailSent(
        outbound_id=uuid.uuid4(),
        lead_id=lead_id,
        mailbox_id=mailbox.mailbox_id,
        provider="google",
        provider_message_id="sent-1",
        provider_thread_id=delivered["threadId"],
        rfc_message_id=ours,
        to_address="ann@customer.example",
        subject="Re: Quote please",
        sent_at=datetime.now(UTC),
    )
    await stack.publish(sent, client_id=mailbox.client_id)
    for _ in range(100):
        lead = (await ingest.http.get(f"/admin/leads/{lead_id}")).json()
        if lead["status"] == "replied":
            break
        await asyncio.sleep(0.05)
    assert lead["status"] == "replied"
    sandbox.deliver(
        mailbox.address,
        **{
            **LEAD,
            "subject": "Re: Quote please",
            "text": "Deal!",
            "in_reply_to": ours,
            "references": [ours],
        },
    )
    [replied] = await tap.wait_for("lead.replied")
    assert replied["payload"]["lead_id"] == str(lead_id)
    lead = (await ingest.http.get(f"/admin/leads/{lead_id}")).json()
    assert lead["status"] == "lead_replied"
    kinds = [a["kind"] for a in lead["timeline"]]
    assert kinds == ["email_in", "draft_created", "email_out", "email_in"]


async def test_a_person_answering_from_the_mailbox_is_email_sent_by_person(
    stack: TestStack, sandbox: Any, connected_mailbox: MailboxConnector
) -> None:
    tap = await stack.tap("lead.received", "email.sent_by_person")
    ingest, mailbox = await connect(stack, sandbox, connected_mailbox, "google", "sales@acme.test")
    delivered = sandbox.deliver(mailbox.address, **LEAD)
    [received] = await tap.wait_for("lead.received")
    sandbox.control.post(
        f"/_sandbox/mailboxes/{mailbox.address}/reply",
        json={"id": delivered["id"], "text": "Call me"},
    ).raise_for_status()
    [by_person] = await tap.wait_for("email.sent_by_person", within=15)
    assert by_person["payload"]["lead_id"] == received["payload"]["lead_id"]
    lead = (await ingest.http.get(f"/admin/leads/{received['payload']['lead_id']}")).json()
    assert lead["status"] == "answered_by_person"


async def test_admin_reads_leads_contacts_and_the_mailbox_itself(
    stack: TestStack, sandbox: Any, connected_mailbox: MailboxConnector
) -> None:
    tap = await stack.tap("lead.received")
    ingest, mailbox = await connect(stack, sandbox, connected_mailbox, "google", "sales@acme.test")
    for n in range(3):
        sandbox.deliver(
            mailbox.address, **{**LEAD, "from": f"p{n}@customer.example", "subject": f"Q{n}"}
        )
    await tap.wait_for("lead.received", at_least=3)
    page = (
        await ingest.http.get(
            "/admin/leads", params={"limit": 2, "client_id": str(mailbox.client_id)}
        )
    ).json()
    assert len(page["leads"]) == 2 and page["next_cursor"]
    rest = (
        await ingest.http.get("/admin/leads", params={"limit": 2, "cursor": page["next_cursor"]})
    ).json()
    assert len(rest["leads"]) == 1 and rest["next_cursor"] is None
    found = (await ingest.http.get("/admin/leads", params={"q": "p1@customer"})).json()["leads"]
    assert [lead["contact"]["email"] for lead in found] == ["p1@customer.example"]
    lead_id = found[0]["id"]
    closed = await ingest.http.patch(f"/admin/leads/{lead_id}", json={"status": "closed"})
    assert closed.json()["status"] == "closed"
    reopened = await ingest.http.patch(f"/admin/leads/{lead_id}", json={"status": "open"})
    assert reopened.json()["status"] == "new"
    contact = (await ingest.http.get(f"/admin/contacts/{found[0]['contact']['id']}")).json()
    assert [lead["id"] for lead in contact["leads"]] == [lead_id]
    listed = (
        await ingest.http.get(
            f"/admin/mailboxes/{mailbox.mailbox_id}/messages", params={"max_results": 10}
        )
    ).json()
    assert {m["from_address"] for m in listed["messages"]} >= {"p0@customer.example"}
    one = listed["messages"][0]
    message = (
        await ingest.http.get(f"/admin/mailboxes/{mailbox.mailbox_id}/messages/{one['id']}")
    ).json()
    assert message["subject"] == one["subject"] and message["text"]
    assert (await ingest.http.get(f"/admin/leads/{uuid.uuid4()}")).status_code == 404
    assert (await ingest.http.get("/admin/leads", params={"cursor": "garbage"})).status_code == 400


async def test_a_failing_mailbox_announces_sync_failed_then_recovered(
    stack: TestStack, sandbox: Any, connected_mailbox: MailboxConnector
) -> None:
    tap = await stack.tap("mailbox.sync_failed", "mailbox.sync_recovered", "lead.received")
    ingest = await start_ingest(
        stack, sandbox, poll_interval_seconds=1, sync_failed_after_seconds=0
    )
    mailbox = await connected_mailbox("google", "sales@acme.test")
    await wait_watching(ingest, mailbox.mailbox_id)
    rule = sandbox.add_fault(path="/gmail/v1/users/me/history", status=503, count=None)
    [failed] = await tap.wait_for("mailbox.sync_failed", within=20)
    assert failed["payload"]["stage"] == "sync"
    assert (await sync_state(ingest, mailbox.mailbox_id))["last_error"]
    sandbox.control.delete(f"/_sandbox/faults/{rule['id']}").raise_for_status()
    await ingest.runtime.pool.execute("UPDATE mailboxes SET next_poll_at = now()")
    sandbox.deliver(mailbox.address, **LEAD)
    await tap.wait_for("mailbox.sync_recovered", within=20)
    await tap.wait_for("lead.received", within=20)


async def test_a_disconnected_mailbox_is_no_longer_watched_or_polled(
    stack: TestStack, sandbox: Any, connected_mailbox: MailboxConnector
) -> None:
    tap = await stack.tap("lead.received")
    ingest, mailbox = await connect(
        stack, sandbox, connected_mailbox, "microsoft", "sales@contoso.test"
    )
    gone = MailboxDisconnected(
        mailbox_id=mailbox.mailbox_id,
        client_id=mailbox.client_id,
        provider="microsoft",
        address=mailbox.address,
    )
    await stack.publish(gone, client_id=mailbox.client_id)
    for _ in range(200):
        if (await sync_state(ingest, mailbox.mailbox_id))["status"] == "stopped":
            break
        await asyncio.sleep(0.05)
    state = await sync_state(ingest, mailbox.mailbox_id)
    assert state["status"] == "stopped" and state["subscription_id"] is None
    subs = sandbox.control.get(
        "/_sandbox/microsoft/subscriptions", params={"address": mailbox.address}
    ).json()
    assert subs == []
    sandbox.deliver(mailbox.address, **LEAD)
    assert await tap.wait_for("lead.received", at_least=0, settle=1.0) == []
