"""Delivers Graph change and lifecycle notifications, retrying with backoff as Graph does.

Changes happen on the event loop (Graph routes) and in FastAPI's thread pool
(the generic control API), so work is handed to the loop thread-safely.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from sandbox.config import SandboxConfig
from sandbox.push_faults import PushShaper

log = logging.getLogger("sandbox.microsoft")


@dataclass
class Delivery:
    id: str
    url: str
    kind: str  # "change" | "lifecycle"
    payload: dict[str, Any]
    attempts: int = 0
    statuses: list[int | str] = field(default_factory=list)
    delivered: bool = False
    gave_up: bool = False
    address: str = ""  # the mailbox the notification is about (for push fault rules)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "kind": self.kind,
            "payload": self.payload,
            "attempts": self.attempts,
            "statuses": self.statuses,
            "delivered": self.delivered,
            "gave_up": self.gave_up,
        }


class Notifier:
    """Retry settings are read from the config on each delivery, so tests can shorten them."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.log: list[Delivery] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.shaper = PushShaper()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._client = httpx.AsyncClient(timeout=self.config.push_timeout)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
        self._client, self._loop = None, None

    def reset(self) -> None:
        """Called from the control API's worker thread: cancel on the loop's own thread."""
        self.log.clear()
        self.shaper.clear()
        if self._loop is not None:
            for task in list(self._tasks):
                self._loop.call_soon_threadsafe(task.cancel)

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:  # used before start(): a throwaway client still works
            self._client = httpx.AsyncClient(timeout=self.config.push_timeout)
        return self._client

    def submit(self, url: str, kind: str, payload: dict[str, Any], address: str = "") -> Delivery:
        delivery = Delivery(secrets.token_hex(8), url, kind, payload, address=address)
        self.log.append(delivery)
        loop = self._loop
        if loop is None:
            log.warning("notifier not started; %s notification to %s dropped", kind, url)
            return delivery
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._spawn(delivery)
        else:
            loop.call_soon_threadsafe(self._spawn, delivery)
        return delivery

    def _spawn(self, delivery: Delivery) -> None:
        shaped = self.shaper.run(delivery.address, lambda: self._deliver(delivery))
        task = asyncio.get_running_loop().create_task(shaped)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, delivery: Delivery) -> None:
        delay = self.config.push_backoff_initial
        while delivery.attempts < self.config.push_max_attempts:
            delivery.attempts += 1
            if await self._attempt(delivery):
                delivery.delivered = True
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.config.push_backoff_max)
        delivery.gave_up = True
        log.warning(
            "gave up on %s notification to %s after %d attempts",
            delivery.kind,
            delivery.url,
            delivery.attempts,
        )

    async def _attempt(self, delivery: Delivery) -> bool:
        """One POST; Graph counts an answer later than its deadline (3 s) as a failure."""
        deadline = self.config.graph_notification_deadline
        started = time.monotonic()
        try:
            response = await self.client.post(delivery.url, json=delivery.payload, timeout=deadline)
        except httpx.HTTPError as exc:
            delivery.statuses.append(type(exc).__name__)
            return False
        if time.monotonic() - started > deadline:
            delivery.statuses.append(f"late:{response.status_code}")
            return False
        delivery.statuses.append(response.status_code)
        return 200 <= response.status_code < 300

    async def validate(self, url: str, wait: float) -> str | None:
        """Graph's validationToken handshake; None when echoed, else why it failed."""
        token = f"Validation: Testing client application reachability for subscription Request-Id: {secrets.token_hex(16)}"
        started = time.monotonic()
        try:
            response = await self.client.post(
                url,
                params={"validationToken": token},
                content=b"",
                headers={"Content-Type": "text/plain; charset=utf-8"},
                timeout=wait,
            )
        except httpx.TimeoutException:
            return "Subscription validation request timed out."
        except httpx.HTTPError as exc:
            return f"Subscription validation request failed. Exception: {type(exc).__name__}."
        if time.monotonic() - started > wait:
            return "Subscription validation request timed out."
        if response.status_code != 200:
            return (
                f"Subscription validation request failed. Notification endpoint must "
                f"respond with 200 OK to validation request. Got {response.status_code}."
            )
        if not response.headers.get("content-type", "").lower().startswith("text/plain"):
            return (
                "Subscription validation request failed. Response content type must be text/plain."
            )
        if response.text != token:
            return (
                "Subscription validation request failed. Response must exactly match "
                "validationToken query parameter."
            )
        return None
