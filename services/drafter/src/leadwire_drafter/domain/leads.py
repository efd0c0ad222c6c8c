"""What the drafter reads from a `lead.received`: the message, the name, a dedupe key."""

from __future__ import annotations

import hashlib

from leadwire.events import EmailReceived, LeadReceived, PriorMessage

# Form fields that hold the lead's own words, in the order they are tried.
_MESSAGE_FIELDS = ("message", "body", "text", "comment", "comments", "enquiry", "inquiry")
_NAME_FIELDS = ("name", "full_name", "fullname", "first_name", "firstname")
_MAX_HISTORY = 20  # what lead.received carries at most


def lead_message(lead: LeadReceived) -> str:
    """The lead's own words: the mail body, or the form's message field(s)."""
    if lead.body_text.strip():
        return lead.body_text.strip()
    fields = {k.lower(): v for k, v in lead.form_fields.items()}
    parts = [fields[name] for name in _MESSAGE_FIELDS if fields.get(name, "").strip()]
    return "\n".join(parts).strip()


def lead_name(lead: LeadReceived) -> str:
    if lead.from_name.strip():
        return lead.from_name.strip()
    fields = {k.lower(): v for k, v in lead.form_fields.items()}
    return next((fields[n].strip() for n in _NAME_FIELDS if fields.get(n, "").strip()), "")


def lead_subject(lead: LeadReceived) -> str:
    if lead.subject.strip():
        return lead.subject.strip()
    fields = {k.lower(): v for k, v in lead.form_fields.items()}
    return fields.get("subject", "").strip()


def message_key(lead: LeadReceived) -> str:
    """Identifies one inbound message of a lead: a redelivered or re-published
    `lead.received` for the same message maps to the same key (one draft)."""
    if lead.provider_message_id:
        return f"msg:{lead.provider_message_id}"
    if lead.rfc_message_id:
        return f"rfc:{lead.rfc_message_id}"
    digest = hashlib.sha256(
        "\x1f".join([lead.from_address.lower(), lead_subject(lead), lead_message(lead)]).encode()
    ).hexdigest()[:32]
    return f"form:{digest}"


def reply_subject(subject: str) -> str:
    """`Re: <subject>` without stacking prefixes: Gmail threads only on a matching subject."""
    stripped = subject.strip()
    if stripped.lower().startswith(("re:", "aw:", "sv:", "r:")):
        return stripped
    return f"Re: {stripped}" if stripped else "Re: your message"


def with_new_message(lead: LeadReceived, message: EmailReceived) -> LeadReceived:
    """The lead as it stands after it wrote again in its thread (before we answered):
    the new message is what to answer, the earlier one moves into the history."""
    earlier = PriorMessage(
        direction="in",
        sent_at=lead.received_at,
        subject=lead.subject,
        excerpt=lead_message(lead)[:2000],
    )
    references = [*lead.references]
    if lead.rfc_message_id and lead.rfc_message_id not in references:
        references.append(lead.rfc_message_id)
    return lead.model_copy(
        update={
            "subject": message.subject or lead.subject,
            "body_text": message.snippet,
            "provider_message_id": message.provider_message_id,
            "provider_thread_id": message.provider_thread_id or lead.provider_thread_id,
            "rfc_message_id": message.rfc_message_id,
            "references": references,
            "received_at": message.received_at,
            "attachments": [],
            "history": [*lead.history, earlier][-_MAX_HISTORY:],
        }
    )
