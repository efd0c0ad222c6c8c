"""POST /admin/login → a bearer JWT that every service's /admin/* accepts; logout."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from leadwire_oauth import admins
from leadwire_oauth.api.deps import AdminDep, ContextDep
from leadwire_oauth.domain.policy import refuse_unstorable_text

router = APIRouter(tags=["auth"])


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        return refuse_unstorable_text(data)


class LoginResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


@router.post("/admin/login")
async def login(body: LoginRequest, request: Request, ctx: ContextDep) -> LoginResponse:
    ip = request.client.host if request.client else "unknown"
    try:
        issued = await admins.login(ctx, body.username, body.password, ip)
    except admins.LoginRefused as exc:
        headers = {"WWW-Authenticate": "Bearer"}
        if exc.retry_after > 0:
            headers["Retry-After"] = str(math.ceil(exc.retry_after))
        code = status.HTTP_429_TOO_MANY_REQUESTS if exc.throttled else status.HTTP_401_UNAUTHORIZED
        raise HTTPException(code, str(exc), headers=headers) from None
    return LoginResponse(access_token=issued.access_token, expires_in=issued.expires_in)


@router.post("/admin/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(ctx: ContextDep, admin: AdminDep) -> None:
    """This token stops working at once, in oauth; see the README for other services."""
    await admins.logout(ctx, admin)
