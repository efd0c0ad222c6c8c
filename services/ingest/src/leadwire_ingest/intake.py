"""One fetched message → its decision, timeline entry and events, in one transaction.

Called by the sync for every message a provider reports. Duplicates (push and poll
racing, the same mail in two mailboxes of a client) stop at the first claim; an
unparseable message is recorded and skipped; nothing here calls a provider.
"""

from __future__ import annotations

import logging
from uuid import UUID

from leadwire_ingest import outcomes
from leadwire_ingest.domain.classify import MailboxFacts, classify
from leadwire_ingest.domain.message import ParsedMessage, Unparseable, parse_message
from leadwire_ingest.domain.models import ClientInfo, Mailbox
from leadwire_ingest.domain.payloads import FetchedMessage
from leadwire_ingest.outcomes import Intake, timeline
from leadwire_ingest.store import Conn, intake

_log = logging.getLogger(__name__)


def _facts(mailbox: Mailbox, client: ClientInfo | None, fetched: FetchedMessage) -> MailboxFacts:
    return MailboxFacts(
        mailbox_address=mailbox.address,
        own_domains=frozenset(client.own_domains) if client else frozenset(),
        denied_domains=frozenset(client.denied_domains) if client else frozenset(),
        labels=fetched.labels,
        sent_by_mailbox=fetched.sent_by_mailbox,
    )


async def _record(
    conn: Conn, mailbox: Mailbox, fetched: FetchedMessage, result: Intake, rfc: str | None
) -> Intake:
    await intake.record_decision(
        conn,
        mailbox.mailbox_id,
        fetched.provider_message_id,
        outcome=result.outcome,
        reason=result.reason,
        rfc_message_id=rfc,
        provider_thread_id=fetched.provider_thread_id,
        lead_id=result.lead_id,
    )
    return result


async def ingest_message(
    conn: Conn,
    mailbox: Mailbox,
    client: ClientInfo | None,
    fetched: FetchedMessage,
    *,
    answer: bool = True,
) -> Intake:
    """Handle one message inside the caller's transaction. `answer=False` imports it into
    the timeline of a known contact without making a lead (mail from before connect)."""
    claimed = await intake.claim_provider_message(
        conn, mailbox.mailbox_id, fetched.provider_message_id, mailbox.client_id
    )
    if not claimed:
        return Intake("duplicate", "already seen in this mailbox")
    parsed = parse_message(fetched.raw)
    if isinstance(parsed, Unparseable):
        _log.warning("unparseable message %s: %s", fetched.provider_message_id, parsed.reason)
        await timeline(
            conn,
            mailbox,
            fetched,
            "unparseable",
            f"could not read a message: {parsed.reason}",
        )
        return await _record(conn, mailbox, fetched, Intake("unparseable", parsed.reason), None)
    if parsed.rfc_message_id:
        first = await intake.claim_rfc_message_id(
            conn, mailbox.client_id, parsed.rfc_message_id, mailbox.mailbox_id
        )
        if first is not None:
            why = f"same Message-ID already handled (mailbox {first})"
            return await _record(
                conn, mailbox, fetched, Intake("duplicate", why), parsed.rfc_message_id
            )
    result = await _route(conn, mailbox, client, fetched, parsed, answer=answer)
    return await _record(conn, mailbox, fetched, result, parsed.rfc_message_id)


async def _thread_lead(
    conn: Conn, mailbox: Mailbox, fetched: FetchedMessage, msg: ParsedMessage
) -> UUID | None:
    if fetched.provider_thread_id:
        found = await intake.lead_for_thread(conn, mailbox.mailbox_id, fetched.provider_thread_id)
        if found:
            return found
    ids = [i for i in (msg.in_reply_to, *msg.references) if i]
    return await intake.lead_for_rfc_ids(conn, mailbox.client_id, ids)


async def _route(
    conn: Conn,
    mailbox: Mailbox,
    client: ClientInfo | None,
    fetched: FetchedMessage,
    msg: ParsedMessage,
    *,
    answer: bool,
) -> Intake:
    decision = classify(msg, _facts(mailbox, client, fetched))
    thread_lead = await _thread_lead(conn, mailbox, fetched, msg)
    if decision.code == "self_sent":
        return await outcomes.outgoing(conn, mailbox, fetched, msg, thread_lead, decision)
    if decision.outcome == "bounce":
        return await outcomes.bounce(conn, mailbox, fetched, msg)
    if thread_lead is not None:
        return await outcomes.in_thread(conn, mailbox, fetched, msg, thread_lead)
    if not decision.is_lead:
        return await outcomes.not_a_lead(conn, mailbox, fetched, msg, decision)
    if not answer:
        return await outcomes.import_only(conn, mailbox, fetched, msg)
    return await outcomes.new_lead(conn, mailbox, fetched, msg, decision)
