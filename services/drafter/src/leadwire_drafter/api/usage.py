"""/admin/usage: LLM requests, tokens, cost and drafts per client and month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel

from leadwire_drafter import store
from leadwire_drafter.api.deps import AdminDep, ContextDep

router = APIRouter(prefix="/admin/usage", tags=["usage"])


class UsageOut(BaseModel):
    client_id: UUID
    month: str
    requests: int
    failed_requests: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: Decimal
    drafts: int
    template_drafts: int
    flagged: int


def _month(value: str | None, today: date) -> date:
    if value is None:
        return today.replace(day=1)
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"month {value!r} is not YYYY-MM"
        ) from None


@router.get("")
async def usage(
    ctx: ContextDep,
    _admin: AdminDep,
    client_id: UUID | None = None,
    month: str | None = Query(default=None, description="YYYY-MM (UTC); default this month"),
) -> list[UsageOut]:
    first = _month(month, ctx.clock().date())
    async with ctx.pool.acquire() as conn:
        rows = await store.get_usage(conn, client_id=client_id, month=first)
    return [UsageOut(**{**row, "month": first.strftime("%Y-%m")}) for row in rows]
