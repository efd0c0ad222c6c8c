"""A lead-form post → one lead (or the one it duplicates), in one transaction.

The same address and message within FORM_DEDUPE_MINUTES, or the same Idempotency-Key,
is the same lead. A spammy post (honeypot, link flood) is stored and flagged with its
reasons on the timeline, and never published, so nothing answers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

from leadwire_ingest.context import IngestContext
from leadwire_ingest.domain.form import (
    FormPost,
    dedupe_key,
    form_activity,
    form_lead_received,
    spam_reasons,
)
from leadwire_ingest.domain.models import ClientInfo
from leadwire_ingest.domain.payloads import history_from
from leadwire_ingest.publishing import publish
from leadwire_ingest.store import Conn, intake, leads


@dataclass(frozen=True)
class FormResult:
    lead_id: UUID
    duplicate: bool
    flagged: bool = False


async def submit_form(
    ctx: IngestContext, client: ClientInfo, post: FormPost, idempotency_key: str | None
) -> FormResult:
    key, now = dedupe_key(post), ctx.clock()
    since = now - timedelta(minutes=ctx.settings.form_dedupe_minutes)
    async with ctx.pool.acquire() as conn, conn.transaction():
        await intake.lock_form_key(conn, client.client_id, idempotency_key or key)
        existing = await intake.find_form_duplicate(
            conn, client.client_id, idempotency_key, key, since
        )
        if existing is not None:
            return FormResult(existing, duplicate=True)
        result = await _new_form_lead(conn, ctx, client, post)
        await intake.insert_form_submission(
            conn, client.client_id, idempotency_key, key, result.lead_id, now
        )
        return result


async def _new_form_lead(
    conn: Conn, ctx: IngestContext, client: ClientInfo, post: FormPost
) -> FormResult:
    lead_id, now = uuid4(), ctx.clock()
    reasons = spam_reasons(post)
    contact_id = await intake.upsert_contact(
        conn, client.client_id, post.email, post.name, post.phone, post.company
    )
    history = history_from(await leads.contact_emails(conn, contact_id, 10))
    event = form_lead_received(
        post,
        lead_id=lead_id,
        contact_id=contact_id,
        mailbox_id=client.primary_mailbox_id,
        received_at=now,
        history=history,
    )
    await intake.insert_lead(
        conn,
        lead_id=lead_id,
        client_id=client.client_id,
        contact_id=contact_id,
        source="form",
        mailbox_id=client.primary_mailbox_id,
        provider=None,
        provider_message_id=None,
        provider_thread_id=None,
        rfc_message_id=None,
        subject=event.subject,
        body_text=post.message,
        status="flagged" if reasons else "new",
        received_at=now,
    )
    await leads.insert_activity(conn, form_activity(post, event, reasons, client.client_id))
    if not reasons:
        await publish(conn, event, client_id=client.client_id, correlation_id=lead_id)
    return FormResult(lead_id, duplicate=False, flagged=bool(reasons))
