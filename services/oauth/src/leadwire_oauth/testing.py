"""Test harness: run the real oauth app (uvicorn, ServiceRuntime) against the sandbox, the
real Postgres (a fresh schema per test) and the real RabbitMQ."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aio_pika
import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from leadwire.broker import make_broker
from leadwire.crypto import aad_for
from leadwire.http import ssl_context
from leadwire.mailbox_tokens import MAILBOX_TOKEN_QUEUE
from leadwire.rpc import rpc_call
from leadwire.testing import free_port
from leadwire_oauth.context import OAuthContext
from leadwire_oauth.main import create_app
from leadwire_oauth.settings import OAuthSettings
from leadwire_oauth.tokens import TokenService

ADMIN_PASSWORD = "correct horse battery staple"


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@dataclass
class EventTap:
    """A private queue bound to leadwire.events, filtered to one test's clients."""

    queue: aio_pika.abc.AbstractQueue
    seen: list[dict[str, Any]] = field(default_factory=list)

    async def _drain(self) -> None:
        while (message := await self.queue.get(no_ack=True, fail=False)) is not None:
            self.seen.append(json.loads(message.body))

    async def of_type(
        self,
        client_id: str,
        event_type: str,
        *,
        at_least: int = 1,
        wait: float = 5.0,
        settle: float = 0.3,
    ) -> list[dict[str, Any]]:
        """Events of one type for one client: waits for `at_least`, then `settle` more
        seconds so a test can tell "exactly once" from "at least once"."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait

        def matching() -> list[dict[str, Any]]:
            return [
                e for e in self.seen if e.get("client_id") == client_id and e["type"] == event_type
            ]

        while loop.time() < deadline and len(matching()) < at_least:
            await self._drain()
            await asyncio.sleep(0.02)
        await asyncio.sleep(settle)
        await self._drain()
        return matching()


@dataclass
class OAuthHarness:
    base_url: str
    app: FastAPI
    settings: OAuthSettings
    api: httpx.AsyncClient
    rpc_broker: Any
    sandbox: Any
    events: EventTap

    @property
    def ctx(self) -> OAuthContext:
        ctx: OAuthContext = self.app.state.oauth
        return ctx

    @property
    def tokens(self) -> TokenService:
        service: TokenService = self.app.state.tokens
        return service

    async def create_client(self, **fields: Any) -> dict[str, Any]:
        body = {"name": "Acme", "slug": f"acme-{uuid.uuid4().hex[:8]}", **fields}
        response = await self.api.post("/admin/clients", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def start_connect(self, client_id: str, provider: str, address: str) -> str:
        response = await self.api.post(
            f"/admin/clients/{client_id}/connect/{provider}", json={"login_hint": address}
        )
        assert response.status_code == 200, response.text
        return str(response.json()["auth_url"])

    async def follow(
        self, auth_url: str, *, cookies: httpx.Cookies | None = None
    ) -> httpx.Response:
        """Follow the auth URL and every redirect, as a browser would."""
        async with httpx.AsyncClient(
            verify=ssl_context(str(self.sandbox.ca_path)),
            follow_redirects=True,
            timeout=20,
            cookies=self.api.cookies if cookies is None else cookies,
            headers={"Accept": "application/json"},
        ) as browser:
            return await browser.get(auth_url)

    async def connect(self, client_id: str, provider: str, address: str) -> dict[str, Any]:
        landed = await self.follow(await self.start_connect(client_id, provider, address))
        assert landed.status_code == 200, landed.text
        return dict(landed.json())

    async def provider_redirect(self, auth_url: str) -> str:
        """The callback URL the provider redirects to, without following it."""
        async with httpx.AsyncClient(verify=ssl_context(str(self.sandbox.ca_path))) as browser:
            answer = await browser.get(auth_url)
        assert answer.status_code in (302, 303), answer.text
        return str(answer.headers["location"])

    async def token(self, mailbox_id: str, *, force_refresh: bool = False) -> dict[str, Any]:
        body = {"mailbox_id": mailbox_id, "force_refresh": force_refresh}
        queue = self.settings.queue_prefix + MAILBOX_TOKEN_QUEUE
        return await rpc_call(self.rpc_broker, queue, body, timeout=10)

    async def stored_refresh_token(self, mailbox_id: str) -> str:
        async with self.ctx.pool.acquire() as conn:
            blob = await conn.fetchval(
                "SELECT refresh_token_enc FROM mailboxes WHERE id = $1", uuid.UUID(mailbox_id)
            )
        aad = aad_for("mailboxes", uuid.UUID(mailbox_id), "refresh_token")
        return self.ctx.keys.decrypt_str(bytes(blob), aad)

    async def expire_access_token(self, mailbox_id: str) -> None:
        async with self.ctx.pool.acquire() as conn:
            await conn.execute(
                "UPDATE mailboxes SET access_expires_at = now() - interval '1 minute',"
                " last_refresh_at = now() - interval '1 hour' WHERE id = $1",
                uuid.UUID(mailbox_id),
            )


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
async def oauth(
    sandbox: Any,
    postgres_dsn: str,
    rabbit_url: str,
    fresh_schema: str,
) -> AsyncIterator[OAuthHarness]:
    async with running_oauth(sandbox, postgres_dsn, rabbit_url, fresh_schema) as harness:
        yield harness


def sandbox_settings(
    sandbox: Any, postgres_dsn: str, rabbit_url: str, schema: str, port: int
) -> OAuthSettings:
    """oauth settings pointing every provider URL at a running sandbox."""
    base = sandbox.base_url
    return OAuthSettings(
        database_url=postgres_dsn,
        rabbit_url=rabbit_url,
        database_schema=schema,
        http_port=port,
        public_base_url=f"http://127.0.0.1:{port}",
        jwt_secret="test-jwt-secret-0123456789abcdef0123456789",
        encryption_keys=f"k1:{_key()}",
        state_secret="test-state-secret",
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
        provider_ca_bundle=str(sandbox.ca_path),
        queue_prefix=f"test-{schema}.",
        google_client_id=sandbox.config.google_client_id,
        google_client_secret=sandbox.config.google_client_secret,
        google_auth_uri=f"{base}/o/oauth2/v2/auth",
        google_token_uri=f"{base}/token",
        google_revoke_uri=f"{base}/revoke",
        google_userinfo_uri=f"{base}/v1/userinfo",
        gmail_api_base_url=base,
        microsoft_client_id=sandbox.config.microsoft_client_id,
        microsoft_client_secret=sandbox.config.microsoft_client_secret,
        microsoft_tenant=sandbox.config.microsoft_tenant,
        microsoft_authority_host=base,
        graph_base_url=base,
    )


@contextlib.asynccontextmanager
async def served(app: FastAPI, port: int) -> AsyncIterator[None]:
    """uvicorn in this event loop, lifespan included, until the block ends."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if serving.done():
                serving.result()
            await asyncio.sleep(0.02)
        yield
    finally:
        server.should_exit = True
        await serving
        for provider in app.state.oauth.providers.values():
            await provider.aclose()


@contextlib.asynccontextmanager
async def event_tap(rabbit_url: str) -> AsyncIterator[EventTap]:
    connection = await aio_pika.connect_robust(rabbit_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(
            "leadwire.events", aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        for key in ("client.#", "mailbox.#"):
            await queue.bind(exchange, key)
        yield EventTap(queue)


@contextlib.asynccontextmanager
async def admin_api(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as api:
        login = await api.post(
            "/admin/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert login.status_code == 200, login.text
        api.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        yield api


@contextlib.asynccontextmanager
async def running_oauth(
    sandbox: Any, postgres_dsn: str, rabbit_url: str, fresh_schema: str
) -> AsyncIterator[OAuthHarness]:
    """The oauth service on a free port, pointed at a running sandbox."""
    settings = sandbox_settings(sandbox, postgres_dsn, rabbit_url, fresh_schema, free_port())
    app = create_app(settings)
    rpc_broker = make_broker(rabbit_url, service="oauth-test")
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(_delete_rpc_queues, rabbit_url, settings.queue_prefix)
        await stack.enter_async_context(served(app, settings.http_port))
        tap = await stack.enter_async_context(event_tap(rabbit_url))
        await rpc_broker.start()
        stack.push_async_callback(rpc_broker.stop)
        api = await stack.enter_async_context(admin_api(settings.public_base_url))
        yield OAuthHarness(settings.public_base_url, app, settings, api, rpc_broker, sandbox, tap)


async def _delete_rpc_queues(rabbit_url: str, prefix: str) -> None:
    connection = await aio_pika.connect(rabbit_url)
    async with connection:
        channel = await connection.channel()
        for name in ("oauth.rpc.mailbox_token", "oauth.rpc.client_secrets"):
            await channel.queue_delete(prefix + name)
            await channel.queue_delete(prefix + name + ".dlq")
