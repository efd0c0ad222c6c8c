"""FastAPI dependencies shared by the drafter's routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from leadwire.auth import AdminDep
from leadwire_drafter.context import DrafterContext


def get_context(request: Request) -> DrafterContext:
    ctx: DrafterContext = request.app.state.drafter
    return ctx


ContextDep = Annotated[DrafterContext, Depends(get_context)]

__all__ = ["AdminDep", "ContextDep", "get_context"]
