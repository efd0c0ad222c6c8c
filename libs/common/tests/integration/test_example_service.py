"""The example service of docs/writing-a-service.md, run through the `stack` harness
against the real RabbitMQ and Postgres: the consumer pattern end to end."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from leadwire.events import MailboxConnected, MailboxDisconnected
from leadwire.redelivery import ATTEMPTS_HEADER, ERROR_HEADER
from leadwire.testing import TestStack, wait_until

from ..example_service.main import WatcherSettings, create_app

pytestmark = pytest.mark.integration

CLIENT = uuid.uuid4()


def connected(mailbox_id: uuid.UUID | None = None) -> MailboxConnected:
    return MailboxConnected(
        mailbox_id=mailbox_id or uuid.uuid4(),
        client_id=CLIENT,
        provider="google",
        address="sales@acme.test",
    )


async def test_an_event_is_stored_and_its_consequence_published_with_causation(
    stack: TestStack,
) -> None:
    watcher = await stack.start(create_app, WatcherSettings)
    tap = await stack.tap("mailbox.sync_requested")

    sent = await stack.publish(connected(), client_id=CLIENT)

    [requested] = await tap.wait_for("mailbox.sync_requested")
    assert requested["payload"]["reason"] == "connected"
    assert requested["causation_id"] == str(sent.event_id)
    assert requested["correlation_id"] == str(sent.correlation_id)
    assert requested["client_id"] == str(CLIENT)
    assert await watcher.pool.fetchval("SELECT count(*) FROM mailboxes WHERE connected") == 1


async def test_a_redelivered_event_changes_nothing_twice(stack: TestStack) -> None:
    watcher = await stack.start(create_app, WatcherSettings)
    tap = await stack.tap("mailbox.sync_requested")

    sent = await stack.publish(connected(), client_id=CLIENT)
    await stack.publish(sent)  # the same event_id again

    await tap.wait_for("mailbox.sync_requested", at_least=1, settle=0.5)
    assert len(tap.seen) == 1
    inbox = await watcher.pool.fetchval("SELECT count(*) FROM inbox")
    assert inbox == 1


async def test_events_of_one_queue_dispatch_by_type(stack: TestStack) -> None:
    watcher = await stack.start(create_app, WatcherSettings)
    mailbox = connected()
    await stack.publish(mailbox, client_id=CLIENT)

    async def stored() -> bool:
        return bool(await watcher.pool.fetchval("SELECT count(*) FROM mailboxes"))

    # consumers of one queue run concurrently: order is only what the test waits for
    await wait_until(stored, within=10)
    gone = MailboxDisconnected(
        mailbox_id=mailbox.mailbox_id, client_id=CLIENT, provider="google", address="x@y.test"
    )
    await stack.publish(gone, client_id=CLIENT)

    async def disconnected() -> bool:
        state = await watcher.pool.fetchval(
            "SELECT connected FROM mailboxes WHERE id = $1", mailbox.mailbox_id
        )
        return state is False

    await wait_until(disconnected, within=10)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "InvalidEventError"),
        (json.dumps({"type": "mailbox.connected", "payload": {}}).encode(), "InvalidEventError"),
        (
            json.dumps({"type": "mailbox.exploded", "version": 1, "payload": {}}).encode(),
            "UnknownEventError",
        ),
    ],
)
async def test_a_contract_violation_is_parked_at_once_with_its_reason(
    stack: TestStack, body: bytes, reason: str
) -> None:
    watcher = await stack.start(create_app, WatcherSettings)
    queue = f"{stack.queue_prefix}watcher.mailboxes"

    await stack.publish_raw("mailbox.connected", body)

    parked: list = []

    async def is_parked() -> bool:
        parked.extend(await stack.parked(queue))
        return bool(parked)

    await wait_until(is_parked, within=10)
    assert parked[0].headers[ATTEMPTS_HEADER] == 1
    assert str(parked[0].headers[ERROR_HEADER]).startswith(reason)
    assert await watcher.pool.fetchval("SELECT count(*) FROM mailboxes") == 0


async def test_a_type_the_handler_does_not_take_is_parked(stack: TestStack) -> None:
    await stack.start(create_app, WatcherSettings)
    queue = f"{stack.queue_prefix}watcher.mailboxes"
    # a valid event of another type, routed to this queue by mistake
    from leadwire.events import MailboxRevoked, new_event

    wrong = new_event(
        MailboxRevoked(
            mailbox_id=uuid.uuid4(),
            client_id=CLIENT,
            provider="google",
            address="a@b.test",
            error_code="invalid_grant",
        ),
        client_id=CLIENT,
    )
    await stack.publish_raw("mailbox.connected", wrong.to_json_bytes())
    parked: list = []

    async def is_parked() -> bool:
        parked.extend(await stack.parked(queue))
        return bool(parked)

    await wait_until(is_parked, within=10)
    assert "takes mailbox.connected, mailbox.disconnected" in str(parked[0].headers[ERROR_HEADER])


async def test_the_scheduled_job_runs_once_per_interval_across_two_replicas(
    stack: TestStack,
) -> None:
    first = await stack.start(create_app, WatcherSettings, count_every_seconds=0.3)
    # a second replica: same schema, same queues
    await stack.start(
        create_app,
        WatcherSettings,
        count_every_seconds=0.3,
        database_schema=first.settings.database_schema,
    )
    await asyncio.sleep(2.0)
    runs = await first.pool.fetchval("SELECT count(*) FROM mailbox_counts")
    # ~7 intervals in 2 s; two replicas each running it would give ~14
    assert 4 <= runs <= 8
