"""Composition root of the sender service: wiring only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI

from leadwire.mailbox_tokens import MAILBOX_TOKEN_QUEUE, MailboxTokenClient
from leadwire.rpc import rpc_caller
from leadwire.runtime import ServiceRuntime, run_service
from leadwire_sender import handlers
from leadwire_sender.api import jobs, outbound, send, templates
from leadwire_sender.context import BudgetPolicies, SenderContext
from leadwire_sender.dispatch import ImmediateSender, drain
from leadwire_sender.domain.errors import RetryRules
from leadwire_sender.providers.base import MailProvider
from leadwire_sender.providers.gmail import GmailProvider
from leadwire_sender.providers.graph import GraphProvider
from leadwire_sender.providers.http import provider_client
from leadwire_sender.settings import SenderSettings
from leadwire_sender.store import directory as directory_store

MIGRATIONS = Path(__file__).parent / "migrations"
IDEMPOTENCY_KEEP = timedelta(days=2)


def create_app(settings: SenderSettings) -> FastAPI:
    runtime = ServiceRuntime.for_service(
        settings,
        migrations=MIGRATIONS,
        routers=[send.router, outbound.router, templates.router, jobs.router],
    )
    tokens = MailboxTokenClient(
        rpc_caller(runtime.broker, timeout=settings.token_rpc_timeout_seconds),
        queue=settings.queue_prefix + MAILBOX_TOKEN_QUEUE,
    )
    ctx = SenderContext(
        get_pool=lambda: runtime.pool,
        tokens=tokens,
        providers=_providers(settings, runtime),
        budgets=BudgetPolicies.from_settings(settings),
        retry=RetryRules(settings.send_max_attempts, backoff_max=settings.send_backoff_max_seconds),
        claim_seconds=settings.send_claim_seconds,
        batch_size=settings.drain_batch_size,
        max_attachments_bytes=settings.max_attachments_bytes,
        follow_up_text=settings.follow_up_default_text,
    )
    immediate = ImmediateSender(ctx)
    runtime.on_shutdown(immediate.close)
    handlers.register(runtime, ctx, immediate)

    async def send_due() -> None:
        await drain(ctx)

    async def purge_idempotency_keys() -> None:
        async with runtime.pool.acquire() as conn:
            await directory_store.purge_idempotency_keys(conn, datetime.now(UTC) - IDEMPOTENCY_KEEP)

    runtime.every(timedelta(seconds=settings.drain_interval_seconds), send_due, name="send-due")
    runtime.every(timedelta(hours=1), purge_idempotency_keys, name="purge-idempotency-keys")
    app = runtime.build_app(FastAPI(title="leadwire-sender", version="0.1.0"))
    app.state.sender = ctx
    app.state.immediate = immediate
    return app


def _providers(settings: SenderSettings, runtime: ServiceRuntime) -> dict[str, MailProvider]:
    ca, timeout = settings.provider_ca_bundle, settings.provider_timeout_seconds
    gmail_http = provider_client(settings.gmail_api_base_url, ca_bundle=ca, timeout=timeout)
    graph_http = provider_client(settings.graph_base_url, ca_bundle=ca, timeout=timeout)
    runtime.on_shutdown(gmail_http.aclose)
    runtime.on_shutdown(graph_http.aclose)
    return {"google": GmailProvider(gmail_http), "microsoft": GraphProvider(graph_http)}


def run() -> None:
    run_service(SenderSettings, create_app)
