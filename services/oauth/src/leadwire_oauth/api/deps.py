"""FastAPI dependencies shared by the oauth routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from leadwire.auth import AdminDep
from leadwire_oauth.context import OAuthContext


def get_context(request: Request) -> OAuthContext:
    ctx: OAuthContext = request.app.state.oauth
    return ctx


ContextDep = Annotated[OAuthContext, Depends(get_context)]

__all__ = ["AdminDep", "ContextDep", "get_context"]
