"""Gmail sync against the sandbox: forged pushes, quiet pushes, history 404, polling,
duplicates, and what is not a lead."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from leadwire.testing import MailboxConnector, ServiceUnderTest, TestStack

from .harness import connect, route_push_to, start_ingest, sync_state, wait_watching

pytestmark = pytest.mark.integration
LEAD = {"from": "ann@customer.example", "subject": "Quote please", "text": "Hello!"}


def push_body(address: str, history_id: int = 99999) -> dict[str, Any]:
    data = json.dumps({"emailAddress": address, "historyId": history_id}).encode()
    return {
        "message": {"data": base64.b64encode(data).decode(), "messageId": "1"},
        "subscription": "projects/x/subscriptions/y",
    }


def mint(sandbox: Any, **spec: Any) -> str:
    answer = sandbox.control.post("/_sandbox/google/tokens/id-token", json=spec)
    answer.raise_for_status()
    return str(answer.json()["token"])


async def pushed(ingest: ServiceUnderTest, token: str | None, body: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=ingest.url) as anonymous:
        return await anonymous.post("/webhooks/gmail/push", json=body, headers=headers)


async def test_forged_pushes_are_refused_and_record_nothing(
    stack: TestStack, sandbox: Any, connected_mailbox: MailboxConnector
) -> None:
    ingest, mailbox = await connect(stack, sandbox, connected_mailbox, "google", "sales@acme.test")
    audience = f"{ingest.url}/webhooks/gmail/push"
    good = {
        "aud": audience,
        "email": "gmail-api-push@system.gserviceaccount.com",
        "email_verified": True,
    }
    forged = {
        "no token": (None, 401),
        "wrong audience": (
            mint(sandbox, claims={**good, "aud": "https://other.example/push"}),
            401,
        ),
        "wrong email": (mint(sandbox, claims={**good, "email": "attacker@evil.example"}), 403),
        "unverified email": (mint(sandbox, claims={**good, "email_verified": False}), 403),
        "wrong key": (mint(sandbox, claims=good, wrong_key=True), 401),
        "garbage": ("not.a.jwt", 401),
    }
    for name, (token, status) in forged.items():
        answer = await pushed(ingest, token, push_body(mailbox.address))
        assert answer.status_code == status, name
    assert (await sync_state(ingest, mailbox.mailbox_id))["last_push_at"] is None
    ok = await pushed(ingest, mint(sandbox, claims=good), push_body("nobody@acme.test"))
    assert ok.status_code == 204  # a valid push for an address we do not watch: acked
    malformed = await pushed(ingest, mint(sandbox, claims=good), {"message": {"data": "%%%"}})
    assert malformed.status_code == 400


async def test_a_label_change_push_ends_quietly(
    stack: TestStack, sandbox: Any, connected_mailbox: MailboxConnector
) -> None:
    tap = await stack.tap("lead.received", "email.received")
    ingest, mailbox = await connect(stack, sandbox, connected_mailbox, "google", "sales@acme.test")
    delivered = sandbox.deliver(mailbox.address, **LEAD)
    await tap.wait_for("lead.received")
    before = await sync_state(ingest, mailbox.mailbox_id)
    sandbox.control.post(
        f"/_sandbox/google/mailboxes/{mailbox.address}/messages/{delivered['id']}/modify",
        json={"add": ["STARRED"], "remove": ["UNREAD"]},
    ).raise_for_status()
    events = await tap.wait_for("lead.received", settle=1.5)
    assert len(events) == 1
    assert [e for e in tap.seen if e["type"] == "email.received"] == []
    after = await sync_state(ingest, mailbox.mailbox_id)
    assert after["last_push_at"] != before["last_push_at"]  # the push did arrive


async def test_history_too_old_resyncs_and_finds_the_new_mail(
    stack: TestStack, sandbox: Any, connected_mailbox: MailboxConnector
) -> None:
    tap = await stack.tap("lead.received")
    ingest, mailbox = await connect(stack, sandbox, connected_mailbox, "google", "sales@acme.test")
    sandbox.control.post(
        f"/_sandbox/google/mailboxes/{mailbox.address}/push", json={"enabled": False}
    )
    sandbox.deliver(mailbox.address, **LEAD)
    sandbox.control.post(
        f"/_sandbox/google/mailboxes/{mailbox.address}/expire-history"
    ).raise_for_status()
    route_push_to(sandbox, ingest, mailbox.address)
    sandbox.deliver(mailbox.address, **{**LEAD, "from": "second@customer.example"})
    events = await tap.wait_for("lead.received", at_least=2, settle=0.5)
    assert sorted(e["payload"]["from_address"] for e in events) == [
        "ann@customer.example",
        "second@customer.example",
    ]


async def test_with_push_off_the_poll_finds_the_mail_and_push_plus_poll_is_one_lead(
    stack: TestStack, sandbox: Any, connected_mailbox: MailboxConnector
) -> None:
    tap = await stack.tap("lead.received")
    ingest = await start_ingest(stack, sandbox, poll_interval_seconds=1)
    mailbox = await connected_mailbox("google", "sales@acme.test")
    await wait_watching(ingest, mailbox.mailbox_id)
    sandbox.deliver(mailbox.address, **LEAD)  # no push endpoint: only the poll can see it
    await tap.wait_for("lead.received", within=15)
    route_push_to(sandbox, ingest, mailbox.address)
    sandbox.deliver(mailbox.address, **{**LEAD, "from": "both@customer.example"})
    events = await tap.wait_for("lead.received", at_least=2, settle=2.5)
    assert len(events) == 2
    assert (await sync_state(ingest, mailbox.mailbox_id))["last_poll_at"] is not None


async def test_duplicated_and_late_pushes_make_one_lead(
    stack: TestStack, sandbox: Any, connected_mailbox: MailboxConnector
) -> None:
    tap = await stack.tap("lead.received")
    _, mailbox = await connect(stack, sandbox, connected_mailbox, "google", "sales@acme.test")
    sandbox.control.post("/_sandbox/google/push/faults", json={"mode": "duplicate", "count": 3})
    sandbox.deliver(mailbox.address, **LEAD)
    assert len(await tap.wait_for("lead.received", settle=1.5)) == 1


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {"from": "ann@customer.example", "subject": "Out of office", "auto_reply": True},
            "auto-reply",
        ),
        (
            {
                "from": "news@shop.example",
                "subject": "Deals",
                "headers": {"List-Id": "<deals.shop.example>"},
            },
            "mailing list",
        ),
        ({"from": "colleague@acme.test", "subject": "lunch?"}, "own domain"),
        ({"from": "ann@customer.example", "subject": "win big", "spam": True}, "spam"),
        (
            {"from": "mailer-daemon@mx.example", "bounce": {"recipient": "x@customer.example"}},
            "bounced",
        ),
    ],
)
async def test_not_leads_are_on_record_with_their_reason(
    stack: TestStack,
    sandbox: Any,
    connected_mailbox: MailboxConnector,
    fields: dict[str, Any],
    reason: str,
) -> None:
    tap = await stack.tap("lead.received")
    ingest, mailbox = await connect(stack, sandbox, connected_mailbox, "google", "sales@acme.test")
    await ingest.runtime.pool.execute("UPDATE clients SET own_domains = '{acme.test}'")
    not_lead = sandbox.deliver(mailbox.address, **{"text": "hello", **fields})
    sandbox.deliver(mailbox.address, **{**LEAD, "from": "real@customer.example"})
    [lead] = await tap.wait_for("lead.received", settle=1.0)
    assert lead["payload"]["from_address"] == "real@customer.example"
    row = await ingest.runtime.pool.fetchrow(
        "SELECT outcome, reason FROM seen_messages WHERE provider_message_id = $1", not_lead["id"]
    )
    if reason == "spam" and row is None:
        return  # Gmail kept it out of what the watch and history report: never fetched
    assert row is not None and reason in row["reason"], row
