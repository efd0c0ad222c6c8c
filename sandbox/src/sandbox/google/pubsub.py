"""Pub/Sub push delivery of Gmail watch notifications, with Pub/Sub's retry behaviour.

Each notification is POSTed as a push envelope with an OIDC bearer token; a
non-2xx answer (or no answer) is retried with exponential backoff, as a push
subscription does. Every attempt is recorded for the control API.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import secrets
from collections.abc import Awaitable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from sandbox.config import SandboxConfig
from sandbox.google.oidc import OidcSigner
from sandbox.push_faults import PushShaper

log = logging.getLogger("sandbox.pubsub")
# Pub/Sub push backoff bounds (the subscription's retry policy: 10 s minimum, 600 s maximum).
PUBSUB_MIN_BACKOFF, PUBSUB_MAX_BACKOFF = 10.0, 600.0
_USER_AGENT = "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)"


@dataclass
class PushTarget:
    endpoint: str
    audience: str


@dataclass
class PushAttempt:
    email_address: str
    history_id: int
    message_id: str
    attempt: int
    endpoint: str
    status: int | None  # None: no HTTP answer
    error: str | None
    acked: bool
    at: str
    retry_in: float | None = None  # seconds until the next attempt (None: acked or gave up)


def _rfc3339_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def push_envelope(
    subscription: str, email: str, history_id: int, message_id: str
) -> dict[str, Any]:
    data = base64.b64encode(json.dumps({"emailAddress": email, "historyId": history_id}).encode())
    published = _rfc3339_now()
    return {
        "message": {
            "data": data.decode(),
            "messageId": message_id,
            "message_id": message_id,
            "publishTime": published,
            "publish_time": published,
            "attributes": {},
        },
        "subscription": subscription,
    }


class PubSubPusher:
    def __init__(self, config: SandboxConfig, signer: OidcSigner) -> None:
        self.config = config
        self.signer = signer
        self.attempts: list[PushAttempt] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None
        self.shaper = PushShaper()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        # Push endpoints are the services' own (often plain http on loopback).
        self._client = httpx.AsyncClient(timeout=self.config.push_timeout, verify=False)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def reset(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self.attempts.clear()
        self.shaper.clear()

    def backoff(self) -> tuple[float, float]:
        """(first retry delay, longest delay): fast by default, or Pub/Sub's 10 s .. 600 s."""
        if self.config.push_retry_schedule == "realistic":
            return PUBSUB_MIN_BACKOFF, PUBSUB_MAX_BACKOFF
        return self.config.push_backoff_initial, self.config.push_backoff_max

    def notify(self, target: PushTarget, email: str, history_id: int) -> None:
        """Schedule one push (safe to call from any thread once started)."""
        if self._loop is None:
            log.warning("push for %s dropped: pusher not started", email)
            return
        self._loop.call_soon_threadsafe(self._spawn, target, email, history_id)

    def _spawn(self, target: PushTarget, email: str, history_id: int) -> None:
        message_id = str(10**15 + secrets.randbelow(9 * 10**15))  # kept on redelivery

        def deliver() -> Awaitable[None]:
            return self._deliver(target, email, history_id, message_id)

        task = asyncio.ensure_future(self.shaper.run(email, deliver))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(
        self, target: PushTarget, email: str, history_id: int, message_id: str
    ) -> None:
        body = push_envelope(self.config.push_subscription, email, history_id, message_id)
        delay, longest = self.backoff()
        for attempt in range(1, self.config.push_max_attempts + 1):
            acked = await self._attempt(target, body, email, history_id, message_id, attempt)
            if acked:
                return
            if attempt < self.config.push_max_attempts:
                self.attempts[-1].retry_in = delay
                await asyncio.sleep(delay)
                delay = min(delay * 2, longest)
        log.warning(
            "push for %s historyId %s gave up after %s attempts",
            email,
            history_id,
            self.config.push_max_attempts,
        )

    async def _attempt(
        self,
        target: PushTarget,
        body: dict[str, Any],
        email: str,
        history_id: int,
        message_id: str,
        attempt: int,
    ) -> bool:
        assert self._client is not None
        token = self.signer.push_token(target.audience, self.config.push_service_account)
        headers = {"Authorization": f"Bearer {token}", "User-Agent": _USER_AGENT}
        status, error = None, None
        try:
            resp = await self._client.post(target.endpoint, json=body, headers=headers)
            status = resp.status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        acked = status is not None and 200 <= status < 300  # any 2xx acks
        self.attempts.append(
            PushAttempt(
                email,
                history_id,
                message_id,
                attempt,
                target.endpoint,
                status,
                error,
                acked,
                _rfc3339_now(),
            )
        )
        return acked

    def attempts_json(self, address: str | None) -> list[dict[str, Any]]:
        return [
            asdict(a)
            for a in self.attempts
            if address is None or a.email_address.lower() == address.lower()
        ]
