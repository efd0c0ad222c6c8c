"""Outlook through the sandbox's Graph: notifications with clientState, lifecycle
events, an expired deltaLink, and the mailbox's own sent mail."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from leadwire.testing import MailboxConnector, ServiceUnderTest, TestStack

from .harness import connect, sync_state

pytestmark = pytest.mark.integration
LEAD = {"from": "ann@customer.example", "subject": "Quote please", "text": "Hello from Outlook"}


def subscription_of(sandbox: Any, address: str) -> dict[str, Any]:
    [sub] = sandbox.control.get(
        "/_sandbox/microsoft/subscriptions", params={"address": address}
    ).json()
    return dict(sub)


async def notify(ingest: ServiceUnderTest, path: str, item: dict[str, Any]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=ingest.url) as anonymous:
        return await anonymous.post(f"/webhooks/microsoft/{path}", json={"value": [item]})


async def test_a_notified_outlook_message_becomes_lead_received(
    stack: TestStack, sandbox: Any, connected_mailbox: MailboxConnector
) -> None:
    tap = await stack.tap("lead.received")
    ingest, mailbox = await connect(
        stack, sandbox, connected_mailbox, "microsoft", "sales@contoso.test"
    )
    sandbox.deliver(mailbox.address, **LEAD)
    [event] = await tap.wait_for("lead.received", within=15)
    assert event["payload"]["provider"] == "microsoft"
    assert event["payload"]["body_text"] == "Hello from Outlook"
    assert event["payload"]["provider_thread_id"]
    assert (await sync_state(ingest, mailbox.mailbox_id))["last_push_at"] is not None


async def test_the_validation_handshake_echoes_the_token_as_plain_text(
    stack: TestStack, sandbox: Any
) -> None:
    from .harness import start_ingest

    ingest = await start_ingest(stack, sandbox)
    async with httpx.AsyncClient(base_url=ingest.url) as anonymous:
        for path in ("notifications", "lifecycle"):
            answer = await anonymous.post(
                f"/webhooks/microsoft/{path}", params={"validationToken": "a b+c&d"}
            )
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/plain")
            assert answer.text == "a b+c&d"
        malformed = await anonymous.post("/webhooks/microsoft/notifications", content=b"{oops")
        assert malformed.status_code == 400


async def test_a_notification_with_the_wrong_client_state_changes_nothing(
    stack: TestStack, sandbox: Any, connected_mailbox: MailboxConnector
) -> None:
    ingest, mailbox = await connect(
        stack, sandbox, connected_mailbox, "microsoft", "sales@contoso.test"
    )
    sub = subscription_of(sandbox, mailbox.address)
    forged = {
        "subscriptionId": sub["id"],
        "clientState": "guessed",
        "changeType": "created",
        "resource": "Users/x/Messages/y",
    }
    answer = await notify(ingest, "notifications", forged)
    assert answer.status_code == 202
    assert (await sync_state(ingest, mailbox.mailbox_id))["last_push_at"] is None


async def wait_for(predicate: Any, within: float = 10.0) -> None:
    for _ in range(int(within / 0.05)):
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.mark.parametrize("event", ["reauthorizationRequired", "subscriptionRemoved", "missed"])
async def test_lifecycle_events_keep_the_subscription_alive_and_catch_up(
    stack: TestStack, sandbox: Any, connected_mailbox: MailboxConnector, event: str
) -> None:
    tap = await stack.tap("lead.received")
    _, mailbox = await connect(stack, sandbox, connected_mailbox, "microsoft", "sales@contoso.test")
    before = subscription_of(sandbox, mailbox.address)
    if event == "reauthorizationRequired":  # the sandbox sends it itself near expiry
        soon = sandbox.control.post(
            f"/_sandbox/microsoft/subscriptions/{before['id']}/expire-soon", json={"seconds": 30}
        ).json()["expirationDateTime"]

        async def renewed() -> bool:
            return subscription_of(sandbox, mailbox.address)["expirationDateTime"] > soon

        await wait_for(renewed)
    else:
        sandbox.control.post(
            f"/_sandbox/microsoft/subscriptions/{before['id']}/lifecycle", json={"event": event}
        ).raise_for_status()
    if event == "subscriptionRemoved":

        async def resubscribed() -> bool:
            subs = sandbox.control.get(
                "/_sandbox/microsoft/subscriptions", params={"address": mailbox.address}
            ).json()
            return bool(subs) and subs[0]["id"] != before["id"]

        await wait_for(resubscribed)
    sandbox.deliver(mailbox.address, **LEAD)
    await tap.wait_for("lead.received", within=15)


async def test_an_expired_delta_link_restarts_the_delta_and_loses_nothing(
    stack: TestStack, sandbox: Any, connected_mailbox: MailboxConnector
) -> None:
    tap = await stack.tap("lead.received")
    ingest, mailbox = await connect(
        stack, sandbox, connected_mailbox, "microsoft", "sales@contoso.test"
    )
    before = await ingest.runtime.pool.fetchval("SELECT delta_link FROM mailboxes")
    sandbox.control.post(
        f"/_sandbox/microsoft/mailboxes/{mailbox.address}/expire-delta"
    ).raise_for_status()
    sandbox.deliver(mailbox.address, **LEAD)
    [event] = await tap.wait_for("lead.received", within=15, settle=1.0)
    assert event["payload"]["from_address"] == "ann@customer.example"
    after = await ingest.runtime.pool.fetchval("SELECT delta_link FROM mailboxes")
    assert after != before  # a fresh delta was started and its link kept
