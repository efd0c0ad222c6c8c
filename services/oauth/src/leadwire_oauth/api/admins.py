"""/admin/admins: list, create and delete admins; change one's own password."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from leadwire_oauth import admins
from leadwire_oauth.admin_store import Admin
from leadwire_oauth.api.auth import LoginResponse
from leadwire_oauth.api.deps import AdminDep, ContextDep
from leadwire_oauth.domain.policy import refuse_unstorable_text

router = APIRouter(prefix="/admin/admins", tags=["admins"])

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$"


class AdminOut(BaseModel):
    id: UUID
    username: str
    created_at: datetime

    @classmethod
    def of(cls, admin: Admin) -> AdminOut:
        return cls(id=admin.id, username=admin.username, created_at=admin.created_at)


class AdminCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(pattern=USERNAME_PATTERN)
    password: str = Field(min_length=12, max_length=1000)

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        return refuse_unstorable_text(data)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=12, max_length=1000)

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        return refuse_unstorable_text(data)


@router.get("")
async def list_admins(ctx: ContextDep, _: AdminDep) -> list[AdminOut]:
    return [AdminOut.of(a) for a in await admins.list_admins(ctx)]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_admin(body: AdminCreate, ctx: ContextDep, _: AdminDep) -> AdminOut:
    try:
        return AdminOut.of(await admins.create_admin(ctx, body.username, body.password))
    except admins.AdminConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None


@router.delete("/{admin_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_admin(admin_id: UUID, ctx: ContextDep, admin: AdminDep) -> None:
    try:
        deleted = await admins.delete_admin(ctx, admin_id, admin)
    except admins.AdminConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    if deleted is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no admin {admin_id}")


@router.put("/me/password")
async def change_password(body: PasswordChange, ctx: ContextDep, admin: AdminDep) -> LoginResponse:
    """Every older token of this admin stops working; the answer is a fresh one."""
    try:
        issued = await admins.change_password(ctx, admin, body.current_password, body.new_password)
    except admins.LoginRefused as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from None
    return LoginResponse(access_token=issued.access_token, expires_in=issued.expires_in)
