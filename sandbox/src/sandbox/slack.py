"""Fake Slack: incoming webhooks (with Slack's answers and rate limit) and signed interactions.

Webhook URLs are made through the control API, one per client:
POST /_sandbox/slack/webhooks {"client": "...", "name": "..."} → {"url": ".../services/T../B../..."}.
"""

from __future__ import annotations

import json
import math
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx
from fastapi import APIRouter, Body, HTTPException, Request
from fastapi.responses import Response

from sandbox.config import SandboxConfig
from sandbox.slack_interactions import block_actions_payload, sign_interaction

__all__ = ["SlackFake", "sign_interaction"]

_UPPER = string.ascii_uppercase + string.digits


def _slack_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_UPPER) for _ in range(10))


def _text(body: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status, headers=headers, media_type="text/html")


# Slack: "1 per second, with short bursts above that allowed"; a second message in the
# same second passes, a long burst is refused. {"strict": true} refuses the second one.
DEFAULT_BURST = 3.0


@dataclass
class Webhook:
    id: str
    team: str
    bot: str
    token: str
    client: str | None
    name: str | None
    rate_per_second: float = 1.0
    burst: float = DEFAULT_BURST
    tokens: float = DEFAULT_BURST
    refilled_at: float = field(default_factory=time.monotonic)
    messages: list[dict[str, Any]] = field(default_factory=list)
    rejected: int = 0

    def path(self) -> str:
        return f"/services/{self.team}/{self.bot}/{self.token}"

    def take(self) -> float | None:
        """None when a message may pass now, else seconds until one may (token bucket)."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.refilled_at) * self.rate_per_second)
        self.refilled_at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return (1 - self.tokens) / self.rate_per_second

    def public(self, base_url: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": base_url + self.path(),
            "client": self.client,
            "name": self.name,
            "rate_per_second": self.rate_per_second,
            "burst": self.burst,
            "messages": len(self.messages),
            "rejected": self.rejected,
        }


def parse_webhook_body(raw: bytes, content_type: str) -> dict[str, Any] | str:
    """The JSON message, or the Slack error word for a bad one."""
    text = raw.decode("utf-8", "replace")
    if "application/x-www-form-urlencoded" in content_type:
        text = (parse_qs(text).get("payload") or [""])[0]
    try:
        message = json.loads(text)
    except ValueError:
        return "invalid_payload"
    if not isinstance(message, dict):
        return "invalid_payload"
    if "blocks" in message and not isinstance(message["blocks"], list):
        return "invalid_blocks"
    if not message.get("text") and not message.get("blocks") and not message.get("attachments"):
        return "no_text"
    return message


class SlackFake:
    name = "slack"

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.team = "T0SANDBOX1"
        self.webhooks: dict[str, Webhook] = {}
        self.responses: list[dict[str, Any]] = []  # posts to interactions' response_url
        self.interactions: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def routers(self) -> list[APIRouter]:
        router = APIRouter(tags=["slack"])

        @router.post("/services/{team}/{bot}/{token}")
        async def incoming_webhook(team: str, bot: str, token: str, request: Request) -> Response:
            return self.receive(
                f"/services/{team}/{bot}/{token}",
                await request.body(),
                request.headers.get("content-type", ""),
            )

        @router.post("/actions/{team}/{n}/{token}")
        async def response_url(team: str, n: str, token: str, request: Request) -> Response:
            self.responses.append(
                {"path": request.url.path, "body": (await request.body()).decode()}
            )
            return _text("ok")

        return [router]

    def receive(self, path: str, raw: bytes, content_type: str) -> Response:
        hook = next((h for h in self.webhooks.values() if h.path() == path), None)
        if hook is None:
            return _text("no_service", 404)
        message = parse_webhook_body(raw, content_type)
        if isinstance(message, str):
            return _text(message, 400)
        with self._lock:
            wait = hook.take()
            if wait is not None:
                hook.rejected += 1
                return _text("rate_limited", 429, {"Retry-After": str(max(1, math.ceil(wait)))})
            hook.messages.append(
                {
                    "received_at": time.time(),
                    "text": message.get("text"),
                    "blocks": message.get("blocks"),
                    "payload": message,
                }
            )
        return _text("ok")

    def create_webhook(
        self,
        client: str | None,
        name: str | None,
        rate_per_second: float = 1.0,
        burst: float = DEFAULT_BURST,
    ) -> Webhook:
        if rate_per_second <= 0 or burst < 1:
            raise ValueError("rate_per_second must be > 0 and burst >= 1")
        hook = Webhook(
            _slack_id("W"),
            self.team,
            _slack_id("B"),
            secrets.token_urlsafe(18)[:24],
            client,
            name,
            rate_per_second,
            burst,
            burst,
        )
        self.webhooks[hook.id] = hook
        return hook

    async def send_interaction(self, spec: dict[str, Any], base_url: str) -> dict[str, Any]:
        """POST a signed block_actions payload (form-encoded payload=<json>) to spec["url"]."""
        if not spec.get("url") or not spec.get("signing_secret"):
            raise ValueError("'url' and 'signing_secret' are required")
        response_url = f"{base_url}/actions/{self.team}/{secrets.randbelow(10**12)}/{secrets.token_urlsafe(18)}"
        payload = spec.get("payload") or block_actions_payload(spec, self.team, response_url)
        body = urlencode({"payload": json.dumps(payload)})
        headers = sign_interaction(spec["signing_secret"], body, spec.get("timestamp"))
        if spec.get("tamper"):  # the signature no longer matches the body that is sent
            body += "&tampered=1"
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        async with httpx.AsyncClient(timeout=10) as client:
            answer = await client.post(spec["url"], content=body, headers=headers)
        record = {
            "url": spec["url"],
            "payload": payload,
            "status": answer.status_code,
            "body": answer.text,
            "headers": headers,
        }
        self.interactions.append(record)
        return record

    def control_router(self) -> APIRouter:
        router = APIRouter(tags=["control: slack"])

        def base(request: Request) -> str:
            return str(request.base_url).rstrip("/")

        def hook(hook_id: str) -> Webhook:
            if hook_id not in self.webhooks:
                raise HTTPException(404, f"no webhook {hook_id!r}")
            return self.webhooks[hook_id]

        @router.post("/webhooks", status_code=201)
        def create(request: Request, body: dict[str, Any] = Body(default={})) -> dict[str, Any]:
            try:
                strict = bool(body.get("strict"))  # one per second, no burst at all
                made = self.create_webhook(
                    body.get("client"),
                    body.get("name"),
                    float(body.get("rate_per_second", 1.0)),
                    1.0 if strict else float(body.get("burst", DEFAULT_BURST)),
                )
            except (TypeError, ValueError) as exc:
                raise HTTPException(400, str(exc)) from exc
            return made.public(base(request))

        @router.get("/webhooks")
        def list_hooks(request: Request) -> list[dict[str, Any]]:
            return [h.public(base(request)) for h in self.webhooks.values()]

        @router.get("/webhooks/{hook_id}/messages")
        def messages(hook_id: str) -> list[dict[str, Any]]:
            return list(hook(hook_id).messages)

        @router.delete("/webhooks/{hook_id}")
        def delete(hook_id: str) -> dict[str, Any]:
            self.webhooks.pop(hook(hook_id).id)
            return {"deleted": hook_id}

        @router.post("/interactions")
        async def interaction(request: Request, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
            try:
                return await self.send_interaction(body, base(request))
            except ValueError as exc:
                raise HTTPException(400, str(exc)) from exc
            except httpx.HTTPError as exc:
                raise HTTPException(502, f"interaction POST failed: {exc!r}") from exc

        @router.get("/responses")
        def responses() -> list[dict[str, Any]]:
            return list(self.responses)

        return router

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def reset(self) -> None:
        self.webhooks.clear()
        self.responses.clear()
        self.interactions.clear()
