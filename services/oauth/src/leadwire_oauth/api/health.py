"""/health/providers: which providers are configured and whether they answer."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from leadwire_oauth.api.deps import ContextDep

router = APIRouter(tags=["health"])


class ProviderHealth(BaseModel):
    provider: str
    status: Literal["configured", "not_configured"]
    token_endpoint_reachable: bool | None


@router.get("/health/providers")
async def providers_health(ctx: ContextDep) -> list[ProviderHealth]:
    async def check(name: str) -> ProviderHealth:
        provider = ctx.providers[name]
        if not provider.configured:
            return ProviderHealth(
                provider=name, status="not_configured", token_endpoint_reachable=None
            )
        try:
            reachable = await asyncio.wait_for(provider.probe(), timeout=5)
        except TimeoutError:
            reachable = False
        return ProviderHealth(
            provider=name, status="configured", token_endpoint_reachable=reachable
        )

    return list(await asyncio.gather(*(check(name) for name in sorted(ctx.providers))))
