"""SQL for intake: seen messages and claimed Message-IDs, contacts, leads, threads,
our own outbound messages, and lead-form submissions."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from leadwire_ingest.store import Conn


async def claim_provider_message(
    conn: Conn, mailbox_id: UUID, provider_message_id: str, client_id: UUID
) -> bool:
    """True the first time this provider message is looked at (push and poll race here)."""
    status = await conn.execute(
        "INSERT INTO seen_messages (mailbox_id, provider_message_id, client_id, outcome, reason)"
        " VALUES ($1, $2, $3, 'pending', '') ON CONFLICT DO NOTHING",
        mailbox_id,
        provider_message_id,
        client_id,
    )
    return str(status).endswith(" 1")


async def was_seen(conn: Conn, mailbox_id: UUID, provider_message_id: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM seen_messages WHERE mailbox_id = $1 AND provider_message_id = $2",
            mailbox_id,
            provider_message_id,
        )
    )


async def claim_rfc_message_id(
    conn: Conn, client_id: UUID, rfc_message_id: str, mailbox_id: UUID
) -> UUID | None:
    """None if this client had not seen the Message-ID; else the mailbox that saw it first."""
    status = await conn.execute(
        "INSERT INTO message_ids (client_id, rfc_message_id, mailbox_id) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING",
        client_id,
        rfc_message_id,
        mailbox_id,
    )
    if status.endswith(" 1"):
        return None
    first: UUID = await conn.fetchval(
        "SELECT mailbox_id FROM message_ids WHERE client_id = $1 AND rfc_message_id = $2",
        client_id,
        rfc_message_id,
    )
    return first


async def record_decision(
    conn: Conn,
    mailbox_id: UUID,
    provider_message_id: str,
    *,
    outcome: str,
    reason: str,
    rfc_message_id: str | None,
    provider_thread_id: str | None,
    lead_id: UUID | None,
) -> None:
    await conn.execute(
        "UPDATE seen_messages SET outcome = $3, reason = $4, rfc_message_id = $5,"
        " provider_thread_id = $6, lead_id = $7 WHERE mailbox_id = $1 AND provider_message_id = $2",
        mailbox_id,
        provider_message_id,
        outcome,
        reason[:1000],
        rfc_message_id,
        provider_thread_id,
        lead_id,
    )


async def upsert_contact(
    conn: Conn, client_id: UUID, email: str, name: str = "", phone: str = "", company: str = ""
) -> UUID:
    """The contact for this address (created on first sight); fills in blank fields."""
    contact_id: UUID = await conn.fetchval(
        "INSERT INTO contacts (contact_id, client_id, email, name, phone, company)"
        " VALUES ($1, $2, lower($3), $4, $5, $6)"
        " ON CONFLICT (client_id, email) DO UPDATE SET"
        " name = CASE WHEN contacts.name = '' THEN EXCLUDED.name ELSE contacts.name END,"
        " phone = CASE WHEN contacts.phone = '' THEN EXCLUDED.phone ELSE contacts.phone END,"
        " company = CASE WHEN contacts.company = '' THEN EXCLUDED.company ELSE contacts.company END,"
        " updated_at = now() RETURNING contact_id",
        uuid4(),
        client_id,
        email,
        name,
        phone,
        company,
    )
    return contact_id


async def find_contact_id(conn: Conn, client_id: UUID, email: str) -> UUID | None:
    value: UUID | None = await conn.fetchval(
        "SELECT contact_id FROM contacts WHERE client_id = $1 AND email = lower($2)",
        client_id,
        email,
    )
    return value


async def insert_lead(
    conn: Conn,
    *,
    lead_id: UUID,
    client_id: UUID,
    contact_id: UUID,
    source: str,
    mailbox_id: UUID | None,
    provider: str | None,
    provider_message_id: str | None,
    provider_thread_id: str | None,
    rfc_message_id: str | None,
    subject: str,
    body_text: str,
    status: str,
    received_at: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO leads (lead_id, client_id, contact_id, source, mailbox_id, provider,"
        " provider_message_id, provider_thread_id, rfc_message_id, subject, body_text, status,"
        " received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        lead_id,
        client_id,
        contact_id,
        source,
        mailbox_id,
        provider,
        provider_message_id,
        provider_thread_id,
        rfc_message_id,
        subject,
        body_text,
        status,
        received_at,
    )


async def link_thread(conn: Conn, mailbox_id: UUID, provider_thread_id: str, lead_id: UUID) -> None:
    await conn.execute(
        "INSERT INTO lead_threads (mailbox_id, provider_thread_id, lead_id) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING",
        mailbox_id,
        provider_thread_id,
        lead_id,
    )


async def lead_for_thread(conn: Conn, mailbox_id: UUID, provider_thread_id: str) -> UUID | None:
    value: UUID | None = await conn.fetchval(
        "SELECT lead_id FROM lead_threads WHERE mailbox_id = $1 AND provider_thread_id = $2",
        mailbox_id,
        provider_thread_id,
    )
    return value


async def lead_for_rfc_ids(conn: Conn, client_id: UUID, rfc_ids: list[str]) -> UUID | None:
    """The lead whose own message or one of our replies carries one of these Message-IDs."""
    if not rfc_ids:
        return None
    value: UUID | None = await conn.fetchval(
        "SELECT lead_id FROM (SELECT lead_id FROM leads WHERE client_id = $1"
        " AND rfc_message_id = ANY($2::text[]) UNION ALL SELECT o.lead_id FROM outbound_messages o"
        " JOIN leads l ON l.lead_id = o.lead_id WHERE l.client_id = $1"
        " AND o.rfc_message_id = ANY($2::text[])) found WHERE lead_id IS NOT NULL LIMIT 1",
        client_id,
        rfc_ids,
    )
    return value


async def record_outbound(
    conn: Conn,
    mailbox_id: UUID,
    provider_message_id: str,
    rfc_message_id: str | None,
    lead_id: UUID | None,
    sent_at: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO outbound_messages (mailbox_id, provider_message_id, rfc_message_id, lead_id,"
        " sent_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        mailbox_id,
        provider_message_id,
        rfc_message_id,
        lead_id,
        sent_at,
    )


async def is_outbound(
    conn: Conn, mailbox_id: UUID, provider_message_id: str, rfc: str | None
) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM outbound_messages WHERE (mailbox_id = $1 AND provider_message_id = $2)"
            " OR (rfc_message_id IS NOT NULL AND rfc_message_id = $3) LIMIT 1",
            mailbox_id,
            provider_message_id,
            rfc,
        )
    )


async def lock_form_key(conn: Conn, client_id: UUID, dedupe_key: str) -> None:
    """Serialise concurrent posts of the same form (the 10-minute dedupe is check-then-insert)."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"form:{client_id}:{dedupe_key}"
    )


async def find_form_duplicate(
    conn: Conn, client_id: UUID, idempotency_key: str | None, dedupe_key: str, since: datetime
) -> UUID | None:
    value: UUID | None = await conn.fetchval(
        "SELECT lead_id FROM form_submissions WHERE client_id = $1 AND"
        " (($2::text IS NOT NULL AND idempotency_key = $2) OR (dedupe_key = $3 AND created_at >= $4))"
        " ORDER BY created_at DESC LIMIT 1",
        client_id,
        idempotency_key,
        dedupe_key,
        since,
    )
    return value


async def insert_form_submission(
    conn: Conn,
    client_id: UUID,
    idempotency_key: str | None,
    dedupe_key: str,
    lead_id: UUID,
    created_at: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO form_submissions (submission_id, client_id, idempotency_key, dedupe_key,"
        " lead_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        uuid4(),
        client_id,
        idempotency_key,
        dedupe_key,
        lead_id,
        created_at,
    )
