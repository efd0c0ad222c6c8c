"""FastAPI dependencies shared by the ingest routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from leadwire.auth import AdminDep
from leadwire_ingest.context import IngestContext
from leadwire_ingest.providers.google_oidc import PushTokenVerifier


def get_context(request: Request) -> IngestContext:
    ctx: IngestContext = request.app.state.ingest
    return ctx


def get_push_verifier(request: Request) -> PushTokenVerifier:
    verifier: PushTokenVerifier = request.app.state.push_verifier
    return verifier


ContextDep = Annotated[IngestContext, Depends(get_context)]
PushVerifierDep = Annotated[PushTokenVerifier, Depends(get_push_verifier)]

__all__ = ["AdminDep", "ContextDep", "PushVerifierDep"]
