"""What support staff do to leads: read them with their timeline, close and reopen."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from leadwire_ingest.context import IngestContext
from leadwire_ingest.domain.models import Activity, Contact, Lead
from leadwire_ingest.store import leads


@dataclass(frozen=True)
class LeadWithTimeline:
    lead: Lead
    timeline: list[Activity]


async def lead_with_timeline(ctx: IngestContext, lead_id: UUID) -> LeadWithTimeline:
    async with ctx.pool.acquire() as conn:
        lead = await leads.get_lead(conn, lead_id)
        return LeadWithTimeline(lead, await leads.lead_timeline(conn, lead_id))


async def set_closed(ctx: IngestContext, lead_id: UUID, closed: bool, by: str) -> Lead:
    """Close a lead (nothing automatic goes to it) or reopen it to its previous status."""
    async with ctx.pool.acquire() as conn, conn.transaction():
        lead = await leads.get_lead(conn, lead_id, for_update=True)
        if closed and lead.status != "closed":
            await leads.set_status(conn, lead_id, "closed", before_close=lead.status)
        elif not closed and lead.status == "closed":
            previous = await leads.status_before_close(conn, lead_id) or "new"
            await leads.set_status(conn, lead_id, previous)
        else:
            return lead
        await leads.insert_activity(
            conn,
            Activity(
                client_id=lead.client_id,
                lead_id=lead_id,
                contact_id=lead.contact_id,
                kind="status_changed",
                summary=f"{'closed' if closed else 'reopened'} by {by}",
                occurred_at=ctx.clock(),
            ),
        )
        return await leads.get_lead(conn, lead_id)


async def contact_with_leads(ctx: IngestContext, contact_id: UUID) -> tuple[Contact, list[Lead]]:
    async with ctx.pool.acquire() as conn:
        contact = await leads.get_contact(conn, contact_id)
        return contact, await leads.contact_leads(conn, contact_id)
