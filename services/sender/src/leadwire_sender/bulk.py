"""Bulk send jobs: many outbound messages under one job id, each on its own (a failure
never stops the rest) and each through its mailbox's budget like any other send."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal
from uuid import UUID, uuid4

from leadwire.contracts.base import TOLERATE_UNKNOWN
from leadwire.contracts.drafts import DraftCreated
from leadwire_sender.context import SenderContext
from leadwire_sender.domain.drafts import UnanswerableDraftError, outbound_for_draft
from leadwire_sender.domain.mime import new_message_id
from leadwire_sender.domain.outbound import Outbound, OutboundStatus, Recipient
from leadwire_sender.domain.templates import TemplateProblem, TemplateSource, render
from leadwire_sender.intake import NoMailboxError, draft_to_send, sender_for
from leadwire_sender.store import Conn, NotFoundError
from leadwire_sender.store import content as content_store
from leadwire_sender.store import outbound as outbound_store


class BulkProblem(ValueError):
    pass


@dataclass(frozen=True)
class BulkRecipient:
    address: str
    name: str = ""
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BulkRequest:
    client_id: UUID
    source: Literal["drafts", "recipients"]
    max_count: int
    mailbox_id: UUID | None = None
    template_id: UUID | None = None
    recipients: tuple[BulkRecipient, ...] = ()
    created_by: str = ""


@dataclass(frozen=True)
class JobProgress:
    job: content_store.JobRow
    counts: dict[str, int]

    @property
    def pending(self) -> int:
        return self.counts.get("queued", 0) + self.counts.get("sending", 0)

    @property
    def progress(self) -> float:
        total = self.job.requested
        return 1.0 if total == 0 else round((total - self.pending) / total, 4)


async def create_job(ctx: SenderContext, request: BulkRequest) -> UUID:
    job_id = uuid4()
    async with ctx.pool.acquire() as conn, conn.transaction():
        template = await _template(conn, request)
        await content_store.insert_job(
            conn,
            content_store.JobRow(
                job_id, request.client_id, request.mailbox_id, request.template_id, 0,
                "running", request.created_by, ctx.clock(),
            ),
        )  # fmt: skip
        if request.source == "drafts":
            count = await _from_drafts(ctx, conn, request, job_id)
        else:
            count = await _to_recipients(ctx, conn, request, job_id, template)
        await content_store.set_job_requested(conn, job_id, count)
    return job_id


async def job_progress(ctx: SenderContext, job_id: UUID) -> JobProgress:
    async with ctx.pool.acquire() as conn:
        job = await content_store.get_job(conn, job_id)
        return JobProgress(job, await outbound_store.status_counts_for_job(conn, job_id))


async def cancel_job(ctx: SenderContext, job_id: UUID) -> JobProgress:
    """Messages not yet handed to a provider are cancelled; those in flight finish."""
    async with ctx.pool.acquire() as conn, conn.transaction():
        await content_store.get_job(conn, job_id)
        await content_store.cancel_job(conn, job_id)
        await outbound_store.cancel_queued_for_job(conn, job_id)
    return await job_progress(ctx, job_id)


async def _template(conn: Conn, request: BulkRequest) -> TemplateSource | None:
    if request.template_id is None:
        if request.source == "recipients":
            raise BulkProblem("a job to a list of recipients needs template_id")
        return None
    try:
        row = await content_store.get_template(conn, request.template_id)
    except NotFoundError:
        raise BulkProblem(f"template {request.template_id} not found") from None
    if row.client_id != request.client_id:
        raise BulkProblem("the template belongs to another client")
    return TemplateSource(row.subject, row.body_text, row.body_html)


async def _from_drafts(ctx: SenderContext, conn: Conn, request: BulkRequest, job_id: UUID) -> int:
    """The client's drafts awaiting approval, oldest first: sending them approves them."""
    count = 0
    for _, payload in await content_store.take_pending_drafts(
        conn, request.client_id, request.max_count
    ):
        draft = DraftCreated.model_validate(payload, context={TOLERATE_UNKNOWN: True})
        try:
            sender = await sender_for(
                conn, request.client_id, draft.mailbox_id or request.mailbox_id
            )
            out = outbound_for_draft(
                draft_to_send(draft), sender, client_id=request.client_id,
                correlation_id=None, now=ctx.clock(),
            )  # fmt: skip
        except (UnanswerableDraftError, NoMailboxError):
            continue  # nothing to send it with; the draft stays with the drafter
        count += await outbound_store.insert(
            conn, replace(out, job_id=job_id, created_by=request.created_by)
        )
    return count


async def _to_recipients(
    ctx: SenderContext,
    conn: Conn,
    request: BulkRequest,
    job_id: UUID,
    template: TemplateSource | None,
) -> int:
    assert template is not None
    sender = await sender_for(conn, request.client_id, request.mailbox_id)
    for person in request.recipients[: request.max_count]:
        variables = {"name": person.name, "email": person.address, **person.variables}
        out = Outbound(
            id=uuid4(), client_id=request.client_id, mailbox_id=sender.mailbox_id,
            kind="new_thread", rfc_message_id=new_message_id(sender.address),
            sender_name=sender.display_name, to=(Recipient(person.address, person.name),),
            subject="", body_text="", due_at=ctx.clock(), job_id=job_id,
            created_by=request.created_by,
        )  # fmt: skip
        try:
            rendered = render(template, variables)
            out = replace(
                out, subject=rendered.subject, body_text=rendered.text, body_html=rendered.html
            )
        except TemplateProblem as exc:  # this one fails; the others go
            out = replace(
                out, status=OutboundStatus.FAILED, error_code="template", last_error=str(exc)
            )
        await outbound_store.insert(conn, out)
    return min(len(request.recipients), request.max_count)
