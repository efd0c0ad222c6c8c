"""Connecting mailboxes: start (admin), provider callbacks (browser),
connection status and disconnect (admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from leadwire.contracts.base import Provider
from leadwire_oauth import connections, store
from leadwire_oauth.api.deps import AdminDep, ContextDep
from leadwire_oauth.api.pages import outcome
from leadwire_oauth.domain.grants import (
    ConnectError,
    ProviderMisconfigured,
    ProviderUnavailable,
)
from leadwire_oauth.domain.models import (
    PROVIDERS,
    ConnectionStatus,
    Mailbox,
    connection_status,
)
from leadwire_oauth.domain.policy import refuse_unstorable_text

router = APIRouter(tags=["connections"])


class ConnectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    login_hint: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        return refuse_unstorable_text(data)


class ConnectResponse(BaseModel):
    auth_url: str


class MailboxStatusOut(BaseModel):
    mailbox_id: UUID | None
    provider: str
    address: str | None
    status: str
    scopes: list[str]
    last_refresh_at: datetime | None
    last_error: str | None


def _status_out(item: ConnectionStatus) -> MailboxStatusOut:
    return MailboxStatusOut(**item.__dict__)


@router.post("/admin/clients/{client_id}/connect/{provider}")
async def start_connect(
    client_id: UUID,
    provider: Provider,
    request: Request,
    response: Response,
    ctx: ContextDep,
    _: AdminDep,
    body: ConnectRequest | None = None,
) -> ConnectResponse:
    try:
        start = await connections.start_connect(
            ctx, client_id, provider, str(body.login_hint) if body and body.login_hint else None
        )
    except connections.ClientNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no client {client_id}") from None
    except ConnectError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, exc.message) from None
    except ProviderUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from None
    # Binds the callback to this browser; SameSite=Lax survives the provider's redirect.
    response.set_cookie(
        start.cookie_name,
        start.cookie_value,
        max_age=ctx.settings.state_ttl_seconds,
        path="/oauth",
        httponly=True,
        samesite="lax",
        secure=ctx.settings.public_base_url.startswith("https"),
    )
    return ConnectResponse(auth_url=start.auth_url)


@router.get("/oauth/{provider}/callback")
async def oauth_callback(provider: Provider, request: Request, ctx: ContextDep) -> Response:
    query = dict(request.query_params)
    try:
        connected = await connections.complete_connect(ctx, provider, query, request.cookies)
    except (
        connections.StateRejected,
        ConnectError,
        ProviderUnavailable,
        ProviderMisconfigured,
    ) as exc:
        return _refused(request, exc)
    mailbox = connected.mailbox
    verb = "reconnected" if connected.reconnected else "connected"
    message = f"{mailbox.address} ({provider}) is {verb}. Leadwire will answer its leads."
    data = {
        "ok": True,
        "mailbox_id": str(mailbox.id),
        "client_id": str(mailbox.client_id),
        "address": mailbox.address,
        "provider": provider,
        "reconnected": connected.reconnected,
        "scopes": mailbox.scopes,
    }
    return outcome(request, 200, "Mailbox connected", message, data)


def _refused(request: Request, exc: Exception) -> Response:
    """Every failed callback ends on a page (or JSON) that says what happened."""
    if isinstance(exc, connections.StateRejected):
        status, title, error, message = 400, "Connection refused", "invalid_state", str(exc)
    elif isinstance(exc, ConnectError):
        status = 409 if exc.reason == "address_taken" else 400
        title, error, message = "Mailbox not connected", exc.reason, exc.message
    elif isinstance(exc, ProviderMisconfigured):
        status, title, error = 502, "Provider refused Leadwire", "provider_misconfigured"
        message = "The provider refused Leadwire's app credentials; the operator is alerted."
    else:
        status, title, error = 502, "Provider unavailable", "provider_unavailable"
        message = f"{exc} Try again in a moment."
    return outcome(
        request, status, title, message, {"ok": False, "error": error, "message": message}
    )


@router.get("/admin/clients/{client_id}/connection-status")
async def connection_status_of(
    client_id: UUID, ctx: ContextDep, _: AdminDep
) -> list[MailboxStatusOut]:
    async with ctx.pool.acquire() as conn:
        if await store.get_client(conn, client_id) is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no client {client_id}")
        mailboxes = [
            m for m in await store.list_mailboxes(conn, client_id) if m.status != "disconnected"
        ]
    items = [connection_status(m) for m in mailboxes]
    for provider in PROVIDERS:
        if not any(m.provider == provider for m in mailboxes):
            items.append(
                ConnectionStatus(
                    mailbox_id=None, provider=provider, address=None, status="not_configured"
                )
            )
    return [_status_out(i) for i in items]


@router.delete("/admin/mailboxes/{mailbox_id}")
async def disconnect_mailbox(mailbox_id: UUID, ctx: ContextDep, _: AdminDep) -> MailboxStatusOut:
    mailbox = await connections.disconnect_mailbox(ctx, mailbox_id, reason="disconnected_by_admin")
    if mailbox is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no mailbox {mailbox_id}")
    return _disconnected(mailbox)


@router.post("/admin/clients/{client_id}/disconnect")
async def disconnect_client(
    client_id: UUID, ctx: ContextDep, _: AdminDep
) -> list[MailboxStatusOut]:
    async with ctx.pool.acquire() as conn:
        if await store.get_client(conn, client_id) is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no client {client_id}")
        mailboxes = await store.list_mailboxes(conn, client_id)
    done = []
    for mailbox in mailboxes:
        if mailbox.status != "disconnected":
            await connections.disconnect_mailbox(ctx, mailbox.id, reason="client_disconnected")
            done.append(_disconnected(mailbox))
    return done


def _disconnected(mailbox: Mailbox) -> MailboxStatusOut:
    return _status_out(
        ConnectionStatus(
            mailbox_id=mailbox.id,
            provider=mailbox.provider,
            address=mailbox.address,
            status="disconnected",
        )
    )
