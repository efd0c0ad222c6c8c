"""FastAPI dependencies shared by the notifier's routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from leadwire.auth import AdminDep
from leadwire_notifier.context import NotifierContext


def get_context(request: Request) -> NotifierContext:
    ctx: NotifierContext = request.app.state.notifier
    return ctx


ContextDep = Annotated[NotifierContext, Depends(get_context)]

__all__ = ["AdminDep", "ContextDep", "get_context"]
