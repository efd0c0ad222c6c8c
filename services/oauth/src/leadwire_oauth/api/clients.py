"""/admin/clients: tenants, their reply policy and drafting profile."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from leadwire_oauth import clients
from leadwire_oauth.api.deps import AdminDep, ContextDep
from leadwire_oauth.domain.models import Client
from leadwire_oauth.domain.policy import (
    SLUG_PATTERN,
    AutoSend,
    BusinessHours,
    DraftingProfile,
    PipelineSettings,
    check_webhook_host,
    refuse_unstorable_text,
    validate_origin,
    validate_slack_webhook,
)

router = APIRouter(prefix="/admin/clients", tags=["clients"])
# Far beyond any real list, far below Postgres' bigint: a bigger offset is a 422.
MAX_OFFSET = 1_000_000_000


class ClientFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    slug: str | None = Field(default=None, pattern=SLUG_PATTERN)
    auto_send: AutoSend | None = None
    business_hours: BusinessHours | None = None
    reply_delay_seconds: int | None = Field(default=None, ge=0, le=7 * 24 * 3600)
    profile: DraftingProfile | None = None
    slack_webhook_url: str | None = Field(default=None, description="Write-only; never returned.")
    allowed_origins: list[str] | None = Field(default=None, max_length=50)
    # Replaced as a whole on PATCH: primary mailbox, Slack kinds, follow-ups, threshold,
    # own and denied domains.
    pipeline: PipelineSettings | None = None

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        return refuse_unstorable_text(data)

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str] | None) -> list[str] | None:
        return [validate_origin(v) for v in value] if value is not None else None

    @field_validator("slack_webhook_url")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        return validate_slack_webhook(value) if value else value


class ClientCreate(ClientFields):
    name: str = Field(min_length=1, max_length=200)
    slug: str = Field(pattern=SLUG_PATTERN)


class ClientOut(BaseModel):
    id: UUID
    name: str
    slug: str
    auto_send: str
    business_hours: dict[str, Any] | None
    reply_delay_seconds: int
    profile: dict[str, Any]
    allowed_origins: list[str]
    slack_webhook: str | None = Field(description="Masked; the URL itself is write-only.")
    pipeline: PipelineSettings
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, client: Client) -> ClientOut:
        return cls(
            id=client.id,
            name=client.name,
            slug=client.slug,
            auto_send=client.auto_send,
            business_hours=client.business_hours,
            reply_delay_seconds=client.reply_delay_seconds,
            profile=client.profile,
            allowed_origins=client.allowed_origins,
            slack_webhook=client.slack_webhook_hint,
            pipeline=PipelineSettings.model_validate(client.pipeline),
            created_at=client.created_at,
            updated_at=client.updated_at,
        )


def _columns(body: ClientFields, *, defaults: bool) -> dict[str, Any]:
    data = body.model_dump(mode="json", exclude_unset=not defaults)
    if defaults:
        data.setdefault("auto_send", None)
        data["auto_send"] = data["auto_send"] or "off"
        data["reply_delay_seconds"] = data.get("reply_delay_seconds") or 0
        data["profile"] = data.get("profile") or DraftingProfile().model_dump(mode="json")
        data["allowed_origins"] = data.get("allowed_origins") or []
        data["pipeline"] = data.get("pipeline") or PipelineSettings().model_dump(mode="json")
    return data


def _check_webhook(body: ClientFields, ctx: ContextDep) -> None:
    """Where the webhook may point depends on the deployment, so it is checked here."""
    if not body.slack_webhook_url:
        return
    settings = ctx.settings
    try:
        check_webhook_host(
            body.slack_webhook_url,
            settings.slack_webhook_host_list,
            allow_loopback=not settings.is_production,
        )
    except ValueError as exc:
        loc = ("body", "slack_webhook_url")
        raise RequestValidationError(
            [{"loc": loc, "msg": str(exc), "type": "value_error"}]
        ) from None


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_client(body: ClientCreate, ctx: ContextDep, _: AdminDep) -> ClientOut:
    _check_webhook(body, ctx)
    try:
        client = await clients.create_client(ctx, _columns(body, defaults=True))
    except clients.SlugTaken:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"slug {body.slug!r} is already taken"
        ) from None
    return ClientOut.of(client)


@router.get("")
async def list_clients(
    ctx: ContextDep,
    _: AdminDep,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[ClientOut]:
    return [ClientOut.of(c) for c in await clients.list_clients(ctx, limit, offset)]


@router.get("/{client_id}")
async def get_client(client_id: UUID, ctx: ContextDep, _: AdminDep) -> ClientOut:
    client = await clients.get_client(ctx, client_id)
    if client is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no client {client_id}")
    return ClientOut.of(client)


@router.patch("/{client_id}")
async def update_client(
    client_id: UUID, body: ClientFields, ctx: ContextDep, _: AdminDep
) -> ClientOut:
    _check_webhook(body, ctx)
    changes = _columns(body, defaults=False)
    for required in (
        "name",
        "slug",
        "auto_send",
        "reply_delay_seconds",
        "profile",
        "allowed_origins",
        "pipeline",
    ):
        if required in changes and changes[required] is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, f"{required} cannot be null")
    try:
        client = await clients.update_client(ctx, client_id, changes)
    except clients.SlugTaken:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"slug {body.slug!r} is already taken"
        ) from None
    except clients.ForeignMailbox as exc:
        loc = ("body", "pipeline", "primary_mailbox_id")
        raise RequestValidationError(
            [
                {
                    "loc": loc,
                    "msg": f"mailbox {exc} is not a mailbox of this client",
                    "type": "value_error",
                }
            ]
        ) from None
    if client is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no client {client_id}")
    return ClientOut.of(client)
