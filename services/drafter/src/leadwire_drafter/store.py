"""All SQL of the drafter. Each function takes a connection, so the caller decides the
transaction (a state change and its outbox rows commit together)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg

from leadwire.consuming import advisory_key
from leadwire.events import ClientChanged, LeadReceived, ReplyTarget
from leadwire_drafter.domain.decisions import DraftStatus
from leadwire_drafter.domain.draft import Draft
from leadwire_drafter.domain.guard import GuardResult

Conn: TypeAlias = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy

_DRAFT_COLUMNS = (
    "id, client_id, lead_id, mailbox_id, status, subject, body_text, body_html, language, model,"
    " is_template, auto_send, send_after, score, score_reasons, score_source, guard_verdict,"
    " check_failures, reasons, reply_to, message_received_at, supersedes, edited, decided_by,"
    " decided_at, decision_reason, created_at"
)


def _draft(row: asyncpg.Record) -> Draft:
    data = dict(row)
    for name in ("score_reasons", "check_failures", "reasons"):
        data[name] = tuple(data[name])
    data["reply_to"] = ReplyTarget(**data["reply_to"]) if data["reply_to"] else None
    return Draft(**data)


# --- clients ------------------------------------------------------------------


async def upsert_client(conn: Conn, client: ClientChanged) -> bool:
    """Store the snapshot unless a newer revision is already stored; True if stored."""
    status = await conn.execute(
        "INSERT INTO clients (client_id, revision, profile, deleted) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (client_id) DO UPDATE SET revision = EXCLUDED.revision,"
        " profile = EXCLUDED.profile, deleted = EXCLUDED.deleted, updated_at = now()"
        " WHERE clients.revision <= EXCLUDED.revision",
        client.client_id,
        client.revision,
        client.model_dump(mode="json"),
        client.deleted,
    )
    return bool(status.endswith(" 1"))


async def get_client(conn: Conn, client_id: UUID) -> ClientChanged | None:
    profile = await conn.fetchval("SELECT profile FROM clients WHERE client_id = $1", client_id)
    return ClientChanged.model_validate(profile) if profile is not None else None


# --- leads --------------------------------------------------------------------


async def upsert_lead(conn: Conn, client_id: UUID, lead: LeadReceived) -> None:
    await conn.execute(
        "INSERT INTO leads (lead_id, client_id, payload) VALUES ($1, $2, $3)"
        " ON CONFLICT (lead_id) DO UPDATE SET payload = EXCLUDED.payload, updated_at = now()",
        lead.lead_id,
        client_id,
        lead.model_dump(mode="json"),
    )


async def get_lead(conn: Conn, lead_id: UUID) -> LeadReceived | None:
    payload = await conn.fetchval("SELECT payload FROM leads WHERE lead_id = $1", lead_id)
    return LeadReceived.model_validate(payload) if payload is not None else None


async def mark_answered_by_person(conn: Conn, lead_id: UUID, client_id: UUID, at: datetime) -> None:
    await conn.execute(
        "INSERT INTO leads (lead_id, client_id, answered_by_person_at) VALUES ($1, $2, $3)"
        " ON CONFLICT (lead_id) DO UPDATE SET answered_by_person_at ="
        " COALESCE(leads.answered_by_person_at, EXCLUDED.answered_by_person_at), updated_at = now()",
        lead_id,
        client_id,
        at,
    )


async def answered_by_person(conn: Conn, lead_id: UUID) -> bool:
    at = await conn.fetchval("SELECT answered_by_person_at FROM leads WHERE lead_id = $1", lead_id)
    return at is not None


async def lock_lead(conn: Conn, lead_id: UUID) -> None:
    """Serialise writers of one lead's drafts until the transaction ends."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", advisory_key("drafter.lead", lead_id))


# --- guard verdicts (also the per-message dedupe) --------------------------------


async def verdict_exists(conn: Conn, lead_id: UUID, message_key: str) -> bool:
    found = await conn.fetchval(
        "SELECT 1 FROM guard_verdicts WHERE lead_id = $1 AND message_key = $2", lead_id, message_key
    )
    return found is not None


async def insert_verdict(
    conn: Conn,
    *,
    lead_id: UUID,
    message_key: str,
    client_id: UUID,
    guard: GuardResult,
    draft_id: UUID | None,
) -> bool:
    """Record the verdict; False when this message was already handled (a duplicate)."""
    signals = [
        {"code": s.code, "detail": s.detail, "weight": s.weight, "forces_review": s.forces_review}
        for s in guard.signals
    ]
    status = await conn.execute(
        "INSERT INTO guard_verdicts (lead_id, message_key, client_id, verdict, signals, draft_id)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        lead_id,
        message_key,
        client_id,
        guard.verdict,
        signals,
        draft_id,
    )
    return bool(status.endswith(" 1"))


async def signals_for_draft(conn: Conn, draft_id: UUID) -> list[dict[str, Any]]:
    """The guard signals recorded for the message a draft answers."""
    signals = await conn.fetchval(
        "SELECT signals FROM guard_verdicts WHERE draft_id = $1", draft_id
    )
    return list(signals or [])


# --- drafts -------------------------------------------------------------------


async def insert_draft(conn: Conn, d: Draft) -> None:
    await conn.execute(
        f"INSERT INTO drafts ({_DRAFT_COLUMNS.replace(', created_at', '')}) VALUES"
        " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,"
        " $19, $20, $21, $22, $23, $24, $25, $26)",
        d.id, d.client_id, d.lead_id, d.mailbox_id, d.status, d.subject, d.body_text,
        d.body_html, d.language, d.model, d.is_template, d.auto_send, d.send_after, d.score,
        list(d.score_reasons), d.score_source, d.guard_verdict, list(d.check_failures),
        list(d.reasons), d.reply_to.model_dump(mode="json") if d.reply_to else None,
        d.message_received_at, d.supersedes, d.edited, d.decided_by, d.decided_at,
        d.decision_reason,
    )  # fmt: skip


async def get_draft(conn: Conn, draft_id: UUID, *, for_update: bool = False) -> Draft | None:
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(f"SELECT {_DRAFT_COLUMNS} FROM drafts WHERE id = $1{lock}", draft_id)
    return _draft(row) if row else None


async def pending_draft_for_lead(conn: Conn, lead_id: UUID) -> Draft | None:
    row = await conn.fetchrow(
        f"SELECT {_DRAFT_COLUMNS} FROM drafts"
        " WHERE lead_id = $1 AND status = 'awaiting_approval' FOR UPDATE",
        lead_id,
    )
    return _draft(row) if row else None


async def has_pending_draft(conn: Conn, lead_id: UUID) -> bool:
    found = await conn.fetchval(
        "SELECT 1 FROM drafts WHERE lead_id = $1 AND status = 'awaiting_approval'", lead_id
    )
    return found is not None


async def save_decision(conn: Conn, d: Draft) -> None:
    """Write a draft's new status with who decided, and any edits a person made."""
    await conn.execute(
        "UPDATE drafts SET status = $2, subject = $3, body_text = $4, body_html = $5,"
        " edited = $6, decided_by = $7, decided_at = $8, decision_reason = $9, send_after = $10,"
        " updated_at = now() WHERE id = $1",
        d.id, d.status, d.subject, d.body_text, d.body_html, d.edited, d.decided_by,
        d.decided_at, d.decision_reason, d.send_after,
    )  # fmt: skip


async def set_status(conn: Conn, draft_id: UUID, status: DraftStatus) -> None:
    await conn.execute(
        "UPDATE drafts SET status = $2, updated_at = now() WHERE id = $1", draft_id, status
    )


@dataclass(frozen=True)
class DraftPage:
    drafts: list[Draft]
    # (created_at, id) of the last row when more rows follow.
    next_after: tuple[datetime, UUID] | None


async def list_drafts(
    conn: Conn,
    *,
    status: str | None,
    client_id: UUID | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> DraftPage:
    """Newest first, keyset-paginated: rows strictly older than `after`."""
    rows = await conn.fetch(
        f"SELECT {_DRAFT_COLUMNS} FROM drafts"
        " WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR client_id = $2)"
        " AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))"
        " ORDER BY created_at DESC, id DESC LIMIT $5",
        status,
        client_id,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    drafts = [_draft(r) for r in rows[:limit]]
    more = len(rows) > limit
    last = drafts[-1] if drafts else None
    next_after = (last.created_at, last.id) if more and last and last.created_at else None
    return DraftPage(drafts=drafts, next_after=next_after)


# --- LLM usage per client and month ---------------------------------------------


@dataclass(frozen=True)
class UsageDelta:
    requests: int = 0
    failed_requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: Decimal = Decimal(0)
    drafts: int = 0
    template_drafts: int = 0
    flagged: int = 0


async def add_usage(conn: Conn, client_id: UUID, month: date, u: UsageDelta) -> None:
    await conn.execute(
        "INSERT INTO llm_usage AS u (client_id, month, requests, failed_requests, prompt_tokens,"
        " completion_tokens, cost_usd, drafts, template_drafts, flagged)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        " ON CONFLICT (client_id, month) DO UPDATE SET requests = u.requests + EXCLUDED.requests,"
        " failed_requests = u.failed_requests + EXCLUDED.failed_requests,"
        " prompt_tokens = u.prompt_tokens + EXCLUDED.prompt_tokens,"
        " completion_tokens = u.completion_tokens + EXCLUDED.completion_tokens,"
        " cost_usd = u.cost_usd + EXCLUDED.cost_usd, drafts = u.drafts + EXCLUDED.drafts,"
        " template_drafts = u.template_drafts + EXCLUDED.template_drafts,"
        " flagged = u.flagged + EXCLUDED.flagged",
        client_id, month, u.requests, u.failed_requests, u.prompt_tokens, u.completion_tokens,
        u.cost_usd, u.drafts, u.template_drafts, u.flagged,
    )  # fmt: skip


async def get_usage(conn: Conn, *, client_id: UUID | None, month: date) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT client_id, month, requests, failed_requests, prompt_tokens, completion_tokens,"
        " cost_usd, drafts, template_drafts, flagged FROM llm_usage"
        " WHERE month = $1 AND ($2::uuid IS NULL OR client_id = $2) ORDER BY client_id",
        month,
        client_id,
    )
    return [dict(r) for r in rows]
