"""What happens to a message once classified: a new lead, a reply in a lead's thread,
a person answering by hand, a bounce, or a recorded "not a lead" — each with its
timeline entry and events, in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from leadwire.events import LeadReplied
from leadwire_ingest.domain import payloads
from leadwire_ingest.domain.classify import Decision, auto_reply_reason, sent_by_leadwire
from leadwire_ingest.domain.message import ParsedMessage
from leadwire_ingest.domain.models import Activity, Mailbox
from leadwire_ingest.domain.payloads import FetchedMessage
from leadwire_ingest.domain.status import advance
from leadwire_ingest.publishing import publish
from leadwire_ingest.store import Conn, intake, leads

HISTORY_LIMIT = 10


@dataclass(frozen=True)
class Intake:
    """Where one message went: `outcome` as recorded in seen_messages."""

    outcome: str
    reason: str
    lead_id: UUID | None = None


def excerpt(msg: ParsedMessage) -> dict[str, str]:
    return {"subject": msg.subject, "excerpt": msg.reply_text[:500], "from": msg.from_address}


async def timeline(
    conn: Conn,
    mailbox: Mailbox,
    fetched: FetchedMessage,
    kind: str,
    summary: str,
    *,
    lead_id: UUID | None = None,
    contact_id: UUID | None = None,
    detail: dict[str, str] | None = None,
) -> None:
    await leads.insert_activity(
        conn,
        Activity(
            client_id=mailbox.client_id,
            mailbox_id=mailbox.mailbox_id,
            kind=kind,
            summary=summary,
            occurred_at=fetched.received_at,
            lead_id=lead_id,
            contact_id=contact_id,
            detail={"provider_message_id": fetched.provider_message_id, **(detail or {})},
        ),
    )


async def outgoing(
    conn: Conn,
    mailbox: Mailbox,
    fetched: FetchedMessage,
    msg: ParsedMessage,
    lead_id: UUID | None,
    decision: Decision,
) -> Intake:
    ours = await intake.is_outbound(
        conn, mailbox.mailbox_id, fetched.provider_message_id, msg.rfc_message_id
    )
    if ours or sent_by_leadwire(msg.rfc_message_id):
        return Intake("sent_by_us", "sent by leadwire (sender)", lead_id)
    if lead_id is None:
        return Intake("not_lead", decision.reason)
    lead = await leads.get_lead(conn, lead_id, for_update=True)
    await leads.set_status(conn, lead_id, advance(lead.status, "answered_by_person"))
    await timeline(
        conn,
        mailbox,
        fetched,
        "email_out",
        f"answered by a person: {msg.subject}",
        lead_id=lead_id,
        contact_id=lead.contact_id,
        detail=excerpt(msg),
    )
    await publish(
        conn, payloads.sent_by_person(msg, fetched, mailbox, lead_id), client_id=mailbox.client_id
    )
    return Intake("sent_by_person", "the mailbox answered in the lead's thread by hand", lead_id)


async def bounce(
    conn: Conn, mailbox: Mailbox, fetched: FetchedMessage, msg: ParsedMessage
) -> Intake:
    assert msg.bounce is not None
    original = msg.bounce.original_message_id
    lead_id = await intake.lead_for_rfc_ids(conn, mailbox.client_id, [original] if original else [])
    summary = f"bounced: {msg.bounce.recipient or 'recipient'} {msg.bounce.status}".strip()
    # The timeline entry is written by the email.bounced consumer (timeline.py), for
    # bounces from any producer alike.
    await publish(
        conn, payloads.email_bounced(msg, fetched, mailbox, lead_id), client_id=mailbox.client_id
    )
    return Intake("bounce", summary, lead_id)


async def in_thread(
    conn: Conn, mailbox: Mailbox, fetched: FetchedMessage, msg: ParsedMessage, lead_id: UUID
) -> Intake:
    lead = await leads.get_lead(conn, lead_id, for_update=True)
    auto = auto_reply_reason(msg)
    await timeline(
        conn,
        mailbox,
        fetched,
        "email_in",
        f"{msg.from_address}: {msg.subject}",
        lead_id=lead_id,
        contact_id=lead.contact_id,
        detail=excerpt(msg),
    )
    received = payloads.email_received(
        msg, fetched, mailbox, lead_id, is_auto_reply=auto is not None
    )
    await publish(conn, received, client_id=mailbox.client_id)
    if auto is not None or lead.status not in ("replied", "drafted", "awaiting_approval"):
        return Intake(
            "email_received", auto[1] if auto else "another message in the lead's thread", lead_id
        )
    await leads.set_status(conn, lead_id, advance(lead.status, "lead_replied"))
    await publish(
        conn,
        LeadReplied(
            lead_id=lead_id,
            mailbox_id=mailbox.mailbox_id,
            provider_message_id=fetched.provider_message_id,
            rfc_message_id=msg.rfc_message_id,
            received_at=fetched.received_at,
        ),
        client_id=mailbox.client_id,
    )
    return Intake("lead_replied", "the lead replied in the thread we answered", lead_id)


async def not_a_lead(
    conn: Conn, mailbox: Mailbox, fetched: FetchedMessage, msg: ParsedMessage, decision: Decision
) -> Intake:
    contact_id = (
        await intake.find_contact_id(conn, mailbox.client_id, msg.from_address)
        if msg.from_address
        else None
    )
    await timeline(
        conn,
        mailbox,
        fetched,
        "not_a_lead",
        f"not a lead: {decision.reason}",
        contact_id=contact_id,
        detail={**excerpt(msg), "code": decision.code},
    )
    return Intake("not_lead", decision.reason)


async def import_only(
    conn: Conn, mailbox: Mailbox, fetched: FetchedMessage, msg: ParsedMessage
) -> Intake:
    contact_id = await intake.find_contact_id(conn, mailbox.client_id, msg.from_address)
    if contact_id is None:
        return Intake("skipped", "before connect, not from a known contact")
    await timeline(
        conn,
        mailbox,
        fetched,
        "email_in",
        f"{msg.from_address}: {msg.subject}",
        contact_id=contact_id,
        detail={**excerpt(msg), "imported": "true"},
    )
    return Intake("imported", "before connect: on the timeline, not answered")


async def new_lead(
    conn: Conn, mailbox: Mailbox, fetched: FetchedMessage, msg: ParsedMessage, decision: Decision
) -> Intake:
    lead_id = uuid4()
    contact_id = await intake.upsert_contact(
        conn, mailbox.client_id, msg.from_address, msg.from_name
    )
    history = payloads.history_from(await leads.contact_emails(conn, contact_id, HISTORY_LIMIT))
    await intake.insert_lead(
        conn,
        lead_id=lead_id,
        client_id=mailbox.client_id,
        contact_id=contact_id,
        source="email",
        mailbox_id=mailbox.mailbox_id,
        provider=mailbox.provider,
        provider_message_id=fetched.provider_message_id,
        provider_thread_id=fetched.provider_thread_id,
        rfc_message_id=msg.rfc_message_id,
        subject=msg.subject,
        body_text=msg.text[:20000],
        status="new",
        received_at=fetched.received_at,
    )
    if fetched.provider_thread_id:
        await intake.link_thread(conn, mailbox.mailbox_id, fetched.provider_thread_id, lead_id)
    await timeline(
        conn,
        mailbox,
        fetched,
        "email_in",
        f"{msg.from_address}: {msg.subject}",
        lead_id=lead_id,
        contact_id=contact_id,
        detail={**excerpt(msg), "decision": decision.reason},
    )
    event = payloads.lead_received(
        msg, fetched, mailbox, lead_id=lead_id, contact_id=contact_id, history=history
    )
    await publish(conn, event, client_id=mailbox.client_id, correlation_id=lead_id)
    return Intake("lead", decision.reason, lead_id)
