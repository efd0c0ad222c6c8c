"""Webhook logic without a broker: the Pub/Sub token verifier against the sandbox's
Google certs, and notifications recorded as sync work in Postgres."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from leadwire.http import ssl_context
from leadwire_ingest.context import IngestContext
from leadwire_ingest.domain.models import ClientInfo, Mailbox
from leadwire_ingest.notifications import (
    GraphNotice,
    gmail_push,
    graph_lifecycle,
    graph_notifications,
)
from leadwire_ingest.providers.google_oidc import PushAuthError, PushTokenVerifier
from leadwire_ingest.settings import IngestSettings
from leadwire_ingest.store import mailboxes
from leadwire_ingest.watching import hash_client_state

pytestmark = pytest.mark.integration
AUDIENCE = "https://ingest.example/webhooks/gmail/push"
ACCOUNT = "gmail-api-push@system.gserviceaccount.com"


def mint(sandbox: Any, **spec: Any) -> str:
    return str(sandbox.control.post("/_sandbox/google/tokens/id-token", json=spec).json()["token"])


async def test_the_verifier_accepts_pubsub_tokens_and_names_why_it_refuses_others(
    sandbox: Any,
) -> None:
    good = {"aud": AUDIENCE, "email": ACCOUNT, "email_verified": True}
    async with httpx.AsyncClient(verify=ssl_context(str(sandbox.ca_path))) as http:
        verifier = PushTokenVerifier(http, f"{sandbox.base_url}/oauth2/v1/certs", AUDIENCE, ACCOUNT)
        claims = await verifier.verify(f"Bearer {mint(sandbox, claims=good)}")
        assert claims["email"] == ACCOUNT
        cases = {
            "no header": (None, 401),
            "wrong audience": (f"Bearer {mint(sandbox, claims={**good, 'aud': 'https://x'})}", 401),
            "wrong key": (f"Bearer {mint(sandbox, claims=good, wrong_key=True)}", 401),
            "wrong account": (
                f"Bearer {mint(sandbox, claims={**good, 'email': 'x@evil.example'})}",
                403,
            ),
            "unverified": (
                f"Bearer {mint(sandbox, claims={**good, 'email_verified': False})}",
                403,
            ),
            "expired": (f"Bearer {mint(sandbox, claims={**good, 'exp': 1000, 'iat': 900})}", 401),
        }
        for name, (header, status) in cases.items():
            with pytest.raises(PushAuthError) as refused:
                await verifier.verify(header)
            assert refused.value.status == status, name


def context(pool: asyncpg.Pool) -> IngestContext:
    settings = IngestSettings(jwt_secret="x" * 40, environment="test")
    return IngestContext(get_pool=lambda: pool, providers={}, settings=settings)


async def sync_requests(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT body FROM outbox WHERE type = 'mailbox.sync_requested' ORDER BY seq"
    )
    return [r["body"]["payload"] for r in rows]


async def test_a_gmail_push_queues_a_sync_only_when_past_the_cursor(
    ingest_pool: asyncpg.Pool, acme: tuple[ClientInfo, Mailbox]
) -> None:
    _, mailbox = acme
    ctx = context(ingest_pool)
    async with ingest_pool.acquire() as conn:
        await mailboxes.set_cursor(conn, mailbox.mailbox_id, history_id="500")
    assert await gmail_push(ctx, "SALES@acme.test", "499") == 0  # late push: nothing new
    assert await gmail_push(ctx, "sales@acme.test", "501") == 1
    assert await gmail_push(ctx, "nobody@acme.test", "900") == 0
    assert [r["history_id"] for r in await sync_requests(ingest_pool)] == ["501"]


async def test_graph_notifications_need_the_right_client_state(
    ingest_pool: asyncpg.Pool, acme: tuple[ClientInfo, Mailbox]
) -> None:
    _, mailbox = acme
    ctx = context(ingest_pool)
    async with ingest_pool.acquire() as conn:
        await mailboxes.set_subscription(
            conn, mailbox.mailbox_id, "sub-1", None, hash_client_state("s3cret")
        )
    forged = GraphNotice("sub-1", "guess", "Users/u/Messages/m")
    genuine = GraphNotice("sub-1", "s3cret", "Users/u/Messages/m")
    assert await graph_notifications(ctx, [forged]) == 0
    assert await graph_notifications(ctx, [genuine, genuine]) == 1  # one sync per mailbox
    assert (
        await graph_lifecycle(ctx, [GraphNotice("sub-1", "s3cret", lifecycle_event="missed")]) == 1
    )
    assert (
        await graph_lifecycle(ctx, [GraphNotice("unknown", "s3cret", lifecycle_event="missed")])
        == 0
    )
    assert [r["reason"] for r in await sync_requests(ingest_pool)] == ["notification", "lifecycle"]
