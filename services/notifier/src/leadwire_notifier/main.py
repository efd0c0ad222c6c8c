"""Composition root of the notifier service: wiring only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from leadwire.http import create_async_client
from leadwire.mailbox_tokens import CLIENT_SECRETS_QUEUE
from leadwire.rpc import rpc_caller
from leadwire.runtime import ServiceRuntime, run_service
from leadwire_notifier import handlers
from leadwire_notifier.api import interactions, notifications
from leadwire_notifier.context import NotifierContext
from leadwire_notifier.delivery import Deliverer, DeliveryPolicy
from leadwire_notifier.domain.notices import ConsoleLinks
from leadwire_notifier.loop import DeliveryLoop
from leadwire_notifier.providers.secrets import WebhookUrls
from leadwire_notifier.providers.slack import HttpSlack
from leadwire_notifier.retention import purge_old_rows
from leadwire_notifier.settings import NotifierSettings

MIGRATIONS = Path(__file__).parent / "migrations"
PURGE_INTERVAL = timedelta(hours=1)


def delivery_policy(settings: NotifierSettings) -> DeliveryPolicy:
    return DeliveryPolicy(
        min_interval=settings.slack_min_interval_seconds,
        coalesce_above=settings.slack_digest_after,
        max_attempts=settings.slack_max_attempts,
        retry_base=settings.slack_retry_base_seconds,
        retry_max=settings.slack_retry_max_seconds,
    )


def build_context(settings: NotifierSettings, runtime: ServiceRuntime) -> NotifierContext:
    # No retries inside the client: the delivery loop schedules every retry in Postgres.
    http = create_async_client(
        timeout=settings.slack_timeout_seconds,
        ca_bundle=settings.provider_ca_bundle,
        max_retries=0,
    )
    runtime.on_shutdown(http.aclose)
    return NotifierContext(
        settings=settings,
        runtime=runtime,
        slack=HttpSlack(http),
        urls=WebhookUrls(
            rpc_caller(runtime.broker, timeout=5),
            queue=settings.queue_prefix + CLIENT_SECRETS_QUEUE,
            ttl_seconds=settings.slack_webhook_url_ttl_seconds,
        ),
        links=ConsoleLinks(settings.public_base_url),
    )


def create_app(settings: NotifierSettings) -> FastAPI:
    runtime = ServiceRuntime.for_service(
        settings, migrations=MIGRATIONS, routers=[interactions.router, notifications.router]
    )
    ctx = build_context(settings, runtime)
    handlers.register(runtime, ctx)

    async def deliver_to_slack() -> None:
        deliverer = Deliverer(runtime.pool, ctx.slack, ctx.urls, delivery_policy(settings))
        loop = DeliveryLoop(
            runtime.pool, runtime.schema, deliverer, workers=settings.delivery_concurrency
        )
        await loop.run()

    async def purge() -> None:
        await purge_old_rows(runtime.pool, settings.notification_retention_days)

    runtime.background(deliver_to_slack, name="slack-delivery")
    runtime.every(PURGE_INTERVAL, purge, name="purge-notifications")
    app = runtime.build_app(FastAPI(title="leadwire-notifier", version="0.1.0"))
    app.state.notifier = ctx
    return app


def run() -> None:
    run_service(NotifierSettings, create_app)
