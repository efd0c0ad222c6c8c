"""Putting a draft together: text (LLM answer or template), score, checks, auto-send.

Pure: the use case asks the LLM first and passes its answer (or None and why) in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from leadwire.events import ClientChanged, GuardVerdict, LeadReceived
from leadwire_drafter.domain.answer import Answer
from leadwire_drafter.domain.checks import check_draft
from leadwire_drafter.domain.guard import GuardResult
from leadwire_drafter.domain.leads import lead_name, lead_subject, reply_subject
from leadwire_drafter.domain.policy import decide_auto_send, send_after
from leadwire_drafter.domain.qualification import Qualification, qualify
from leadwire_drafter.domain.template import template_draft, to_html


@dataclass(frozen=True)
class Composed:
    mailbox_id: UUID | None
    subject: str
    body_text: str
    body_html: str
    is_template: bool
    language: str
    qualification: Qualification
    verdict: GuardVerdict
    check_failures: tuple[str, ...]
    auto_send: bool
    send_after: datetime | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ComposeInput:
    lead: LeadReceived
    client: ClientChanged
    guard: GuardResult
    language: str
    now: datetime
    answer: Answer | None = None
    # Why there is no answer (no key, LLM down, unreadable answer): noted on the draft.
    fallback_reason: str = ""
    # Set when a person asked for this draft (regenerate): it waits for them.
    review_reason: str = ""


def compose(given: ComposeInput) -> Composed:
    lead, client = given.lead, given.client
    subject, body, notes = _text(given)
    qualification = _qualification(given)
    checks = check_draft(body, client, given.language)
    mailbox_id = lead.mailbox_id if lead.source == "email" else client.primary_mailbox_id
    decision = decide_auto_send(
        client,
        verdict=given.guard.verdict,
        score=qualification.score,
        check_failures=list(checks.failures),
        has_mailbox=mailbox_id is not None,
    )
    auto = decision.auto_send and not given.review_reason
    review = [given.review_reason] if given.review_reason else []
    reasons = (
        *given.guard.reasons(),
        *checks.failures,
        *decision.reasons,
        *review,
        *notes,
    )
    return Composed(
        mailbox_id=mailbox_id,
        subject=subject,
        body_text=body,
        body_html=to_html(body),
        is_template=given.answer is None,
        language=given.language,
        qualification=qualification,
        verdict=given.guard.verdict,
        check_failures=checks.failures,
        auto_send=auto,
        send_after=send_after(given.now, client),
        reasons=tuple(reasons),
    )


def _text(given: ComposeInput) -> tuple[str, str, list[str]]:
    lead, client = given.lead, given.client
    original = lead_subject(given.lead)
    answer = given.answer
    if lead.source == "email":
        # In-thread replies keep the thread's subject (Gmail threads on it).
        subject = reply_subject(original)
    elif answer is not None and answer.subject and not answer.subject.lower().startswith("re:"):
        subject = answer.subject  # a form lead starts a new thread: no "Re:" to anything
    else:
        subject = f"{client.name}: {original}" if original else f"Your enquiry to {client.name}"
    if answer is not None and answer.body:
        return subject, answer.body, []
    body = template_draft(client, name=lead_name(lead), subject=original, language=given.language)
    why = given.fallback_reason or "the LLM gave an empty draft"
    return subject, body, [f"template draft: {why}"]


def _qualification(given: ComposeInput) -> Qualification:
    answer = given.answer
    if answer is not None and answer.score is not None:
        return Qualification(answer.score, answer.score_reasons, "llm")
    rules = qualify(given.lead, given.client)
    return rules
