"""/health/providers: which providers are configured, whether they answer, and
what this replica's circuit breaker currently thinks of them."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from leadwire_oauth.api.deps import ContextDep
from leadwire_oauth.domain.breaker import CircuitState

router = APIRouter(tags=["health"])


class ProviderHealth(BaseModel):
    provider: str
    # misconfigured: the provider refused our app's credentials (invalid_client).
    status: Literal["configured", "not_configured", "misconfigured"]
    token_endpoint_reachable: bool | None
    circuit: CircuitState
    # Why the circuit last opened; empty while it is closed.
    reason: str


@router.get("/health/providers")
async def providers_health(ctx: ContextDep) -> list[ProviderHealth]:
    async def check(name: str) -> ProviderHealth:
        provider = ctx.providers[name]
        guard = ctx.guards[name]
        if not provider.configured:
            return ProviderHealth(
                provider=name,
                status="not_configured",
                token_endpoint_reachable=None,
                circuit=guard.state,
                reason="",
            )
        try:
            reachable = await asyncio.wait_for(provider.probe(), timeout=5)
        except TimeoutError:
            reachable = False
        return ProviderHealth(
            provider=name,
            status="misconfigured" if guard.misconfigured else "configured",
            token_endpoint_reachable=reachable,
            circuit=guard.state,
            reason=guard.reason,
        )

    return list(await asyncio.gather(*(check(name) for name in sorted(ctx.providers))))
