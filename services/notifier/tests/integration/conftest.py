"""Notifier integration fixtures: its schema on the real Postgres, the sandbox's Slack,
and a delivery loop wired as main.py wires it (the client.secrets RPC answered from a
dict: oauth's side of that RPC has its own tests)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from leadwire.db import run_migrations
from leadwire.http import create_async_client
from leadwire.mailbox_tokens import CLIENT_SECRETS_QUEUE
from leadwire_notifier.delivery import Deliverer, DeliveryPolicy
from leadwire_notifier.loop import DeliveryLoop
from leadwire_notifier.main import MIGRATIONS
from leadwire_notifier.providers.secrets import WebhookUrls
from leadwire_notifier.providers.slack import HttpSlack
from sandbox.testing import RunningSandbox

FAST = DeliveryPolicy(
    min_interval=1.0, coalesce_above=3, max_attempts=3, retry_base=0.3, retry_max=1.0
)


@pytest_asyncio.fixture
async def pool(db_pool: asyncpg.Pool, fresh_schema: str) -> asyncpg.Pool:
    await run_migrations(db_pool, fresh_schema, Path(MIGRATIONS))
    return db_pool


@dataclass
class SlackHook:
    """A sandbox incoming webhook for one client."""

    sandbox: RunningSandbox
    id: str
    url: str
    client_id: UUID = field(default_factory=uuid4)

    def messages(self) -> list[dict[str, Any]]:
        resp = self.sandbox.control.get(f"/_sandbox/slack/webhooks/{self.id}/messages")
        resp.raise_for_status()
        return list(resp.json())

    def info(self) -> dict[str, Any]:
        hooks = self.sandbox.control.get("/_sandbox/slack/webhooks").json()
        return next(h for h in hooks if h["id"] == self.id)

    def delete(self) -> None:
        self.sandbox.control.delete(f"/_sandbox/slack/webhooks/{self.id}").raise_for_status()


@pytest.fixture
def slack_hook(sandbox: RunningSandbox) -> Callable[..., SlackHook]:
    def make(**options: Any) -> SlackHook:
        resp = sandbox.control.post("/_sandbox/slack/webhooks", json={"name": "leads", **options})
        resp.raise_for_status()
        made = resp.json()
        return SlackHook(sandbox, made["id"], made["url"])

    return make


@dataclass
class Harness:
    pool: asyncpg.Pool
    deliverer: Deliverer
    urls_by_client: dict[UUID, str | None]
    rpc_calls: list[dict[str, Any]]


@pytest_asyncio.fixture
async def http(sandbox: RunningSandbox) -> AsyncIterator[httpx.AsyncClient]:
    client = create_async_client(ca_bundle=str(sandbox.ca_path), timeout=5, max_retries=0)
    yield client
    await client.aclose()


@pytest_asyncio.fixture
async def harness(
    pool: asyncpg.Pool, fresh_schema: str, http: httpx.AsyncClient
) -> AsyncIterator[Harness]:
    """A running delivery loop (two workers) on this test's schema."""
    urls: dict[UUID, str | None] = {}
    calls: list[dict[str, Any]] = []

    async def secrets_rpc(queue: str, body: dict[str, Any]) -> dict[str, Any]:
        assert queue == CLIENT_SECRETS_QUEUE
        calls.append(body)
        client_id = UUID(body["client_id"])
        if client_id not in urls:
            return {"ok": False, "error": "not_found"}
        return {"ok": True, "slack_webhook_url": urls[client_id]}

    webhook_urls = WebhookUrls(secrets_rpc, queue=CLIENT_SECRETS_QUEUE, ttl_seconds=60)
    deliverer = Deliverer(pool, HttpSlack(http), webhook_urls, FAST)
    loop = DeliveryLoop(pool, fresh_schema, deliverer, workers=2, idle_poll=0.5)
    task = asyncio.create_task(loop.run())
    try:
        yield Harness(pool, deliverer, urls, calls)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
