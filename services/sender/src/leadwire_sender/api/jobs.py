"""/admin/jobs: bulk send jobs (create, progress, cancel)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from leadwire_sender import bulk
from leadwire_sender.api.deps import AdminDep, ContextDep, not_found
from leadwire_sender.api.send import Person
from leadwire_sender.intake import NoMailboxError
from leadwire_sender.store import NotFoundError

router = APIRouter(prefix="/admin/jobs", tags=["jobs"])


class RecipientIn(Person):
    variables: dict[str, Any] = Field(default_factory=dict)


class JobCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_id: UUID
    # "drafts": the client's drafts awaiting approval; "recipients": the list given here.
    source: Literal["drafts", "recipients"]
    max_count: int = Field(default=100, ge=1, le=10_000)
    mailbox_id: UUID | None = None
    template_id: UUID | None = None
    recipients: list[RecipientIn] = Field(default_factory=list, max_length=10_000)

    @model_validator(mode="after")
    def _recipients_when_listed(self) -> JobCreate:
        if self.source == "recipients" and not self.recipients:
            raise ValueError("source 'recipients' needs a non-empty recipients list")
        return self


class JobOut(BaseModel):
    id: UUID
    client_id: UUID
    status: Literal["running", "done", "cancelled"]
    total: int
    sent: int
    failed: int
    cancelled: int
    pending: int
    progress: float
    created_at: datetime

    @classmethod
    def of(cls, p: bulk.JobProgress) -> JobOut:
        state = p.job.status if p.job.status == "cancelled" else "running" if p.pending else "done"
        return cls(
            id=p.job.id,
            client_id=p.job.client_id,
            status=state,
            total=p.job.requested,
            sent=p.counts.get("sent", 0),
            failed=p.counts.get("failed", 0),
            cancelled=p.counts.get("cancelled", 0),
            pending=p.pending,
            progress=p.progress,
            created_at=p.job.created_at,
        )


@router.post("/send", status_code=status.HTTP_202_ACCEPTED)
async def create_send_job(body: JobCreate, ctx: ContextDep, admin: AdminDep) -> JobOut:
    request = bulk.BulkRequest(
        client_id=body.client_id,
        source=body.source,
        max_count=body.max_count,
        mailbox_id=body.mailbox_id,
        template_id=body.template_id,
        recipients=tuple(
            bulk.BulkRecipient(r.address, r.name, r.variables) for r in body.recipients
        ),
        created_by=admin.subject,
    )
    try:
        job_id = await bulk.create_job(ctx, request)
    except (bulk.BulkProblem, NoMailboxError) as exc:
        raise HTTPException(422, detail=str(exc)) from None
    except NotFoundError as exc:
        raise not_found(exc) from None
    return JobOut.of(await bulk.job_progress(ctx, job_id))


@router.get("/{job_id}")
async def get_job(job_id: UUID, ctx: ContextDep, _admin: AdminDep) -> JobOut:
    try:
        return JobOut.of(await bulk.job_progress(ctx, job_id))
    except NotFoundError as exc:
        raise not_found(exc) from None


@router.post("/{job_id}/cancel")
async def cancel_job(job_id: UUID, ctx: ContextDep, _admin: AdminDep) -> JobOut:
    try:
        return JobOut.of(await bulk.cancel_job(ctx, job_id))
    except NotFoundError as exc:
        raise not_found(exc) from None
