"""What a person should hear of each event: one `Notice` per event kind.

A notice is plain data (a headline, detail lines, a bounded excerpt, links, the draft
awaiting approval); `domain.blocks` turns it into Block Kit. Events that do not say who
the lead is (lead.replied, lead.flagged) are completed with the `LeadContext` the
notifier kept from lead.received.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from leadwire.events import (
    DraftCreated,
    EmailSendFailed,
    EmailSent,
    EmailSentByPerson,
    EventPayload,
    LeadFlagged,
    LeadReceived,
    LeadReplied,
    MailboxRevoked,
    MailboxSyncFailed,
)
from leadwire_notifier.domain.text import escape, excerpt, paragraph, person


@dataclass(frozen=True)
class LeadContext:
    """Who a lead is, remembered from its lead.received."""

    lead_id: UUID
    name: str = ""
    address: str = ""
    subject: str = ""


@dataclass(frozen=True)
class ConsoleLinks:
    """Addresses in the admin console (served at PUBLIC_BASE_URL by the gateway)."""

    base_url: str

    def lead(self, lead_id: UUID) -> str:
        return f"{self.base_url.rstrip('/')}/#/leads/{lead_id}"

    def draft(self, lead_id: UUID, draft_id: UUID) -> str:
        return f"{self.lead(lead_id)}?draft={draft_id}"

    def mailbox(self, mailbox_id: UUID) -> str:
        return f"{self.base_url.rstrip('/')}/#/mailboxes/{mailbox_id}"


@dataclass(frozen=True)
class Notice:
    kind: str
    headline: str  # mrkdwn, one line: what happened and to whom
    details: tuple[str, ...] = ()  # mrkdwn lines
    excerpt: str = ""  # bounded plain text, quoted in the message
    link_url: str | None = None
    link_label: str = "Open in console"
    lead_id: UUID | None = None
    # Set only for a draft awaiting approval: the message carries its buttons.
    draft_id: UUID | None = None
    draft_text: str = ""
    edit_url: str | None = None


def _who(lead: LeadContext | None, name: str = "", address: str = "") -> str:
    if lead is not None and (lead.name or lead.address):
        return person(lead.name, lead.address)
    return person(name, address)


def _subject(subject: str) -> str:
    return f"“{escape(excerpt(subject, 150))}”" if subject.strip() else "(no subject)"


def lead_received(p: LeadReceived, lead: LeadContext | None, links: ConsoleLinks) -> Notice:
    source = "form" if p.source == "form" else "email"
    text = p.body_text or "\n".join(f"{k}: {v}" for k, v in p.form_fields.items())
    return Notice(
        kind="lead.received",
        headline=f":inbox_tray: *New lead* from {person(p.from_name, p.from_address)}",
        details=(f"*Subject:* {_subject(p.subject)}", f"*Source:* {source}"),
        excerpt=excerpt(text),
        link_url=links.lead(p.lead_id),
        lead_id=p.lead_id,
    )


def lead_flagged(p: LeadFlagged, lead: LeadContext | None, links: ConsoleLinks) -> Notice:
    reasons = ", ".join(escape(excerpt(r, 120)) for r in p.reasons[:5])
    details = [f"*Why:* {reasons}"]
    if lead is not None:
        details.insert(0, f"*Subject:* {_subject(lead.subject)}")
    if p.verdict:
        details.append(f"*Guard:* {p.verdict}")
    return Notice(
        kind="lead.flagged",
        headline=f":warning: *Lead needs a person*: {_who(lead)}",
        details=tuple(details),
        link_url=links.lead(p.lead_id),
        lead_id=p.lead_id,
    )


def draft_created(p: DraftCreated, lead: LeadContext | None, links: ConsoleLinks) -> Notice:
    to = p.reply_to
    who = _who(lead, to.to_name if to else "", to.to_address if to else "")
    details = [f"*Subject:* {_subject(p.subject)}"]
    if p.score is not None:
        reasons = "; ".join(escape(excerpt(r, 80)) for r in p.score_reasons[:3])
        details.append(f"*Score:* {p.score}/100" + (f" ({reasons})" if reasons else ""))
    if p.guard_verdict != "pass":
        details.append(f"*Guard:* {p.guard_verdict}")
    return Notice(
        kind="draft.created",
        headline=f":memo: *Draft awaiting approval* for {who}",
        details=tuple(details),
        link_url=links.lead(p.lead_id),
        lead_id=p.lead_id,
        draft_id=p.draft_id,
        draft_text=paragraph(p.body_text),
        edit_url=links.draft(p.lead_id, p.draft_id),
    )


def email_sent(p: EmailSent, lead: LeadContext | None, links: ConsoleLinks) -> Notice:
    return Notice(
        kind="email.sent",
        headline=f":white_check_mark: *Reply sent* to {_who(lead, '', p.to_address)}",
        details=(f"*Subject:* {_subject(p.subject)}", f"*Kind:* {p.kind}"),
        excerpt=excerpt(p.snippet),
        link_url=links.lead(p.lead_id) if p.lead_id else links.mailbox(p.mailbox_id),
        lead_id=p.lead_id,
    )


def email_send_failed(p: EmailSendFailed, lead: LeadContext | None, links: ConsoleLinks) -> Notice:
    outcome = "gave up" if p.permanent else "will retry"
    details = [f"*Error:* `{escape(excerpt(p.error_code, 80))}` ({outcome}, {p.attempts} tries)"]
    if p.error_message:
        details.append(escape(excerpt(p.error_message, 200)))
    link_url = links.lead(p.lead_id) if p.lead_id else None
    if link_url is None and p.mailbox_id:
        link_url = links.mailbox(p.mailbox_id)
    return Notice(
        kind="email.send_failed",
        headline=f":x: *Sending failed* for {_who(lead)}",
        details=tuple(details),
        link_url=link_url,
        lead_id=p.lead_id,
    )


def lead_replied(p: LeadReplied, lead: LeadContext | None, links: ConsoleLinks) -> Notice:
    details = (f"*Subject:* {_subject(lead.subject)}",) if lead else ()
    return Notice(
        kind="lead.replied",
        headline=f":speech_balloon: *The lead replied*: {_who(lead)}",
        details=details,
        link_url=links.lead(p.lead_id),
        lead_id=p.lead_id,
    )


def email_sent_by_person(
    p: EmailSentByPerson, lead: LeadContext | None, links: ConsoleLinks
) -> Notice:
    to = ", ".join(p.to_addresses[:3])
    return Notice(
        kind="email.sent_by_person",
        headline=f":bust_in_silhouette: *A person answered* {_who(lead, '', to)} by hand",
        details=(f"*Subject:* {_subject(p.subject)}", "Automatic replies to this lead stop."),
        link_url=links.lead(p.lead_id),
        lead_id=p.lead_id,
    )


def mailbox_revoked(p: MailboxRevoked, lead: LeadContext | None, links: ConsoleLinks) -> Notice:
    return Notice(
        kind="mailbox.revoked",
        headline=f":no_entry: *Mailbox disconnected*: {escape(p.address)} ({p.provider})",
        details=(
            f"*Error:* `{escape(excerpt(p.error_code, 80))}`",
            "Reconnect it in the console; nothing is read or sent from it until then.",
        ),
        link_url=links.mailbox(p.mailbox_id),
        link_label="Reconnect",
    )


def mailbox_sync_failed(
    p: MailboxSyncFailed, lead: LeadContext | None, links: ConsoleLinks
) -> Notice:
    since = p.failing_since.strftime("%Y-%m-%d %H:%M UTC")
    details = [f"*Stage:* {p.stage}, *error:* `{escape(excerpt(p.error_code, 80))}`"]
    details.append(f"Failing since {since} ({p.attempts} attempts); still retrying.")
    if p.error_message:
        details.append(escape(excerpt(p.error_message, 200)))
    return Notice(
        kind="mailbox.sync_failed",
        headline=f":rotating_light: *Mailbox not syncing*: {escape(p.address or str(p.mailbox_id))}",
        details=tuple(details),
        link_url=links.mailbox(p.mailbox_id),
    )


Builder = Callable[[Any, LeadContext | None, ConsoleLinks], Notice]
_BUILDERS: dict[type[EventPayload], Builder] = {
    LeadReceived: lead_received,
    LeadFlagged: lead_flagged,
    DraftCreated: draft_created,
    EmailSent: email_sent,
    EmailSendFailed: email_send_failed,
    LeadReplied: lead_replied,
    EmailSentByPerson: email_sent_by_person,
    MailboxRevoked: mailbox_revoked,
    MailboxSyncFailed: mailbox_sync_failed,
}
NOTIFIED_TYPES: tuple[type[EventPayload], ...] = tuple(_BUILDERS)


def build_notice(
    payload: EventPayload, lead: LeadContext | None, links: ConsoleLinks
) -> Notice | None:
    """The notice for an event, or None when it is not something a person hears of
    (e.g. a draft that goes out by itself: email.sent tells them afterwards)."""
    if isinstance(payload, DraftCreated) and payload.auto_send:
        return None
    builder = _BUILDERS.get(type(payload))
    return builder(payload, lead, links) if builder else None


def lead_id_of(payload: EventPayload) -> UUID | None:
    """The lead an event is about, if any (to look up its `LeadContext`)."""
    value = getattr(payload, "lead_id", None)
    return value if isinstance(value, UUID) else None
