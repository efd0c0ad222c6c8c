"""Connecting mailboxes: start (admin), provider callbacks (browser),
connection status and disconnect (admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from leadwire.contracts.base import Provider
from leadwire_oauth import connections, mailbox_moves
from leadwire_oauth.api.deps import AdminDep, ContextDep
from leadwire_oauth.api.pages import outcome
from leadwire_oauth.domain.grants import (
    ConnectError,
    ProviderMisconfigured,
    ProviderUnavailable,
)
from leadwire_oauth.domain.models import (
    ConnectionStatus,
    client_statuses,
    connection_status,
    disconnected_status,
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
    mailboxes = await connections.client_mailboxes(ctx, client_id)
    if mailboxes is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no client {client_id}")
    return [_status_out(item) for item in client_statuses(mailboxes)]


@router.delete("/admin/mailboxes/{mailbox_id}")
async def disconnect_mailbox(mailbox_id: UUID, ctx: ContextDep, _: AdminDep) -> MailboxStatusOut:
    mailbox = await connections.disconnect_mailbox(ctx, mailbox_id, reason="disconnected_by_admin")
    if mailbox is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no mailbox {mailbox_id}")
    return _status_out(disconnected_status(mailbox))


@router.post("/admin/clients/{client_id}/disconnect")
async def disconnect_client(
    client_id: UUID, ctx: ContextDep, _: AdminDep
) -> list[MailboxStatusOut]:
    done = await connections.disconnect_client(ctx, client_id)
    if done is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no client {client_id}")
    return [_status_out(disconnected_status(m)) for m in done]


class MoveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_id: UUID = Field(description="The client the mailbox moves to.")


@router.post("/admin/mailboxes/{mailbox_id}/move")
async def move_mailbox(
    mailbox_id: UUID, body: MoveRequest, ctx: ContextDep, _: AdminDep
) -> MailboxStatusOut:
    """Hand a mailbox (and its grant, if connected) to another client."""
    try:
        mailbox = await mailbox_moves.move_mailbox(ctx, mailbox_id, body.client_id)
    except mailbox_moves.MoveRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    if mailbox is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no mailbox {mailbox_id}")
    if mailbox.status == "disconnected":
        return _status_out(disconnected_status(mailbox))
    return _status_out(connection_status(mailbox))
