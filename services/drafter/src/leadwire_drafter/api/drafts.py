"""/admin/drafts: list and read drafts, approve (with edits), reject, regenerate."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from leadwire_drafter import deciding, drafting, store
from leadwire_drafter.api.cursor import decode_cursor, encode_cursor
from leadwire_drafter.api.deps import AdminDep, ContextDep
from leadwire_drafter.domain.draft import Draft

router = APIRouter(prefix="/admin/drafts", tags=["drafts"])

StatusFilter = Literal["awaiting_approval", "approved", "rejected", "auto", "sent", "superseded"]


class DraftOut(BaseModel):
    id: UUID
    client_id: UUID
    lead_id: UUID
    mailbox_id: UUID | None
    status: str
    subject: str
    body_text: str
    body_html: str
    language: str
    model: str
    is_template: bool
    auto_send: bool
    send_after: datetime | None
    score: int
    score_reasons: list[str]
    score_source: str
    guard_verdict: str
    check_failures: list[str]
    reasons: list[str]
    supersedes: UUID | None
    edited: bool
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str
    created_at: datetime | None
    # Only on GET /admin/drafts/{id}: each guard signal with its weight.
    guard_signals: list[dict[str, Any]] = []

    @classmethod
    def of(cls, d: Draft) -> DraftOut:
        return cls(
            **{name: getattr(d, name) for name in cls.model_fields if hasattr(d, name)}
            | {
                "score_reasons": list(d.score_reasons),
                "check_failures": list(d.check_failures),
                "reasons": list(d.reasons),
            }
        )


class DraftPageOut(BaseModel):
    items: list[DraftOut]
    next_cursor: str | None


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str | None = Field(default=None, min_length=1, max_length=500)
    body_text: str | None = Field(default=None, min_length=1, max_length=20000)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=1000)


class RegenerateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    instructions: str = Field(default="", max_length=2000)


@router.get("")
async def list_drafts(
    ctx: ContextDep,
    _admin: AdminDep,
    status_: StatusFilter | None = Query(default=None, alias="status"),
    client_id: UUID | None = None,
    cursor: str | None = None,
    limit: int = Query(default=50, ge=1, le=200),
) -> DraftPageOut:
    after = decode_cursor(cursor) if cursor else None
    async with ctx.pool.acquire() as conn:
        page = await store.list_drafts(
            conn, status=status_, client_id=client_id, after=after, limit=limit
        )
    return DraftPageOut(
        items=[DraftOut.of(d) for d in page.drafts],
        next_cursor=encode_cursor(page.next_after) if page.next_after else None,
    )


@router.get("/{draft_id}")
async def get_draft(draft_id: UUID, ctx: ContextDep, _admin: AdminDep) -> DraftOut:
    async with ctx.pool.acquire() as conn:
        draft = await store.get_draft(conn, draft_id)
        signals = await store.signals_for_draft(conn, draft_id) if draft else []
    if draft is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"draft {draft_id} not found")
    return DraftOut.of(draft).model_copy(update={"guard_signals": signals})


@router.post("/{draft_id}/approve")
async def approve_draft(
    draft_id: UUID, ctx: ContextDep, admin: AdminDep, body: ApproveIn | None = None
) -> DraftOut:
    edits = body or ApproveIn()
    approval = deciding.Approval(by=admin.subject, subject=edits.subject, body_text=edits.body_text)
    try:
        async with ctx.transaction() as conn:
            draft = await deciding.approve(conn, draft_id, approval, now=ctx.clock())
    except deciding.DraftNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except deciding.DecisionConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, exc.conflict.reason) from None
    return DraftOut.of(draft)


@router.post("/{draft_id}/reject")
async def reject_draft(
    draft_id: UUID, ctx: ContextDep, admin: AdminDep, body: RejectIn | None = None
) -> DraftOut:
    reason = (body or RejectIn()).reason
    try:
        async with ctx.transaction() as conn:
            draft = await deciding.reject(
                conn, draft_id, by=admin.subject, reason=reason, now=ctx.clock()
            )
    except deciding.DraftNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except deciding.DecisionConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, exc.conflict.reason) from None
    return DraftOut.of(draft)


@router.post("/{draft_id}/regenerate", status_code=status.HTTP_201_CREATED)
async def regenerate_draft(
    draft_id: UUID, ctx: ContextDep, admin: AdminDep, body: RegenerateIn | None = None
) -> DraftOut:
    instructions = (body or RegenerateIn()).instructions
    try:
        draft = await drafting.regenerate(
            ctx, draft_id, instructions=instructions, requested_by=admin.subject
        )
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except drafting.NotRegenerable as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, exc.reason) from None
    return DraftOut.of(draft)
