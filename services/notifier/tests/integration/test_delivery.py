"""Queued notices reach the sandbox's Slack in order, at Slack's pace, and Slack's
answers (429, 5xx, 404 no_service) are honoured."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from leadwire.events import ClientChanged, EventPayload, LeadReceived
from leadwire.testing import TcpProxy, wait_until
from leadwire_notifier.domain.notices import ConsoleLinks
from leadwire_notifier.notify import EventInfo, apply_client_changed, record_notice

pytestmark = pytest.mark.integration

LINKS = ConsoleLinks("https://console.test")


async def _event(pool: asyncpg.Pool, client_id: UUID, payload: EventPayload) -> UUID:
    info = EventInfo(uuid4(), client_id, datetime.now(UTC))
    async with pool.acquire() as conn, conn.transaction():
        await record_notice(conn, info, payload, LINKS)
    return info.event_id


async def _statuses(pool: asyncpg.Pool, client_id: UUID) -> list[tuple[str, str]]:
    rows = await pool.fetch(
        "SELECT status, reason FROM notifications WHERE client_id = $1 ORDER BY id", client_id
    )
    return [(r["status"], r["reason"]) for r in rows]


async def _settled(pool: asyncpg.Pool, client_id: UUID) -> bool:
    return "queued" not in [s for s, _ in await _statuses(pool, client_id)]


async def test_a_new_lead_reaches_the_clients_webhook(
    harness: Any, slack_hook: Callable[..., Any], make_lead: Callable[..., LeadReceived]
) -> None:
    hook = slack_hook()
    harness.urls_by_client[hook.client_id] = hook.url
    lead = make_lead()
    await _event(harness.pool, hook.client_id, lead)
    await wait_until(lambda: len(hook.messages()) == 1)
    (message,) = hook.messages()
    assert "New lead" in message["text"] and "Ann Lee" in message["text"]
    assert f"https://console.test/#/leads/{lead.lead_id}" in str(message["blocks"])
    await wait_until(lambda: _settled(harness.pool, hook.client_id))
    assert await _statuses(harness.pool, hook.client_id) == [("sent", "")]


async def test_a_burst_of_50_arrives_complete_in_order_coalesced_within_slacks_rate(
    harness: Any, slack_hook: Callable[..., Any], make_lead: Callable[..., LeadReceived]
) -> None:
    hook = slack_hook()
    harness.urls_by_client[hook.client_id] = hook.url
    subjects = [f"Burst lead {i:02d}" for i in range(50)]
    for subject in subjects:
        await _event(harness.pool, hook.client_id, make_lead(subject=subject, from_name=subject))
    await wait_until(lambda: _settled(harness.pool, hook.client_id), within=30)
    messages = hook.messages()
    shown = [s for m in messages for s in subjects if s in str(m["blocks"])]
    assert shown == subjects  # every lead once, in the order the events came
    assert len(messages) < 10  # coalesced, not 50 messages
    assert hook.info()["rejected"] == 0  # never faster than the webhook takes
    statuses = {s for s, _ in await _statuses(harness.pool, hook.client_id)}
    assert statuses <= {"sent", "coalesced"} and "coalesced" in statuses


async def test_429_retry_after_is_honoured(
    harness: Any,
    slack_hook: Callable[..., Any],
    make_lead: Callable[..., LeadReceived],
) -> None:
    hook = slack_hook()
    harness.urls_by_client[hook.client_id] = hook.url
    fault = hook.sandbox.add_fault(
        path=hook.url.split(hook.sandbox.base_url)[1], status=429, retry_after=3, count=1
    )
    await _event(harness.pool, hook.client_id, make_lead())
    await wait_until(lambda: _fault_hits(hook, fault["id"]) == 1)

    async def next_slot_where_slack_asked() -> bool:  # not a second from now: ~3 s
        wait = await harness.pool.fetchval(
            "SELECT extract(epoch FROM next_send_at - clock_timestamp()) FROM clients"
            " WHERE client_id = $1 AND lease_until IS NULL",
            hook.client_id,
        )
        return wait is not None and wait > 1.5

    await wait_until(next_slot_where_slack_asked, within=2)
    await wait_until(lambda: _settled(harness.pool, hook.client_id), within=10)
    assert len(hook.messages()) == 1
    rows = await harness.pool.fetch("SELECT status, attempts FROM notifications")
    assert [(r["status"], r["attempts"]) for r in rows] == [("sent", 1)]


def _fault_hits(hook: Any, fault_id: int) -> int:
    faults = hook.sandbox.control.get("/_sandbox/faults").json()
    return int(next(f["hits"] for f in faults if f["id"] == fault_id))


async def test_slack_down_then_up_delivers_after_retries(
    harness: Any, slack_hook: Callable[..., Any], make_lead: Callable[..., LeadReceived]
) -> None:
    hook = slack_hook()
    harness.urls_by_client[hook.client_id] = hook.url
    path = hook.url.split(hook.sandbox.base_url)[1]
    hook.sandbox.add_fault(path=path, status=503, count=2)
    await _event(harness.pool, hook.client_id, make_lead())
    await wait_until(lambda: len(hook.messages()) == 1)
    await wait_until(lambda: _settled(harness.pool, hook.client_id))
    rows = await harness.pool.fetch("SELECT status, attempts FROM notifications")
    assert [(r["status"], r["attempts"]) for r in rows] == [("sent", 3)]


async def test_slack_down_too_long_fails_visibly_and_a_requeue_delivers_it(
    harness: Any, slack_hook: Callable[..., Any], make_lead: Callable[..., LeadReceived]
) -> None:
    hook = slack_hook()
    harness.urls_by_client[hook.client_id] = hook.url
    path = hook.url.split(hook.sandbox.base_url)[1]
    fault = hook.sandbox.add_fault(path=path, timeout_seconds=0.1, count=3)  # answers 504
    await _event(harness.pool, hook.client_id, make_lead())
    await wait_until(lambda: _settled(harness.pool, hook.client_id))
    ((status, reason),) = await _statuses(harness.pool, hook.client_id)
    assert status == "failed" and reason.startswith("gave up after 3 attempts: 504")
    assert _fault_hits(hook, fault["id"]) == 3 and hook.messages() == []
    async with harness.pool.acquire() as conn, conn.transaction():
        from leadwire_notifier.store.notifications import requeue_failed

        assert await requeue_failed(conn, hook.client_id, None) == 1
    await wait_until(lambda: len(hook.messages()) == 1)


async def test_a_removed_webhook_marks_the_client_broken_and_stops(
    harness: Any, slack_hook: Callable[..., Any], make_lead: Callable[..., LeadReceived]
) -> None:
    hook = slack_hook()
    harness.urls_by_client[hook.client_id] = hook.url
    hook.delete()
    await _event(harness.pool, hook.client_id, make_lead())
    await wait_until(lambda: _settled(harness.pool, hook.client_id))
    await _event(harness.pool, hook.client_id, make_lead())  # after: not even queued
    statuses = await _statuses(harness.pool, hook.client_id)
    assert statuses == [
        ("failed", "Slack webhook broken: 404 no_service"),
        ("skipped", "Slack webhook broken: 404 no_service"),
    ]
    broken = await harness.pool.fetchrow(
        "SELECT webhook_broken_at, webhook_broken_reason FROM clients WHERE client_id = $1",
        hook.client_id,
    )
    assert broken["webhook_broken_at"] is not None
    # The admin sets a new URL: client.changed with a newer revision clears the flag.
    replacement = harness.urls_by_client[hook.client_id] = _new_hook_url(slack_hook)
    harness.deliverer.urls.forget(hook.client_id)
    async with harness.pool.acquire() as conn, conn.transaction():
        await apply_client_changed(conn, _client_changed(hook.client_id, revision=5))
    await _event(harness.pool, hook.client_id, make_lead())
    await wait_until(lambda: _settled(harness.pool, hook.client_id))
    assert (await _statuses(harness.pool, hook.client_id))[-1] == ("sent", "")
    assert replacement


def _new_hook_url(slack_hook: Callable[..., Any]) -> str:
    return str(slack_hook().url)


def _client_changed(client_id: UUID, **fields: Any) -> ClientChanged:
    values: dict[str, Any] = {
        "client_id": client_id,
        "slug": "acme",
        "name": "Acme",
        "has_slack_webhook": True,
    }
    values.update(fields)
    return ClientChanged(**values)


async def test_a_client_without_slack_or_not_wanting_a_kind_is_skipped_quietly(
    harness: Any, make_lead: Callable[..., LeadReceived]
) -> None:
    no_url, picky = uuid4(), uuid4()
    harness.urls_by_client[no_url] = None  # oauth knows it, without a webhook
    async with harness.pool.acquire() as conn, conn.transaction():
        await apply_client_changed(
            conn, _client_changed(picky, revision=1, notification_kinds=["email.sent"])
        )
    await _event(harness.pool, no_url, make_lead())
    await _event(harness.pool, picky, make_lead())
    await wait_until(lambda: _settled(harness.pool, no_url))
    assert await _statuses(harness.pool, no_url) == [("skipped", "client has no Slack webhook")]
    assert await _statuses(harness.pool, picky) == [
        ("skipped", "client does not want lead.received")
    ]


async def test_slack_unreachable_then_back_delivers_after_retries(
    harness: Any, slack_hook: Callable[..., Any], make_lead: Callable[..., LeadReceived]
) -> None:
    hook = slack_hook()
    sandbox_port = int(hook.sandbox.base_url.rsplit(":", 1)[1])
    proxy = TcpProxy("127.0.0.1", sandbox_port)
    await proxy.start()
    harness.urls_by_client[hook.client_id] = hook.url.replace(
        f":{sandbox_port}/", f":{proxy.port}/"
    )
    await proxy.cut()  # Slack is gone: connections refused
    await _event(harness.pool, hook.client_id, make_lead())

    async def tried() -> bool:
        return bool(await harness.pool.fetchval("SELECT attempts >= 1 FROM notifications"))

    await wait_until(tried)
    await proxy.restore()
    await wait_until(lambda: _settled(harness.pool, hook.client_id))
    row = await harness.pool.fetchrow("SELECT status, attempts, reason FROM notifications")
    assert row["status"] == "sent" and row["attempts"] >= 2
    assert len(hook.messages()) == 1
    await proxy.cut()
