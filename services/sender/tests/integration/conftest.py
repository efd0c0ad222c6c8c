"""Fixtures for the sender's integration tests: its schema on a fresh Postgres schema, the
sandbox as Gmail and Graph, and access tokens obtained from the sandbox's own OAuth flows
(standing in for the oauth service's token RPC)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest
import pytest_asyncio
from pydantic import SecretStr

from leadwire.db import run_migrations
from leadwire.mailbox_tokens import AccessToken, MailboxTokenError
from leadwire_sender.context import BudgetPolicies, SenderContext
from leadwire_sender.domain.errors import RetryRules
from leadwire_sender.main import MIGRATIONS
from leadwire_sender.providers.gmail import GmailProvider
from leadwire_sender.providers.graph import GraphProvider
from leadwire_sender.providers.http import provider_client
from leadwire_sender.settings import SenderSettings
from leadwire_sender.store import directory as directory_store
from sandbox.microsoft.testing import msal_app, sign_in
from sandbox.testing import RunningSandbox, google_connect

GRAPH_SCOPES = ["Mail.ReadWrite", "Mail.Send"]
# new_mailbox(provider, address, display_name="Acme Sales") -> (mailbox_id, client_id)
MailboxFactory = Callable[..., Awaitable[tuple[UUID, UUID]]]


class SandboxTokens:
    """A token source over the sandbox's OAuth: what oauth's `mailbox.token` RPC answers."""

    def __init__(self, sandbox: RunningSandbox) -> None:
        self._sandbox = sandbox
        self._mailboxes: dict[UUID, tuple[str, str]] = {}
        self.calls: list[tuple[UUID, bool]] = []
        self.revoked: set[UUID] = set()
        self._cache: dict[UUID, AccessToken] = {}

    def add(self, mailbox_id: UUID, provider: str, address: str) -> None:
        self._mailboxes[mailbox_id] = (provider, address)

    async def get(self, mailbox_id: UUID, *, force_refresh: bool = False) -> AccessToken:
        self.calls.append((mailbox_id, force_refresh))
        cached = self._cache.get(mailbox_id)
        if cached is not None and not force_refresh:
            return cached
        if mailbox_id in self.revoked:
            raise MailboxTokenError("revoked", "invalid_grant")
        self._cache[mailbox_id] = token = self._fetch(mailbox_id)
        return token

    def _fetch(self, mailbox_id: UUID) -> AccessToken:
        provider, address = self._mailboxes[mailbox_id]
        if provider == "google":
            token = google_connect(self._sandbox, address)["access_token"]
        else:
            app = msal_app(self._sandbox.base_url, self._sandbox.ca_path, self._sandbox.config)
            token = sign_in(app, self._sandbox.ca_path, address, GRAPH_SCOPES)["access_token"]
        return AccessToken(
            mailbox_id=mailbox_id,
            token=SecretStr(token),
            expires_at=datetime.now(UTC) + timedelta(hours=1),
            provider=provider,
            address=address,
        )


@pytest.fixture
def settings() -> SenderSettings:
    return SenderSettings(jwt_secret=SecretStr("test-secret"))


@pytest_asyncio.fixture
async def sender_pool(db_pool: asyncpg.Pool, fresh_schema: str) -> asyncpg.Pool:
    await run_migrations(db_pool, fresh_schema, MIGRATIONS)
    return db_pool


@pytest_asyncio.fixture
async def ctx(
    sender_pool: asyncpg.Pool, sandbox: RunningSandbox, settings: SenderSettings
) -> AsyncIterator[SenderContext]:
    http = provider_client(sandbox.base_url, ca_bundle=str(sandbox.ca_path), timeout=10)
    context = SenderContext(
        get_pool=lambda: sender_pool,
        tokens=SandboxTokens(sandbox),
        providers={"google": GmailProvider(http), "microsoft": GraphProvider(http)},
        budgets=BudgetPolicies.from_settings(settings),
        retry=RetryRules(max_attempts=4, backoff_base=0.05, backoff_max=0.2),
        claim_seconds=30,
    )
    yield context
    await http.aclose()


@pytest_asyncio.fixture
async def mailbox_factory(ctx: SenderContext, sandbox: RunningSandbox) -> MailboxFactory:
    """`await new_mailbox("google", "sales@acme.test")` -> (mailbox_id, client_id)."""

    async def create(
        provider: str, address: str, display_name: str = "Acme Sales"
    ) -> tuple[UUID, UUID]:
        sandbox.create_mailbox(provider, address, display_name=display_name)
        mailbox_id, client_id = uuid4(), uuid4()
        assert isinstance(ctx.tokens, SandboxTokens)
        ctx.tokens.add(mailbox_id, provider, address)
        async with ctx.pool.acquire() as conn:
            await directory_store.upsert_mailbox(
                conn,
                directory_store.MailboxRow(
                    mailbox_id, client_id, provider, address, display_name, "connected"
                ),
            )
        return mailbox_id, client_id

    return create


async def outbox_events(pool: asyncpg.Pool, event_type: str) -> list[dict[str, object]]:
    rows = await pool.fetch("SELECT body FROM outbox WHERE type = $1 ORDER BY seq", event_type)
    return [row["body"]["payload"] for row in rows]
