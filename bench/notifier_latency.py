"""Notifier: delay from an event on the bus to its message in Slack at idle, and how a
burst of 50 events for one client is delivered (messages, seconds).

Everything real and in this process: the notifier and oauth apps (uvicorn + FastStream)
on the local RabbitMQ and Postgres (throwaway exchange, queues and schemas), the
sandbox's Slack with its default limit (1 message/s). The delay is measured from just
before the event is published to the sandbox's receipt time of the message.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from leadwire.events import LeadReceived
from leadwire.http import ssl_context
from leadwire.testing import MailboxConnector, TestStack
from leadwire_notifier.main import create_app
from leadwire_notifier.settings import NotifierSettings
from sandbox.testing import RunningSandbox, start_sandbox

DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
RABBIT = "amqp://guest:guest@127.0.0.1:5672/"
IDLE_EVENTS = 20
BURST = 50


def lead(client_name: str, n: int) -> LeadReceived:
    return LeadReceived(
        lead_id=uuid.uuid4(),
        contact_id=uuid.uuid4(),
        source="email",
        mailbox_id=uuid.uuid4(),
        provider="google",
        provider_message_id=f"m-{n}",
        from_address=f"lead{n}@example.test",
        from_name=f"{client_name} lead {n:02d}",
        subject=f"Question {n}",
        body_text="Hello, could you send a quote?",
        received_at=datetime.now(UTC),
    )


async def messages(control: httpx.AsyncClient, hook_id: str) -> list[dict[str, Any]]:
    answer = await control.get(f"/_sandbox/slack/webhooks/{hook_id}/messages")
    return list(answer.json())


async def wait_for(control: httpx.AsyncClient, hook_id: str, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        got = await messages(control, hook_id)
        if len(got) >= count:
            return got
        await asyncio.sleep(0.01)
    raise TimeoutError(f"fewer than {count} messages")


async def setup(
    oauth: MailboxConnector, control: httpx.AsyncClient, name: str
) -> tuple[uuid.UUID, str]:
    hook = (await control.post("/_sandbox/slack/webhooks", json={"name": name})).json()
    client = await oauth.create_client(slack_webhook_url=hook["url"])
    return uuid.UUID(client["id"]), hook["id"]


async def idle_delays(
    stack: TestStack, oauth: MailboxConnector, control: httpx.AsyncClient
) -> list[float]:
    client_id, hook_id = await setup(oauth, control, "idle")
    await asyncio.sleep(1.0)  # client.changed consumed
    delays = []
    for n in range(IDLE_EVENTS):
        sent_at = time.time()
        await stack.publish(lead("idle", n), client_id=client_id)
        got = await wait_for(control, hook_id, n + 1)
        delays.append(got[n]["received_at"] - sent_at)
        await asyncio.sleep(1.1)  # idle: the webhook's 1 s pace is not what is measured
    return delays


async def burst(
    stack: TestStack, oauth: MailboxConnector, control: httpx.AsyncClient
) -> dict[str, Any]:
    client_id, hook_id = await setup(oauth, control, "burst")
    await asyncio.sleep(1.0)
    names = [f"burst lead {n:02d}" for n in range(BURST)]
    started = time.time()
    for n in range(BURST):
        await stack.publish(lead("burst", n), client_id=client_id)
    published = time.time() - started
    got: list[dict[str, Any]] = []
    while sum(len([x for x in names if x in json.dumps(m["blocks"])]) for m in got) < BURST:
        got = await wait_for(control, hook_id, len(got) + 1)
    shown = [x for m in got for x in names if x in json.dumps(m["blocks"])]
    hooks = (await control.get("/_sandbox/slack/webhooks")).json()
    return {
        "events": BURST,
        "publish_seconds": round(published, 3),
        "messages": len(got),
        "notices_per_message": [
            len([x for x in names if x in json.dumps(m["blocks"])]) for m in got
        ],
        "seconds_to_last_message": round(got[-1]["received_at"] - started, 3),
        "gaps_between_messages_s": [
            round(b["received_at"] - a["received_at"], 3) for a, b in itertools.pairwise(got)
        ],
        "complete_and_in_order": shown == names,
        "rejected_by_slack_429": next(h for h in hooks if h["id"] == hook_id)["rejected"],
    }


async def measure(sandbox: RunningSandbox) -> dict[str, Any]:
    names = uuid.uuid4().hex[:10]
    stack = TestStack(DSN, RABBIT, f"bench.events.{names}", f"b{names}.", sandbox=sandbox)
    control = httpx.AsyncClient(base_url=sandbox.base_url, verify=ssl_context(str(sandbox.ca_path)))
    try:
        notifier = await stack.start(create_app, NotifierSettings, log_level="WARNING")
        oauth = MailboxConnector(stack)  # one oauth: it answers client.secrets
        delays = await idle_delays(stack, oauth, control)
        split = await notifier.pool.fetch(SPLIT)
        burst_figures = await burst(stack, oauth, control)
    finally:
        await control.aclose()
        await stack.close()
    ordered = sorted(delays)
    return {
        "idle_event_to_slack_ms": {
            "n": len(ordered),
            "p50": round(statistics.median(ordered) * 1000, 1),
            "p95": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1),
            "max": round(ordered[-1] * 1000, 1),
        },
        # Where the idle delay goes: event → its row committed (bus + consumer), then
        # row → Slack's answer recorded (wake-up, lease, URL, POST).
        "idle_split_ms_p50": {
            "event_to_queued": _p50([r["queued"] for r in split]),
            "queued_to_sent": _p50([r["sent"] for r in split]),
        },
        "burst": burst_figures,
    }


SPLIT = """SELECT extract(epoch FROM created_at - occurred_at) AS queued,
                 extract(epoch FROM delivered_at - created_at) AS sent
          FROM notifications WHERE status = 'sent'"""


def _p50(samples: list[Any]) -> float:
    return round(statistics.median(float(s) for s in samples) * 1000, 1)


def main() -> None:
    with start_sandbox() as sandbox:
        figures = asyncio.run(measure(sandbox))
    print(json.dumps(figures, indent=2))
    out = Path(__file__).parent / "results" / "notifier_latency.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
