"""An event a person should hear of → one row in the notification log (queued for the
client's webhook, or skipped with the reason). Runs inside the consumer's transaction,
so the row, the inbox entry and what we remember of leads and drafts commit together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from leadwire.events import (
    ClientChanged,
    DraftApproved,
    DraftCreated,
    DraftRejected,
    EventPayload,
    LeadReceived,
)
from leadwire_notifier.domain.blocks import digest_line, notice_message
from leadwire_notifier.domain.clients import admit
from leadwire_notifier.domain.notices import (
    ConsoleLinks,
    LeadContext,
    Notice,
    build_notice,
    lead_id_of,
)
from leadwire_notifier.store import Conn, records
from leadwire_notifier.store import clients as client_store
from leadwire_notifier.store import notifications as queue_store


@dataclass(frozen=True)
class EventInfo:
    """The envelope fields a notification keeps."""

    event_id: UUID
    client_id: UUID
    occurred_at: datetime
    correlation_id: UUID | None = None


async def apply_client_changed(conn: Conn, snapshot: ClientChanged) -> None:
    await client_store.apply_client_snapshot(conn, snapshot)


async def apply_draft_decided_elsewhere(
    conn: Conn, decision: DraftApproved | DraftRejected, occurred_at: datetime
) -> None:
    """The drafter approved or rejected a draft (e.g. in the console): remember it, so
    its Slack buttons answer "already approved by …" instead of deciding again."""
    if isinstance(decision, DraftApproved):
        verdict, by = "approve", decision.approved_by
    else:
        verdict, by = "reject", decision.rejected_by
    await records.record_decision_elsewhere(conn, decision.draft_id, verdict, by, occurred_at)


async def record_notice(
    conn: Conn, info: EventInfo, payload: EventPayload, links: ConsoleLinks
) -> str | None:
    """Log the event's notification; its status (queued/skipped), or None when the event
    is not one a person hears of (a draft sent automatically)."""
    await _remember(conn, info, payload)
    lead_id = lead_id_of(payload)
    lead = await records.get_lead(conn, lead_id) if lead_id else None
    notice = build_notice(payload, lead, links)
    if notice is None:
        return None
    client = await client_store.ensure_client(conn, info.client_id)
    status, reason = admit(client, notice.kind)
    if status == "queued" and isinstance(payload, DraftCreated):
        await records.remember_draft(
            conn, payload.draft_id, info.client_id, payload.lead_id, info.correlation_id
        )
    await queue_store.insert_notification(conn, _notification(info, notice, status, reason))
    return status


async def _remember(conn: Conn, info: EventInfo, payload: EventPayload) -> None:
    """What later events and clicks need: who a lead is, which drafts were replaced."""
    if isinstance(payload, LeadReceived):
        await records.remember_lead(conn, info.client_id, _lead_context(payload))
    if isinstance(payload, DraftCreated) and payload.supersedes:
        # The older draft's buttons must not approve it any more.
        await records.record_decision_elsewhere(
            conn, payload.supersedes, "superseded", "a newer draft", info.occurred_at
        )


def _notification(
    info: EventInfo, notice: Notice, status: str, reason: str
) -> queue_store.NewNotification:
    queued = status == "queued"
    return queue_store.NewNotification(
        event_id=info.event_id,
        event_type=notice.kind,
        client_id=info.client_id,
        occurred_at=info.occurred_at,
        status=status,
        reason=reason,
        lead_id=notice.lead_id,
        draft_id=notice.draft_id,
        message=notice_message(notice) if queued else None,
        line=digest_line(notice) if queued else None,
    )


def _lead_context(lead: LeadReceived) -> LeadContext:
    return LeadContext(lead.lead_id, lead.from_name, lead.from_address, lead.subject)
