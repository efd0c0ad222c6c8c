"""FastAPI dependencies shared by the sender's routers, and error mapping."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from leadwire.auth import AdminDep
from leadwire_sender.context import SenderContext
from leadwire_sender.dispatch import ImmediateSender
from leadwire_sender.store import NotFoundError


def get_context(request: Request) -> SenderContext:
    ctx: SenderContext = request.app.state.sender
    return ctx


ContextDep = Annotated[SenderContext, Depends(get_context)]


def get_immediate(request: Request) -> ImmediateSender:
    immediate: ImmediateSender = request.app.state.immediate
    return immediate


ImmediateDep = Annotated[ImmediateSender, Depends(get_immediate)]


def not_found(exc: NotFoundError) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc))


__all__ = ["AdminDep", "ContextDep", "ImmediateDep", "get_context", "not_found"]
