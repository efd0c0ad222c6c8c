"""SQL for outbound messages: insert, claim, and each step of the state machine."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from leadwire_sender.domain.mime import FileAttachment
from leadwire_sender.domain.outbound import Outbound, OutboundStatus, Recipient
from leadwire_sender.store import Conn, NotFoundError

_COLUMNS = (
    "id, client_id, mailbox_id, kind, status, draft_id, lead_id, job_id, follow_up_step,"
    " correlation_id, rfc_message_id, sender_name, to_addresses, cc_addresses, bcc_addresses,"
    ' subject, body_text, body_html, in_reply_to, "references", reply_thread_id,'
    " reply_message_id, provider_draft_id, provider_message_id, provider_thread_id, attempts,"
    " error_code, last_error, due_at, sent_at, created_by, created_at"
)


def _people(value: Sequence[Recipient]) -> list[dict[str, str]]:
    return [{"address": r.address, "name": r.name} for r in value]


def _recipients(value: Any) -> tuple[Recipient, ...]:
    return tuple(Recipient(item["address"], item.get("name", "")) for item in value or [])


def _outbound(row: asyncpg.Record) -> Outbound:
    data = dict(row)
    data["status"] = OutboundStatus(data["status"])
    data["references"] = tuple(data["references"] or ())
    data["to"] = _recipients(data.pop("to_addresses"))
    data["cc"] = _recipients(data.pop("cc_addresses"))
    data["bcc"] = _recipients(data.pop("bcc_addresses"))
    return Outbound(**data)


async def insert(conn: Conn, out: Outbound, attachments: Sequence[FileAttachment] = ()) -> bool:
    """Insert a new outbound; False when one already exists for its draft."""
    inserted = await conn.fetchval(
        "INSERT INTO outbound_messages (id, client_id, mailbox_id, kind, status, draft_id,"
        " lead_id, job_id, follow_up_step, correlation_id, rfc_message_id, sender_name,"
        ' to_addresses, cc_addresses, bcc_addresses, subject, body_text, body_html, in_reply_to,'
        ' "references", reply_thread_id, reply_message_id, due_at, created_by, error_code,'
        " last_error)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
        " $18, $19, $20, $21, $22, $23, $24, $25, $26)"
        " ON CONFLICT (draft_id) DO NOTHING RETURNING true",
        out.id, out.client_id, out.mailbox_id, out.kind, out.status.value, out.draft_id,
        out.lead_id, out.job_id, out.follow_up_step, out.correlation_id, out.rfc_message_id,
        out.sender_name, _people(out.to), _people(out.cc), _people(out.bcc), out.subject,
        out.body_text, out.body_html, out.in_reply_to, list(out.references),
        out.reply_thread_id, out.reply_message_id, out.due_at, out.created_by, out.error_code,
        out.last_error,
    )  # fmt: skip
    if inserted and attachments:
        await conn.executemany(
            "INSERT INTO outbound_attachments (outbound_id, position, filename, content_type,"
            " content) VALUES ($1, $2, $3, $4, $5)",
            [(out.id, i, a.filename, a.content_type, a.content) for i, a in enumerate(attachments)],
        )
    return bool(inserted)


async def get(conn: Conn, outbound_id: UUID) -> Outbound:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM outbound_messages WHERE id = $1",  # noqa: S608
        outbound_id,
    )
    if row is None:
        raise NotFoundError("outbound message", outbound_id)
    return _outbound(row)


async def attachments(conn: Conn, outbound_id: UUID) -> list[FileAttachment]:
    rows = await conn.fetch(
        "SELECT filename, content_type, content FROM outbound_attachments"
        " WHERE outbound_id = $1 ORDER BY position",
        outbound_id,
    )
    return [FileAttachment(r["filename"], r["content_type"], bytes(r["content"])) for r in rows]


async def list_recent(
    conn: Conn,
    *,
    client_id: UUID | None,
    mailbox_id: UUID | None,
    status: str | None,
    before: datetime | None,
    limit: int,
) -> list[Outbound]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM outbound_messages"  # noqa: S608
        " WHERE ($1::uuid IS NULL OR client_id = $1) AND ($2::uuid IS NULL OR mailbox_id = $2)"
        " AND ($3::text IS NULL OR status = $3) AND ($4::timestamptz IS NULL OR created_at < $4)"
        " ORDER BY created_at DESC LIMIT $5",
        client_id, mailbox_id, status, before, limit,
    )  # fmt: skip
    return [_outbound(r) for r in rows]


async def lock_due(conn: Conn, now: datetime, limit: int) -> list[Outbound]:
    """Due rows nobody holds, locked for this transaction (other workers skip them)."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM outbound_messages"  # noqa: S608
        " WHERE status IN ('queued', 'sending') AND due_at <= $1"
        " AND (claimed_until IS NULL OR claimed_until < $1)"
        " ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED",
        now,
        limit,
    )
    return [_outbound(r) for r in rows]


async def lock_one_due(conn: Conn, outbound_id: UUID, now: datetime) -> Outbound | None:
    """The row if it is due and free, locked; None when another worker has it or it is done."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM outbound_messages WHERE id = $1"  # noqa: S608
        " AND status IN ('queued', 'sending') AND due_at <= $2"
        " AND (claimed_until IS NULL OR claimed_until < $2) FOR UPDATE SKIP LOCKED",
        outbound_id,
        now,
    )
    return _outbound(row) if row is not None else None


async def in_flight(conn: Conn, mailbox_id: UUID, now: datetime) -> int:
    value = await conn.fetchval(
        "SELECT count(*) FROM outbound_messages WHERE mailbox_id = $1 AND status = 'sending'"
        " AND claimed_until >= $2",
        mailbox_id,
        now,
    )
    return int(value or 0)


async def claim(conn: Conn, outbound_id: UUID, claimed_until: datetime) -> None:
    """queued|sending -> sending, owned until `claimed_until`; counts one attempt."""
    await conn.execute(
        "UPDATE outbound_messages SET status = 'sending', claimed_until = $2,"
        " attempts = attempts + 1, updated_at = now() WHERE id = $1",
        outbound_id,
        claimed_until,
    )


async def postpone(conn: Conn, outbound_id: UUID, due_at: datetime) -> None:
    await conn.execute(
        "UPDATE outbound_messages SET due_at = $2, updated_at = now() WHERE id = $1",
        outbound_id,
        due_at,
    )


async def record_prepared(
    conn: Conn, outbound_id: UUID, provider_draft_id: str, rfc_message_id: str
) -> None:
    """The provider holds an unsent draft of this message (Graph): remember how to find it."""
    await conn.execute(
        "UPDATE outbound_messages SET provider_draft_id = $2, rfc_message_id = $3,"
        " updated_at = now() WHERE id = $1 AND status = 'sending'",
        outbound_id,
        provider_draft_id,
        rfc_message_id,
    )


async def mark_sent(
    conn: Conn, outbound_id: UUID, message_id: str, thread_id: str | None, sent_at: datetime
) -> bool:
    """sending -> sent; False if the row was no longer `sending` (another worker finished)."""
    status = await conn.execute(
        "UPDATE outbound_messages SET status = 'sent', provider_message_id = $2,"
        " provider_thread_id = $3, sent_at = $4, claimed_until = NULL, error_code = NULL,"
        " updated_at = now() WHERE id = $1 AND status = 'sending'",
        outbound_id, message_id, thread_id, sent_at,
    )  # fmt: skip
    return str(status).endswith(" 1")


async def mark_retry(
    conn: Conn, outbound_id: UUID, due_at: datetime, error_code: str, error: str
) -> None:
    """Stays `sending` (it may be at the provider): looked up before the next attempt."""
    await conn.execute(
        "UPDATE outbound_messages SET due_at = $2, claimed_until = NULL, error_code = $3,"
        " last_error = $4, updated_at = now() WHERE id = $1 AND status = 'sending'",
        outbound_id, due_at, error_code, error[:1000],
    )  # fmt: skip


async def mark_failed(conn: Conn, outbound_id: UUID, error_code: str, error: str) -> bool:
    status = await conn.execute(
        "UPDATE outbound_messages SET status = 'failed', claimed_until = NULL, error_code = $2,"
        " last_error = $3, updated_at = now()"
        " WHERE id = $1 AND status IN ('queued', 'sending')",
        outbound_id,
        error_code,
        error[:1000],
    )
    return str(status).endswith(" 1")


async def cancel_queued(conn: Conn, outbound_id: UUID, reason: str) -> bool:
    status = await conn.execute(
        "UPDATE outbound_messages SET status = 'cancelled', error_code = $2, updated_at = now()"
        " WHERE id = $1 AND status = 'queued'",
        outbound_id,
        reason,
    )
    return str(status).endswith(" 1")


async def cancel_queued_for_lead(conn: Conn, lead_id: UUID, reason: str) -> int:
    """Automatic sends to this lead that have not reached `sending` are cancelled."""
    status = await conn.execute(
        "UPDATE outbound_messages SET status = 'cancelled', error_code = $2, updated_at = now()"
        " WHERE lead_id = $1 AND status = 'queued' AND kind IN ('reply', 'follow_up')",
        lead_id,
        reason,
    )
    return int(str(status).split()[-1])


async def cancel_queued_for_job(conn: Conn, job_id: UUID) -> int:
    status = await conn.execute(
        "UPDATE outbound_messages SET status = 'cancelled', error_code = 'job_cancelled',"
        " updated_at = now() WHERE job_id = $1 AND status = 'queued'",
        job_id,
    )
    return int(str(status).split()[-1])


async def status_counts_for_job(conn: Conn, job_id: UUID) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT status, count(*) AS n FROM outbound_messages WHERE job_id = $1 GROUP BY status",
        job_id,
    )
    return {r["status"]: int(r["n"]) for r in rows}


async def cancel_queued_for_draft(conn: Conn, draft_id: UUID, reason: str) -> bool:
    status = await conn.execute(
        "UPDATE outbound_messages SET status = 'cancelled', error_code = $2, updated_at = now()"
        " WHERE draft_id = $1 AND status = 'queued'",
        draft_id,
        reason,
    )
    return str(status).endswith(" 1")


async def lead_of_message(conn: Conn, rfc_message_id: str) -> UUID | None:
    value = await conn.fetchval(
        "SELECT lead_id FROM outbound_messages WHERE rfc_message_id = $1", rfc_message_id
    )
    return value if isinstance(value, UUID) else None
