"""SQL for templates, drafts awaiting approval, and bulk jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from leadwire_sender.store import Conn, NotFoundError

_TEMPLATE_COLUMNS = "id, client_id, name, subject, body_text, body_html, created_at, updated_at"


@dataclass(frozen=True)
class TemplateRow:
    id: UUID
    client_id: UUID
    name: str
    subject: str
    body_text: str
    body_html: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class JobRow:
    id: UUID
    client_id: UUID
    mailbox_id: UUID | None
    template_id: UUID | None
    requested: int
    status: str
    created_by: str
    created_at: datetime


class DuplicateNameError(ValueError):
    pass


async def insert_template(conn: Conn, template: TemplateRow) -> None:
    inserted = await conn.fetchval(
        "INSERT INTO templates (id, client_id, name, subject, body_text, body_html)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (client_id, name) DO NOTHING"
        " RETURNING true",
        template.id, template.client_id, template.name, template.subject,
        template.body_text, template.body_html,
    )  # fmt: skip
    if not inserted:
        raise DuplicateNameError(f"a template named {template.name!r} already exists")


async def get_template(conn: Conn, template_id: UUID) -> TemplateRow:
    row = await conn.fetchrow(
        f"SELECT {_TEMPLATE_COLUMNS} FROM templates WHERE id = $1",  # noqa: S608
        template_id,
    )
    if row is None:
        raise NotFoundError("template", template_id)
    return TemplateRow(**dict(row))


async def list_templates(conn: Conn, client_id: UUID | None) -> list[TemplateRow]:
    rows = await conn.fetch(
        f"SELECT {_TEMPLATE_COLUMNS} FROM templates WHERE ($1::uuid IS NULL OR client_id = $1)"  # noqa: S608
        " ORDER BY client_id, name",
        client_id,
    )
    return [TemplateRow(**dict(r)) for r in rows]


async def update_template(conn: Conn, template: TemplateRow) -> None:
    try:
        status = await conn.execute(
            "UPDATE templates SET name = $2, subject = $3, body_text = $4, body_html = $5,"
            " updated_at = now() WHERE id = $1",
            template.id, template.name, template.subject, template.body_text, template.body_html,
        )  # fmt: skip
    except asyncpg.UniqueViolationError:
        raise DuplicateNameError(f"a template named {template.name!r} already exists") from None
    if str(status).endswith(" 0"):
        raise NotFoundError("template", template.id)


async def delete_template(conn: Conn, template_id: UUID) -> None:
    status = await conn.execute("DELETE FROM templates WHERE id = $1", template_id)
    if str(status).endswith(" 0"):
        raise NotFoundError("template", template_id)


async def save_pending_draft(
    conn: Conn, draft_id: UUID, client_id: UUID, lead_id: UUID, payload: dict[str, Any]
) -> None:
    await conn.execute(
        "INSERT INTO pending_drafts (draft_id, client_id, lead_id, payload)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (draft_id) DO UPDATE SET payload = $4",
        draft_id, client_id, lead_id, payload,
    )  # fmt: skip


async def forget_pending_draft(conn: Conn, draft_id: UUID) -> None:
    await conn.execute("DELETE FROM pending_drafts WHERE draft_id = $1", draft_id)


async def take_pending_drafts(
    conn: Conn, client_id: UUID, limit: int
) -> list[tuple[UUID, dict[str, Any]]]:
    """Oldest waiting drafts of the client, removed as they are taken (one job each)."""
    rows = await conn.fetch(
        "DELETE FROM pending_drafts WHERE draft_id IN (SELECT draft_id FROM pending_drafts"
        " WHERE client_id = $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
        " RETURNING draft_id, payload",
        client_id,
        limit,
    )
    return [(r["draft_id"], r["payload"]) for r in rows]


async def insert_job(conn: Conn, job: JobRow) -> None:
    await conn.execute(
        "INSERT INTO bulk_jobs (id, client_id, mailbox_id, template_id, requested, status,"
        " created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        job.id, job.client_id, job.mailbox_id, job.template_id, job.requested, job.status,
        job.created_by,
    )  # fmt: skip


async def set_job_requested(conn: Conn, job_id: UUID, requested: int) -> None:
    await conn.execute("UPDATE bulk_jobs SET requested = $2 WHERE id = $1", job_id, requested)


async def get_job(conn: Conn, job_id: UUID) -> JobRow:
    row = await conn.fetchrow(
        "SELECT id, client_id, mailbox_id, template_id, requested, status, created_by,"
        " created_at FROM bulk_jobs WHERE id = $1",
        job_id,
    )
    if row is None:
        raise NotFoundError("job", job_id)
    return JobRow(**dict(row))


async def cancel_job(conn: Conn, job_id: UUID) -> None:
    await conn.execute(
        "UPDATE bulk_jobs SET status = 'cancelled', cancelled_at = now()"
        " WHERE id = $1 AND status = 'running'",
        job_id,
    )
