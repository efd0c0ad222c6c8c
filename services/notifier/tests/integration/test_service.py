"""The notifier as it runs: events on the bus → messages in the sandbox's Slack, the
webhook URL from the real oauth service over client.secrets, Slack buttons → draft.decided."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID, uuid4

import httpx
import pytest

from leadwire.events import (
    DraftCreated,
    DraftRejected,
    EmailSendFailed,
    EmailSent,
    EmailSentByPerson,
    EventPayload,
    LeadFlagged,
    LeadReceived,
    LeadReplied,
    MailboxRevoked,
    MailboxSyncFailed,
)
from leadwire.http import ssl_context
from leadwire.testing import MailboxConnector, ServiceUnderTest, TestStack, wait_until
from leadwire_notifier.main import create_app
from leadwire_notifier.settings import NotifierSettings
from sandbox.slack_interactions import block_actions_payload, sign_interaction
from sandbox.testing import RunningSandbox

pytestmark = pytest.mark.integration

SIGNING_SECRET = "test-slack-signing-secret"
NOW = datetime(2026, 1, 2, 10, 0, tzinfo=UTC)


async def _start(stack: TestStack, **overrides: Any) -> ServiceUnderTest:
    return await stack.start(
        create_app, NotifierSettings, slack_signing_secret=SIGNING_SECRET, **overrides
    )


async def _client_with_slack(
    connected_mailbox: MailboxConnector, slack_hook: Callable[..., Any], **hook: Any
) -> tuple[UUID, Any]:
    made = slack_hook(**hook)
    client = await connected_mailbox.create_client(slack_webhook_url=made.url)
    made.client_id = UUID(client["id"])
    return made.client_id, made


async def _known(notifier: ServiceUnderTest, client_id: UUID) -> bool:
    sql = "SELECT has_slack_webhook FROM clients WHERE client_id = $1 AND revision >= 0"
    return bool(await notifier.pool.fetchval(sql, client_id))


def _every_kind(lead: LeadReceived, client_id: UUID) -> list[tuple[EventPayload, str]]:
    mailbox = uuid4()
    return [
        (lead, "New lead"),
        (LeadFlagged(lead_id=lead.lead_id, reasons=["asks for gift cards"]), "needs a person"),
        (
            DraftCreated(
                draft_id=uuid4(),
                lead_id=lead.lead_id,
                subject="Re: Quote",
                body_text="Hello Ann, thanks!",
                model="m",
                score=77,
            ),
            "Draft awaiting approval",
        ),
        (
            EmailSent(
                outbound_id=uuid4(),
                lead_id=lead.lead_id,
                mailbox_id=mailbox,
                provider="google",
                provider_message_id="s1",
                to_address=lead.from_address,
                subject="Re: Quote",
                sent_at=NOW,
            ),
            "Reply sent",
        ),
        (
            EmailSendFailed(
                outbound_id=uuid4(),
                lead_id=lead.lead_id,
                error_code="quota",
                permanent=False,
                attempts=1,
            ),
            "Sending failed",
        ),
        (
            LeadReplied(
                lead_id=lead.lead_id, mailbox_id=mailbox, provider_message_id="r1", received_at=NOW
            ),
            "The lead replied",
        ),
        (
            EmailSentByPerson(
                lead_id=lead.lead_id,
                mailbox_id=mailbox,
                provider="google",
                provider_message_id="p1",
                sent_at=NOW,
            ),
            "A person answered",
        ),
        (
            MailboxRevoked(
                mailbox_id=mailbox,
                client_id=client_id,
                provider="google",
                address="sales@acme.test",
                error_code="invalid_grant",
            ),
            "Mailbox disconnected",
        ),
        (
            MailboxSyncFailed(
                mailbox_id=mailbox,
                client_id=client_id,
                provider="google",
                address="sales@acme.test",
                stage="watch",
                error_code="http_503",
                failing_since=NOW,
                attempts=4,
            ),
            "Mailbox not syncing",
        ),
    ]


async def test_each_event_kind_posts_its_message_to_the_clients_slack(
    stack: TestStack,
    sandbox: RunningSandbox,
    connected_mailbox: MailboxConnector,
    slack_hook: Callable[..., Any],
    make_lead: Callable[..., LeadReceived],
) -> None:
    notifier = await _start(stack, slack_min_interval_seconds=0.05, slack_digest_after=40)
    client_id, hook = await _client_with_slack(
        connected_mailbox, slack_hook, rate_per_second=100, burst=20
    )
    await wait_until(lambda: _known(notifier, client_id))
    lead = make_lead()
    kinds = _every_kind(lead, client_id)
    await stack.publish(lead, client_id=client_id)
    await wait_until(lambda: len(hook.messages()) == 1)  # the lead is known from now on
    for payload, _ in kinds[1:]:
        await stack.publish(payload, client_id=client_id)
    await wait_until(lambda: len(hook.messages()) == len(kinds), within=20)
    texts = [m["text"] for m in hook.messages()]
    assert [any(word in t for t in texts) for _, word in kinds] == [True] * len(kinds)
    assert all("Ann Lee" in t for t in texts if "replied" in t or "needs a person" in t)
    page = (await notifier.http.get("/admin/notifications", params={"limit": 5})).json()
    assert len(page["items"]) == 5 and page["next_cursor"]
    rest = await notifier.http.get(
        "/admin/notifications", params={"cursor": page["next_cursor"], "status": "sent"}
    )
    ids = [n["id"] for n in page["items"] + rest.json()["items"]]
    assert len(ids) == len(kinds) and ids == sorted(ids, reverse=True)
    metrics = (await notifier.http.get("/metrics")).text
    assert 'leadwire_notifier_slack_posts_total{outcome="delivered"}' in metrics


async def test_a_burst_of_50_is_delivered_complete_in_order_and_coalesced(
    stack: TestStack,
    sandbox: RunningSandbox,
    connected_mailbox: MailboxConnector,
    slack_hook: Callable[..., Any],
    make_lead: Callable[..., LeadReceived],
) -> None:
    notifier = await _start(stack)
    client_id, hook = await _client_with_slack(connected_mailbox, slack_hook)
    await wait_until(lambda: _known(notifier, client_id))
    names = [f"Burst {i:02d}" for i in range(50)]
    for name in names:
        await stack.publish(make_lead(from_name=name), client_id=client_id)

    async def all_delivered() -> bool:
        sql = "SELECT count(*) FROM notifications WHERE status IN ('sent', 'coalesced')"
        return bool(await notifier.pool.fetchval(sql) == 50)

    await wait_until(all_delivered, within=60)
    messages = hook.messages()
    shown = [n for m in messages for n in names if n in json.dumps(m["blocks"])]
    assert shown == names
    assert len(messages) < 10
    assert hook.info()["rejected"] == 0


def _interactions_url(notifier: ServiceUnderTest) -> str:
    return f"{notifier.url}/webhooks/slack/interactions"


async def _click(sandbox: RunningSandbox, **spec: Any) -> dict[str, Any]:
    """Through the sandbox (async: it calls back into this test's event loop)."""
    async with httpx.AsyncClient(
        base_url=sandbox.base_url, verify=ssl_context(str(sandbox.ca_path)), timeout=20
    ) as control:
        answer = await control.post("/_sandbox/slack/interactions", json=spec)
    answer.raise_for_status()
    return dict(answer.json())


async def _announce_draft(
    stack: TestStack, notifier: ServiceUnderTest, client_id: UUID, hook: Any
) -> DraftCreated:
    draft = DraftCreated(
        draft_id=uuid4(), lead_id=uuid4(), subject="Re: hi", body_text="Hello!", model="m"
    )
    await stack.publish(draft, client_id=client_id)
    await wait_until(lambda: len(hook.messages()) == 1, within=10)
    return draft


async def test_an_approve_click_publishes_draft_decided_and_updates_the_message(
    stack: TestStack,
    sandbox: RunningSandbox,
    connected_mailbox: MailboxConnector,
    slack_hook: Callable[..., Any],
) -> None:
    notifier = await _start(stack)
    client_id, hook = await _client_with_slack(connected_mailbox, slack_hook)
    await wait_until(lambda: _known(notifier, client_id))
    tap = await stack.tap("draft.decided")
    draft = await _announce_draft(stack, notifier, client_id, hook)
    posted = hook.messages()[0]["payload"]
    approve = next(e for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"])
    spec = {
        "url": _interactions_url(notifier),
        "signing_secret": SIGNING_SECRET,
        "action_id": approve["action_id"],
        "value": approve["value"],
        "user": {"username": "ann"},
        "message": {"type": "message", "ts": "1.2", "text": "", "blocks": posted["blocks"]},
    }
    first = await _click(sandbox, **spec)
    assert first["status"] == 200 and "Approved by ann" in first["body"]
    [decided] = await tap.wait_for("draft.decided")
    assert decided["payload"]["draft_id"] == str(draft.draft_id)
    assert decided["payload"]["decision"] == "approve"
    assert decided["client_id"] == str(client_id)
    again = await _click(sandbox, **{**spec, "action_id": "reject"})
    assert again["status"] == 200 and "Already decided" in again["body"]
    await tap.wait_for("draft.decided", settle=0.5)
    assert len(tap.seen) == 1  # the second click published nothing

    def updated() -> list[dict[str, Any]]:
        responses = sandbox.control.get("/_sandbox/slack/responses").json()
        return [json.loads(r["body"]) for r in responses]

    await wait_until(lambda: len(updated()) == 2)
    replaced = next(r for r in updated() if r.get("replace_original"))
    assert "Approved by ann" in replaced["text"]
    assert "actions" not in [b["type"] for b in replaced["blocks"]]


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ({"signing_secret": "forged-secret"}, "does not match"),
        ({"tamper": True}, "does not match"),
        ({"timestamp": int(time.time()) - 600}, "5 minutes"),
    ],
)
async def test_forged_tampered_and_stale_clicks_are_refused_and_change_nothing(
    stack: TestStack,
    sandbox: RunningSandbox,
    connected_mailbox: MailboxConnector,
    slack_hook: Callable[..., Any],
    spec: dict[str, Any],
    reason: str,
) -> None:
    notifier = await _start(stack)
    client_id, hook = await _client_with_slack(connected_mailbox, slack_hook)
    await wait_until(lambda: _known(notifier, client_id))
    draft = await _announce_draft(stack, notifier, client_id, hook)
    click = {
        "url": _interactions_url(notifier),
        "signing_secret": SIGNING_SECRET,
        "action_id": "approve",
        "value": str(draft.draft_id),
    }
    answer = await _click(sandbox, **{**click, **spec})
    assert answer["status"] == 401 and reason in answer["body"]
    assert await notifier.pool.fetchval("SELECT count(*) FROM outbox") == 0
    assert await notifier.pool.fetchval("SELECT decision FROM drafts") is None


async def test_a_removed_webhook_is_visible_to_the_admin(
    stack: TestStack,
    sandbox: RunningSandbox,
    connected_mailbox: MailboxConnector,
    slack_hook: Callable[..., Any],
    make_lead: Callable[..., LeadReceived],
) -> None:
    notifier = await _start(stack)
    client_id, hook = await _client_with_slack(connected_mailbox, slack_hook)
    await wait_until(lambda: _known(notifier, client_id))
    hook.delete()
    await stack.publish(make_lead(), client_id=client_id)

    async def broken() -> bool:
        states = (await notifier.http.get("/admin/notifications/webhooks")).json()
        return any(s["client_id"] == str(client_id) and s["broken"] for s in states)

    await wait_until(broken, within=10)
    failed = await notifier.http.get(
        "/admin/notifications", params={"client_id": str(client_id), "status": "failed"}
    )
    [item] = failed.json()["items"]
    assert item["reason"] == "Slack webhook broken: 404 no_service"


async def test_two_replicas_share_one_pace_per_webhook_and_send_each_notice_once(
    stack: TestStack,
    sandbox: RunningSandbox,
    connected_mailbox: MailboxConnector,
    slack_hook: Callable[..., Any],
    make_lead: Callable[..., LeadReceived],
) -> None:
    first = await _start(stack, slack_digest_after=40)  # no digests: every notice alone
    await _start(stack, slack_digest_after=40, database_schema=first.settings.database_schema)
    client_id, hook = await _client_with_slack(connected_mailbox, slack_hook)
    await wait_until(lambda: _known(first, client_id))
    names = [f"Replica lead {i}" for i in range(4)]
    for name in names:
        await stack.publish(make_lead(from_name=name), client_id=client_id)
    await wait_until(lambda: len(hook.messages()) == len(names), within=20)
    assert [m["text"].split(" from ")[1].split(" &lt;")[0] for m in hook.messages()] == names
    assert hook.info()["rejected"] == 0  # two senders, still one message a second


async def test_a_click_after_a_console_decision_answers_it_and_publishes_nothing(
    stack: TestStack,
    sandbox: RunningSandbox,
    connected_mailbox: MailboxConnector,
    slack_hook: Callable[..., Any],
) -> None:
    notifier = await _start(stack)
    client_id, hook = await _client_with_slack(connected_mailbox, slack_hook)
    await wait_until(lambda: _known(notifier, client_id))
    tap = await stack.tap("draft.decided")
    draft = await _announce_draft(stack, notifier, client_id, hook)
    await stack.publish(
        DraftRejected(draft_id=draft.draft_id, lead_id=draft.lead_id, rejected_by="bob"),
        client_id=client_id,
    )

    async def rejected_here() -> bool:
        return bool(await notifier.pool.fetchval("SELECT decision = 'reject' FROM drafts"))

    await wait_until(rejected_here)
    answer = await _click(
        sandbox,
        url=_interactions_url(notifier),
        signing_secret=SIGNING_SECRET,
        action_id="approve",
        value=str(draft.draft_id),
    )
    assert answer["status"] == 200 and "Already decided: :x: Rejected by bob" in answer["body"]
    await tap.wait_for("draft.decided", at_least=0, settle=0.5)
    assert tap.seen == []


async def test_the_interactions_route_names_each_bad_request(stack: TestStack) -> None:
    notifier = await _start(stack)

    async def post(body: str, *, signed: bool = True) -> httpx.Response:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signed:
            headers.update(sign_interaction(SIGNING_SECRET, body))
        return await notifier.http.post(
            "/webhooks/slack/interactions", content=body, headers=headers
        )

    def click(action_id: str, value: str) -> str:
        payload = block_actions_payload(
            {"action_id": action_id, "value": value}, "T1", "https://slack.test/actions/1"
        )
        return urlencode({"payload": json.dumps(payload)})

    unsigned = await post(click("approve", str(uuid4())), signed=False)
    assert unsigned.status_code == 401 and "missing" in unsigned.json()["detail"]
    unknown = await post(click("approve", str(uuid4())))
    assert unknown.status_code == 404 and "was not announced here" in unknown.json()["detail"]
    garbled = await post("payload=not-json")
    assert garbled.status_code == 400 and "not JSON" in garbled.json()["detail"]
    edit = await post(click("edit", str(uuid4())))
    assert edit.status_code == 200 and edit.content == b""
    assert await notifier.pool.fetchval("SELECT count(*) FROM outbox") == 0
