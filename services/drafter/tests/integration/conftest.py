"""The drafter running for real (uvicorn, RabbitMQ, Postgres) against the sandbox's
OpenAI-compatible server, with helpers to feed it clients and leads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest_asyncio

from leadwire.events import ClientChanged, LeadReceived
from leadwire.testing import EventTap, ServiceUnderTest, TestStack, wait_until
from leadwire_drafter.main import create_app
from leadwire_drafter.settings import DrafterSettings
from leadwire_drafter.testing import CLIENT_ID, sample_client, sample_lead
from sandbox.testing import RunningSandbox

EVENTS = ("draft.created", "draft.approved", "draft.rejected", "lead.flagged")


@dataclass
class Drafter:
    service: ServiceUnderTest
    stack: TestStack
    sandbox: RunningSandbox
    tap: EventTap

    async def client(self, **changes: Any) -> ClientChanged:
        client = sample_client(**changes)
        await self.stack.publish(client, client_id=client.client_id)

        async def stored() -> bool:
            revision = await self.service.pool.fetchval(
                "SELECT revision FROM clients WHERE client_id = $1", client.client_id
            )
            return bool(revision == client.revision)

        await wait_until(stored)
        return client

    async def lead(self, **changes: Any) -> LeadReceived:
        lead = sample_lead(**changes)
        await self.stack.publish(lead, client_id=CLIENT_ID)
        return lead

    async def created(
        self, lead_id: UUID, *, at_least: int = 1, settle: float = 0.0
    ) -> list[dict[str, Any]]:
        events = await self.tap.wait_for(
            "draft.created",
            at_least=at_least,
            where=lambda e: e["payload"]["lead_id"] == str(lead_id),
            settle=settle,
        )
        payloads: list[dict[str, Any]] = [e["payload"] for e in events]
        return payloads

    def script(self, contains: str, content: str) -> None:
        """The sandbox LLM answers prompts containing `contains` with `content`."""
        body = {"contains": contains, "content": content}
        self.sandbox.control.post("/_sandbox/openai/replies", json=body).raise_for_status()

    def llm_fault(self, **rule: Any) -> None:
        self.sandbox.control.post("/_sandbox/openai/faults", json=rule).raise_for_status()

    def llm_requests(self) -> list[dict[str, Any]]:
        resp = self.sandbox.control.get("/_sandbox/openai/requests")
        resp.raise_for_status()
        requests: list[dict[str, Any]] = resp.json()
        return requests


async def start_drafter(stack: TestStack, sandbox: RunningSandbox, **overrides: Any) -> Drafter:
    settings: dict[str, Any] = {
        "openai_api_key": "sk-test-drafter",
        "openai_max_retries": 2,
        "openai_max_retry_wait_seconds": 3,
        "openai_timeout_seconds": 5,
    }
    settings.update(overrides)
    service = await stack.start(create_app, DrafterSettings, **settings)
    tap = await stack.tap(*EVENTS)
    return Drafter(service, stack, sandbox, tap)


@pytest_asyncio.fixture
async def drafter(stack: TestStack, sandbox: RunningSandbox) -> AsyncIterator[Drafter]:
    yield await start_drafter(stack, sandbox)
