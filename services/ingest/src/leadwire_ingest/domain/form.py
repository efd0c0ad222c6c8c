"""Lead-form posts: the duplicate key, spam signs, and the lead.received they become."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from leadwire.events import InboundSignals, LeadReceived, PriorMessage
from leadwire_ingest.domain.models import Activity
from leadwire_ingest.domain.text import count_links

# More links than this in a form message is a link flood (spam), never answered.
MAX_FORM_LINKS = 3
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


@dataclass(frozen=True)
class FormPost:
    email: str
    name: str = ""
    phone: str = ""
    company: str = ""
    message: str = ""
    subject: str = ""
    honeypot: str = ""
    utm: dict[str, str] = field(default_factory=dict)
    origin: str | None = None
    page_url: str | None = None
    user_agent: str | None = None


def dedupe_key(post: FormPost) -> str:
    """Same address and same message (whitespace and case aside) → same key."""
    message = " ".join(post.message.split()).casefold()
    return hashlib.sha256(f"{post.email.strip().lower()}\n{message}".encode()).hexdigest()


def spam_reasons(post: FormPost) -> list[str]:
    """Why this post looks automated; empty for a plausible human post."""
    reasons = []
    if post.honeypot.strip():
        reasons.append("honeypot field filled in (a bot)")
    links = count_links(post.message, post.name, post.company)
    if links > MAX_FORM_LINKS:
        reasons.append(f"link flood: {links} links in the form")
    return reasons


def form_fields(post: FormPost) -> dict[str, str]:
    fields = {
        "name": post.name,
        "email": post.email,
        "phone": post.phone,
        "company": post.company,
        "message": post.message,
        **{k: v for k, v in post.utm.items() if k in UTM_FIELDS},
    }
    return {k: v for k, v in fields.items() if v}


def form_lead_received(
    post: FormPost,
    *,
    lead_id: UUID,
    contact_id: UUID,
    mailbox_id: UUID | None,
    received_at: datetime,
    history: list[PriorMessage],
) -> LeadReceived:
    return LeadReceived(
        lead_id=lead_id,
        contact_id=contact_id,
        source="form",
        mailbox_id=mailbox_id,
        from_address=post.email.strip().lower(),
        from_name=post.name,
        subject=post.subject or "Website enquiry",
        body_text=post.message,
        received_at=received_at,
        form_fields=form_fields(post),
        signals=InboundSignals(link_count=count_links(post.message)),
        form_origin=post.origin,
        page_url=post.page_url,
        user_agent=post.user_agent,
        history=history,
    )


def form_activity(post: FormPost, lead: LeadReceived, spam: list[str], client_id: UUID) -> Activity:
    """The timeline entry of a form post, with why it was flagged if it was."""
    flagged = f" flagged: {'; '.join(spam)}" if spam else ""
    return Activity(
        client_id=client_id,
        kind="form_in",
        summary=f"form post from {post.email}{flagged}",
        occurred_at=lead.received_at,
        lead_id=lead.lead_id,
        contact_id=lead.contact_id,
        detail={
            "subject": lead.subject,
            "excerpt": post.message[:500],
            "origin": post.origin or "",
            "page_url": post.page_url or "",
            "spam_reasons": "; ".join(spam),
        },
    )
