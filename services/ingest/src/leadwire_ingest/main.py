"""Composition root of the ingest service: wiring only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from uuid import UUID

from fastapi import FastAPI

from leadwire.http import create_async_client
from leadwire.mailbox_tokens import MAILBOX_TOKEN_QUEUE, MailboxTokenClient
from leadwire.rpc import rpc_caller
from leadwire.runtime import ServiceRuntime, run_service
from leadwire_ingest import handlers
from leadwire_ingest.api import forms, leads, mailboxes, webhooks
from leadwire_ingest.context import IngestContext
from leadwire_ingest.polling import poll_due_mailboxes
from leadwire_ingest.providers.base import AuthorizedHttp, MailProvider
from leadwire_ingest.providers.gmail import GmailProvider
from leadwire_ingest.providers.google_oidc import PushTokenVerifier
from leadwire_ingest.providers.graph import GraphProvider
from leadwire_ingest.settings import IngestSettings
from leadwire_ingest.watching import renew_due_watches

MIGRATIONS = Path(__file__).parent / "migrations"
ROUTERS = [webhooks.router, forms.router, leads.router, mailboxes.router]


def _providers(settings: IngestSettings, http: AuthorizedHttp) -> dict[str, MailProvider]:
    graph = GraphProvider(
        http,
        settings.graph_base_url,
        notification_url=settings.callback_url("/webhooks/microsoft/notifications"),
        lifecycle_url=settings.callback_url("/webhooks/microsoft/lifecycle"),
        lifetime=timedelta(minutes=settings.graph_subscription_minutes),
    )
    gmail = GmailProvider(http, settings.gmail_api_base_url, settings.gmail_pubsub_topic)
    return {"google": gmail, "microsoft": graph}


def create_app(settings: IngestSettings) -> FastAPI:
    runtime = ServiceRuntime.for_service(settings, migrations=MIGRATIONS, routers=ROUTERS)
    http = create_async_client(ca_bundle=settings.provider_ca_bundle, timeout=15.0)
    runtime.on_shutdown(http.aclose)
    tokens = MailboxTokenClient(
        rpc_caller(runtime.broker, timeout=5), queue=settings.queue_prefix + MAILBOX_TOKEN_QUEUE
    )

    async def access_token(mailbox_id: UUID, force_refresh: bool) -> str:
        token = await tokens.get(mailbox_id, force_refresh=force_refresh)
        return token.token.get_secret_value()

    ctx = IngestContext(
        get_pool=lambda: runtime.pool,
        providers=_providers(settings, AuthorizedHttp(http, access_token)),
        settings=settings,
    )
    handlers.register(runtime, ctx)
    runtime.every(
        timedelta(seconds=settings.poll_interval_seconds),
        lambda: poll_due_mailboxes(ctx),
        name="poll-mailboxes",
    )
    runtime.every(
        timedelta(seconds=settings.renew_check_interval_seconds),
        lambda: renew_due_watches(ctx),
        name="renew-watches",
    )
    app = runtime.build_app(FastAPI(title="leadwire-ingest", version="0.1.0"))
    app.state.ingest = ctx
    app.state.push_verifier = PushTokenVerifier(
        http,
        settings.google_certs_url,
        settings.push_audience(),
        settings.pubsub_push_service_account,
    )
    return app


def run() -> None:
    run_service(IngestSettings, create_app)
