"""Tenants ("clients"): create, read, update; every change publishes
client.changed (without the Slack URL, which never leaves this service)."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import asyncpg

from leadwire.crypto import aad_for
from leadwire.events import ClientChanged, new_event
from leadwire.outbox import add_event
from leadwire_oauth import store
from leadwire_oauth.context import OAuthContext
from leadwire_oauth.domain.models import Client, mask_webhook_url
from leadwire_oauth.domain.policy import PipelineSettings


class SlugTaken(Exception):
    pass


class ForeignMailbox(Exception):
    """The primary mailbox named is not a mailbox of this client."""


def client_changed(client: Client) -> ClientChanged:
    profile = client.profile
    pipeline = PipelineSettings.model_validate(client.pipeline)
    return ClientChanged(
        client_id=client.id,
        slug=client.slug,
        name=client.name,
        revision=client.revision,
        auto_send=client.auto_send,
        business_hours=client.business_hours,
        reply_delay_seconds=client.reply_delay_seconds,
        offer=profile.get("offer", ""),
        tone=profile.get("tone", ""),
        signature=profile.get("signature", ""),
        booking_link=profile.get("booking_link") or "",
        language=profile.get("language", "en"),
        allowed_origins=client.allowed_origins,
        has_slack_webhook=client.slack_webhook_enc is not None,
        primary_mailbox_id=pipeline.primary_mailbox_id,
        notification_kinds=pipeline.notification_kinds,
        follow_up=pipeline.follow_up,
        qualification_threshold=pipeline.qualification_threshold,
        own_domains=pipeline.own_domains,
        denied_domains=pipeline.denied_domains,
    )


def _webhook_columns(ctx: OAuthContext, client_id: UUID, url: str | None) -> dict[str, Any]:
    if not url:
        return {"slack_webhook_enc": None, "slack_webhook_hint": None}
    blob = ctx.keys.encrypt_str(url, aad_for("clients", client_id, "slack_webhook_url"))
    return {"slack_webhook_enc": blob, "slack_webhook_hint": mask_webhook_url(url)}


async def create_client(ctx: OAuthContext, fields: dict[str, Any]) -> Client:
    client_id = uuid.uuid4()
    row = {"id": client_id, **fields}
    row.update(_webhook_columns(ctx, client_id, row.pop("slack_webhook_url", None)))
    try:
        async with ctx.pool.acquire() as conn, conn.transaction():
            client = await store.insert_client(conn, row)
            await add_event(conn, new_event(client_changed(client), client_id=client.id))
    except asyncpg.UniqueViolationError:
        raise SlugTaken(fields["slug"]) from None
    return client


async def update_client(
    ctx: OAuthContext, client_id: UUID, changes: dict[str, Any]
) -> Client | None:
    if "slack_webhook_url" in changes:
        changes = dict(changes)
        changes.update(_webhook_columns(ctx, client_id, changes.pop("slack_webhook_url")))
    try:
        async with ctx.pool.acquire() as conn, conn.transaction():
            if await store.get_client(conn, client_id, for_update=True) is None:
                return None
            await _check_primary_mailbox(conn, client_id, changes.get("pipeline"))
            client = await store.update_client(conn, client_id, changes)
            await add_event(conn, new_event(client_changed(client), client_id=client.id))
    except asyncpg.UniqueViolationError:
        raise SlugTaken(str(changes.get("slug"))) from None
    return client


async def _check_primary_mailbox(
    conn: asyncpg.Connection, client_id: UUID, pipeline: dict[str, Any] | None
) -> None:
    primary = (pipeline or {}).get("primary_mailbox_id")
    if primary is None:
        return
    mailbox = await store.get_mailbox(conn, UUID(str(primary)))
    if mailbox is None or mailbox.client_id != client_id:
        raise ForeignMailbox(str(primary))


async def get_client(ctx: OAuthContext, client_id: UUID) -> Client | None:
    async with ctx.pool.acquire() as conn:
        return await store.get_client(conn, client_id)


async def list_clients(ctx: OAuthContext, limit: int, offset: int) -> list[Client]:
    async with ctx.pool.acquire() as conn:
        return await store.list_clients(conn, limit=limit, offset=offset)


async def slack_webhook_url(ctx: OAuthContext, client_id: UUID) -> str | None:
    client = await get_client(ctx, client_id)
    if client is None or client.slack_webhook_enc is None:
        return None
    return ctx.keys.decrypt_str(
        client.slack_webhook_enc, aad_for("clients", client_id, "slack_webhook_url")
    )
