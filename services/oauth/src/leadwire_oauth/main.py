"""Composition root of the oauth service: wiring only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI

from leadwire.auth import AdminClaims
from leadwire.crypto import KeyRing, StateSigner
from leadwire.rpc import declare_rpc_dlqs
from leadwire.runtime import ServiceRuntime, run_service
from leadwire_oauth import admins, store
from leadwire_oauth.api import admins as admins_api
from leadwire_oauth.api import auth, clients, connections, errors, health
from leadwire_oauth.context import OAuthContext
from leadwire_oauth.handlers import register_rpc, rpc_queue_names
from leadwire_oauth.providers.factory import build_guards, build_providers
from leadwire_oauth.settings import OAuthSettings
from leadwire_oauth.tokens import TokenService

MIGRATIONS = Path(__file__).parent / "migrations"
FLOW_PURGE_INTERVAL = timedelta(hours=1)


def create_app(settings: OAuthSettings) -> FastAPI:
    runtime = ServiceRuntime.for_service(
        settings,
        migrations=MIGRATIONS,
        routers=[
            auth.router,
            admins_api.router,
            clients.router,
            connections.router,
            health.router,
        ],
    )
    providers = build_providers(settings)
    ctx = OAuthContext(
        settings=settings,
        runtime=runtime,
        keys=KeyRing.from_string(settings.encryption_keys.get_secret_value()),
        state_signer=StateSigner(settings.state_secret.get_secret_value()),
        providers=providers,
        guards=build_guards(settings, providers),
        admin_signing_key=settings.admin_signing_key(),
    )
    tokens = TokenService(ctx)
    register_rpc(runtime.broker, ctx, tokens)

    async def first_admin() -> None:
        await admins.ensure_first_admin(ctx)

    async def rpc_dead_letter_queues() -> None:
        await declare_rpc_dlqs(settings.rabbit_url, rpc_queue_names(ctx))

    async def purge_expired_flows() -> None:
        async with ctx.pool.acquire() as conn:
            await store.delete_expired_flows(conn, datetime.now(UTC))
        await admins.purge_expired(ctx)

    runtime.on_startup(first_admin)
    runtime.on_startup(rpc_dead_letter_queues)
    runtime.every(FLOW_PURGE_INTERVAL, purge_expired_flows, name="purge-expired-flows")
    app = runtime.build_app(FastAPI(title="leadwire-oauth", version="0.1.0"))
    errors.install(app)
    app.state.oauth = ctx
    app.state.admin_public_key = ctx.admin_signing_key.public_key()

    async def admin_token_check(claims: AdminClaims) -> None:
        await admins.check_token(ctx, claims)

    app.state.admin_token_check = admin_token_check
    app.state.tokens = tokens
    return app


def run() -> None:
    run_service(OAuthSettings, create_app)
