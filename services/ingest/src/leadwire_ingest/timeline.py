"""The read model fed by other services' events: drafts, sends, flags and bounces move a
lead's status and land on its timeline."""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from leadwire.events import (
    DraftApproved,
    DraftCreated,
    DraftRejected,
    EmailBounced,
    EmailSendFailed,
    EmailSent,
    LeadFlagged,
)
from leadwire_ingest.domain.models import Activity, LeadStatus, NotFound
from leadwire_ingest.domain.status import advance
from leadwire_ingest.store import Conn, intake, leads

_log = logging.getLogger(__name__)
TimelineEvent = (
    DraftCreated
    | DraftApproved
    | DraftRejected
    | EmailSent
    | EmailSendFailed
    | LeadFlagged
    | EmailBounced
)


Description = tuple[str, str, LeadStatus | None, dict[str, str]]


def _draft(event: DraftCreated) -> Description:
    status: LeadStatus = "drafted" if event.auto_send else "awaiting_approval"
    detail = {
        "draft_id": str(event.draft_id),
        "subject": event.subject,
        "excerpt": event.body_text[:500],
        "reasons": "; ".join(event.reasons),
    }
    return "draft_created", f"draft written ({event.guard_verdict})", status, detail


def _sent(event: EmailSent) -> Description:
    detail = {
        "subject": event.subject,
        "excerpt": event.snippet,
        "kind": event.kind,
        "provider_message_id": event.provider_message_id,
    }
    return "email_out", f"sent to {event.to_address}: {event.subject}", "replied", detail


def _bounced(event: EmailBounced) -> Description:
    detail = {
        "original_rfc_message_id": event.original_rfc_message_id or "",
        "diagnostic": event.diagnostic,
    }
    return "bounced", f"bounced: {event.recipient} {event.status}".strip(), None, detail


def _describe(event: TimelineEvent) -> Description:
    """(kind, summary, proposed status, detail) for one event."""
    if isinstance(event, DraftCreated):
        return _draft(event)
    if isinstance(event, EmailSent):
        return _sent(event)
    if isinstance(event, EmailBounced):
        return _bounced(event)
    if isinstance(event, DraftApproved):
        return (
            "draft_approved",
            f"draft approved by {event.approved_by}",
            "drafted",
            {"draft_id": str(event.draft_id)},
        )
    if isinstance(event, DraftRejected):
        summary = f"draft rejected by {event.rejected_by}: {event.reason}"
        return "draft_rejected", summary, None, {"draft_id": str(event.draft_id)}
    if isinstance(event, EmailSendFailed):
        summary = f"sending failed ({event.error_code}): {event.error_message}"
        return "send_failed", summary, None, {"permanent": str(event.permanent)}
    return "flagged", f"flagged: {'; '.join(event.reasons)}", "flagged", {}


async def record_timeline_event(
    conn: Conn, event: TimelineEvent, client_id: UUID | None, occurred_at: datetime
) -> None:
    """Put the event on its lead's timeline and move the lead's status forward."""
    lead_id = getattr(event, "lead_id", None)
    kind, summary, proposed, detail = _describe(event)
    lead = None
    if lead_id is not None:
        try:
            lead = await leads.get_lead(conn, lead_id, for_update=True)
        except NotFound:
            _log.info("%s for a lead ingest does not know (%s)", kind, lead_id)
    if isinstance(event, EmailSent):
        await _remember_sent(conn, event, linked=lead is not None)
    if lead is not None and proposed is not None:
        await leads.set_status(conn, lead.lead_id, advance(lead.status, proposed))
    owner = lead.client_id if lead else client_id
    if owner is None:
        return
    await leads.insert_activity(
        conn,
        Activity(
            client_id=owner,
            kind=kind,
            summary=summary,
            occurred_at=occurred_at,
            lead_id=lead.lead_id if lead else None,
            contact_id=lead.contact_id if lead else None,
            mailbox_id=getattr(event, "mailbox_id", None),
            detail=detail,
        ),
    )


async def _remember_sent(conn: Conn, event: EmailSent, *, linked: bool) -> None:
    """Our own message: not 'sent by a person' when sync sees it, and its thread is the lead's."""
    await intake.record_outbound(
        conn,
        event.mailbox_id,
        event.provider_message_id,
        event.rfc_message_id,
        event.lead_id,
        event.sent_at,
    )
    if linked and event.lead_id and event.provider_thread_id:
        await intake.link_thread(conn, event.mailbox_id, event.provider_thread_id, event.lead_id)
