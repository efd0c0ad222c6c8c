"""The running sender: events in, emails out, events back; the admin API."""

from __future__ import annotations

import base64
from uuid import uuid4

import pytest

from leadwire.events import EmailSentByPerson, LeadReplied
from leadwire.testing import MailboxConnector, TestStack, wait_until
from sandbox.testing import RunningSandbox

from .service_helpers import auto_draft, knows_mailbox, lead_mail, start_sender

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("provider", ["google", "microsoft"])
async def test_an_auto_sent_draft_is_replied_in_thread_and_reported(
    stack: TestStack, sandbox: RunningSandbox, connected_mailbox: MailboxConnector, provider: str
) -> None:
    sender = await start_sender(stack)
    mailbox = await connected_mailbox(provider, f"sales-{provider}@acme.test")
    await knows_mailbox(sender, mailbox.mailbox_id)
    tap = await stack.tap("email.sent")
    target = lead_mail(sandbox, mailbox)

    created = await stack.publish(auto_draft(mailbox, target), client_id=mailbox.client_id)

    [sent_event] = await tap.wait_for("email.sent")
    assert sent_event["correlation_id"] == str(created.correlation_id)
    assert sent_event["payload"]["draft_id"] == str(created.payload["draft_id"])
    (sent,) = sandbox.sent(mailbox.address)
    assert sent["headers"]["In-Reply-To"] == target.rfc_message_id
    if provider == "google":
        assert sent["threadId"] == target.provider_thread_id


async def test_a_duplicate_draft_event_sends_once(
    stack: TestStack, sandbox: RunningSandbox, connected_mailbox: MailboxConnector
) -> None:
    sender = await start_sender(stack)
    mailbox = await connected_mailbox("google", "sales@acme.test")
    await knows_mailbox(sender, mailbox.mailbox_id)
    tap = await stack.tap("email.sent")
    draft = auto_draft(mailbox, lead_mail(sandbox, mailbox))

    event = await stack.publish(draft, client_id=mailbox.client_id)
    await stack.publish(event)  # redelivered: the same event id
    await stack.publish(draft, client_id=mailbox.client_id)  # the same draft, a new event

    await tap.wait_for("email.sent", settle=1.0)
    assert len(tap.seen) == 1
    assert len(sandbox.sent(mailbox.address)) == 1


async def test_two_sender_processes_send_each_draft_once(
    stack: TestStack, sandbox: RunningSandbox, connected_mailbox: MailboxConnector
) -> None:
    first = await start_sender(stack)
    second = await start_sender(stack, database_schema=first.settings.database_schema)
    mailbox = await connected_mailbox("google", "sales@acme.test")
    await knows_mailbox(first, mailbox.mailbox_id)
    tap = await stack.tap("email.sent")
    drafts = [auto_draft(mailbox, lead_mail(sandbox, mailbox)) for _ in range(12)]

    for draft in drafts:
        await stack.publish(draft, client_id=mailbox.client_id)

    seen = await tap.wait_for("email.sent", at_least=12, within=30, settle=1.0)
    assert sorted(e["payload"]["draft_id"] for e in seen) == sorted(str(d.draft_id) for d in drafts)
    assert len(sandbox.sent(mailbox.address)) == 12
    assert second.settings.database_schema == first.settings.database_schema


async def test_a_lead_reply_stops_its_queued_reply(
    stack: TestStack, sandbox: RunningSandbox, connected_mailbox: MailboxConnector
) -> None:
    from datetime import UTC, datetime, timedelta

    sender = await start_sender(stack)
    mailbox = await connected_mailbox("google", "sales@acme.test")
    await knows_mailbox(sender, mailbox.mailbox_id)
    target = lead_mail(sandbox, mailbox)
    later = datetime.now(UTC) + timedelta(hours=1)
    draft = auto_draft(mailbox, target, send_after=later)
    await stack.publish(draft, client_id=mailbox.client_id)

    async def queued() -> bool:
        return await sender.pool.fetchval("SELECT count(*) FROM outbound_messages") == 1

    await wait_until(queued, within=10)
    await stack.publish(
        LeadReplied(
            lead_id=draft.lead_id,
            mailbox_id=mailbox.mailbox_id,
            provider_message_id="m-1",
            received_at=datetime.now(UTC),
        ),
        client_id=mailbox.client_id,
    )

    async def cancelled() -> bool:
        status = await sender.pool.fetchval("SELECT status FROM outbound_messages")
        return status == "cancelled"

    await wait_until(cancelled, within=10)
    assert sandbox.sent(mailbox.address) == []
    assert EmailSentByPerson  # the same stop path; unit-tested via stop_lead


async def test_manual_send_with_attachment_and_idempotency_key(
    stack: TestStack, sandbox: RunningSandbox, connected_mailbox: MailboxConnector
) -> None:
    sender = await start_sender(stack)
    mailbox = await connected_mailbox("google", "sales@acme.test")
    await knows_mailbox(sender, mailbox.mailbox_id)
    pdf = bytes(range(256)) * 40
    body = {
        "to": [{"address": "buyer@example.org", "name": "Bärbel Käufer"}],
        "bcc": [{"address": "archive@acme.test"}],
        "subject": "Ihr Angebot",
        "html": "<p>Anbei <b>das Angebot</b><script>alert(1)</script></p>",
        "attachments": [
            {"filename": "angebot.pdf", "content_type": "application/pdf",
             "content_base64": base64.b64encode(pdf).decode()}
        ],
    }  # fmt: skip
    key = {"Idempotency-Key": str(uuid4())}

    first = await sender.http.post(
        f"/admin/mailboxes/{mailbox.mailbox_id}/send", json=body, headers=key
    )
    again = await sender.http.post(
        f"/admin/mailboxes/{mailbox.mailbox_id}/send", json=body, headers=key
    )
    changed = await sender.http.post(
        f"/admin/mailboxes/{mailbox.mailbox_id}/send", json={**body, "subject": "x"}, headers=key
    )

    assert first.status_code == 202 and again.status_code == 202
    assert again.json()["outbound_id"] == first.json()["outbound_id"]
    assert again.json()["created"] is False
    assert changed.status_code == 422
    outbound_id = first.json()["outbound_id"]

    async def sent() -> bool:
        answer = await sender.http.get(f"/admin/outbound/{outbound_id}")
        return answer.json()["status"] == "sent"

    await wait_until(sent, within=10)
    (mail,) = sandbox.sent(mailbox.address)
    assert "<script>" not in mail["html"] and "<b>das Angebot</b>" in mail["html"]
    assert "Anbei das Angebot" in mail["text"]
    listed = await sender.http.get(
        "/admin/outbound", params={"mailbox_id": str(mailbox.mailbox_id)}
    )
    assert [item["id"] for item in listed.json()["items"]] == [outbound_id]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"to": []}, 422),
        ({"to": [{"address": "not-an-address"}]}, 422),
        ({"attachments": [{"filename": "a", "content_base64": "!!!"}]}, 422),
        ({"text": None, "html": None}, 422),
    ],
)
async def test_manual_send_refuses_bad_requests_by_name(
    stack: TestStack, sandbox: RunningSandbox, connected_mailbox: MailboxConnector,
    change: dict[str, object], status: int,
) -> None:  # fmt: skip
    sender = await start_sender(stack)
    mailbox = await connected_mailbox("google", "sales@acme.test")
    await knows_mailbox(sender, mailbox.mailbox_id)
    body = {"to": [{"address": "a@example.org"}], "subject": "s", "text": "t", **change}
    answer = await sender.http.post(f"/admin/mailboxes/{mailbox.mailbox_id}/send", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]  # says what is wrong


async def test_manual_send_from_an_unknown_mailbox_is_404(stack: TestStack) -> None:
    sender = await start_sender(stack)
    body = {"to": [{"address": "a@example.org"}], "subject": "s", "text": "t"}
    answer = await sender.http.post(f"/admin/mailboxes/{uuid4()}/send", json=body)
    assert answer.status_code == 404


async def test_manual_send_with_reply_to_message_id_answers_in_thread(
    stack: TestStack, sandbox: RunningSandbox, connected_mailbox: MailboxConnector
) -> None:
    sender = await start_sender(stack)
    mailbox = await connected_mailbox("google", "sales@acme.test")
    await knows_mailbox(sender, mailbox.mailbox_id)
    target = lead_mail(sandbox, mailbox)
    body = {
        "to": [{"address": target.to_address}],
        "text": "Following your question: yes.",
        "reply_to_message_id": target.provider_message_id,
    }

    answer = await sender.http.post(f"/admin/mailboxes/{mailbox.mailbox_id}/send", json=body)
    assert answer.status_code == 202, answer.text

    await wait_until(lambda: len(sandbox.sent(mailbox.address)) == 1, within=10)
    (mail,) = sandbox.sent(mailbox.address)
    assert mail["threadId"] == target.provider_thread_id
    assert mail["headers"]["In-Reply-To"] == target.rfc_message_id
    assert mail["headers"]["Subject"] == "Re: Angebot für Köln?"
    unknown = await sender.http.post(
        f"/admin/mailboxes/{mailbox.mailbox_id}/send", json={**body, "reply_to_message_id": "nope"}
    )
    assert unknown.status_code == 422
