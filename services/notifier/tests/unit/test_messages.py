"""Each event kind → the Block Kit message a person sees."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from leadwire.events import (
    DraftCreated,
    EmailSendFailed,
    EmailSent,
    EmailSentByPerson,
    LeadFlagged,
    LeadReceived,
    LeadReplied,
    MailboxRevoked,
    MailboxSyncFailed,
)
from leadwire_notifier.domain.blocks import notice_message
from leadwire_notifier.domain.notices import ConsoleLinks, LeadContext, build_notice

NOW = datetime(2026, 1, 2, 10, 0, tzinfo=UTC)
LINKS = ConsoleLinks("https://console.test/")


def _message(payload: Any, lead: LeadContext | None = None) -> dict[str, Any]:
    notice = build_notice(payload, lead, LINKS)
    assert notice is not None
    return notice_message(notice)


def _text(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def _actions(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in message["blocks"] if b["type"] == "actions"]


def test_new_lead_names_the_lead_subject_excerpt_and_console_link(
    make_lead: Callable[..., LeadReceived],
) -> None:
    lead = make_lead()
    message = _message(lead)
    text = _text(message)
    assert "New lead" in message["text"] and "Ann Lee" in message["text"]
    assert "Quote for 20 seats" in text
    assert "we would like a quote" in text
    assert f"https://console.test/#/leads/{lead.lead_id}" in text
    assert not _actions(message)


def test_a_long_body_is_never_posted_whole(make_lead: Callable[..., LeadReceived]) -> None:
    body = "start " + "filler " * 2000 + "THE-END-OF-THE-BODY"
    text = _text(_message(make_lead(body_text=body)))
    assert "THE-END-OF-THE-BODY" not in text
    assert len(text) < 2000


def test_a_form_lead_quotes_its_fields(make_lead: Callable[..., LeadReceived]) -> None:
    form = make_lead(
        source="form",
        mailbox_id=None,
        provider=None,
        provider_message_id=None,
        body_text="",
        form_fields={"message": "Call me about pricing"},
    )
    text = _text(_message(form))
    assert "Call me about pricing" in text and "form" in text


def test_draft_awaiting_approval_carries_score_draft_and_three_buttons(
    make_draft: Callable[..., DraftCreated],
) -> None:
    draft = make_draft()
    message = _message(draft)
    text = _text(message)
    assert "82/100" in text and "Thank you for asking" in text
    (actions,) = _actions(message)
    assert actions["block_id"] == f"draft:{draft.draft_id}"
    by_id = {e["action_id"]: e for e in actions["elements"]}
    assert set(by_id) == {"approve", "reject", "edit"}
    assert by_id["approve"]["value"] == by_id["reject"]["value"] == str(draft.draft_id)
    assert by_id["edit"]["url"] == (
        f"https://console.test/#/leads/{draft.lead_id}?draft={draft.draft_id}"
    )


def test_an_auto_sent_draft_is_not_announced(make_draft: Callable[..., DraftCreated]) -> None:
    assert build_notice(make_draft(auto_send=True), None, LINKS) is None


def test_events_without_names_use_the_remembered_lead() -> None:
    lead_id = uuid4()
    context = LeadContext(lead_id, "Bob Stone", "bob@lead.test", "Demo please")
    replied = LeadReplied(
        lead_id=lead_id, mailbox_id=uuid4(), provider_message_id="m2", received_at=NOW
    )
    flagged = LeadFlagged(lead_id=lead_id, reasons=["asks for bank details"], verdict="suspicious")
    for payload, words in (
        (replied, ["replied", "Bob Stone", "Demo please"]),
        (flagged, ["needs a person", "Bob Stone", "asks for bank details", "suspicious"]),
    ):
        text = _text(_message(payload, context))
        assert all(word in text for word in words), (payload, text)


def test_outcomes_of_sending() -> None:
    lead_id = uuid4()
    sent = EmailSent(
        outbound_id=uuid4(),
        lead_id=lead_id,
        mailbox_id=uuid4(),
        provider="google",
        provider_message_id="s1",
        to_address="ann@lead.test",
        subject="Re: Quote",
        sent_at=NOW,
        snippet="Hello Ann, thank you",
    )
    failed = EmailSendFailed(
        outbound_id=uuid4(),
        lead_id=lead_id,
        error_code="quota_exceeded",
        error_message="daily limit",
        permanent=True,
        attempts=3,
    )
    by_person = EmailSentByPerson(
        lead_id=lead_id,
        mailbox_id=uuid4(),
        provider="google",
        provider_message_id="p1",
        to_addresses=["ann@lead.test"],
        subject="Re: Quote",
        sent_at=NOW,
    )
    assert "Reply sent" in _text(_message(sent)) and "ann@lead.test" in _text(_message(sent))
    assert "quota_exceeded" in _text(_message(failed)) and "gave up" in _text(_message(failed))
    assert "by hand" in _text(_message(by_person))


def test_mailbox_problems_link_to_the_mailbox() -> None:
    mailbox_id = uuid4()
    revoked = MailboxRevoked(
        mailbox_id=mailbox_id,
        client_id=uuid4(),
        provider="google",
        address="sales@acme.test",
        error_code="invalid_grant",
    )
    sync = MailboxSyncFailed(
        mailbox_id=mailbox_id,
        client_id=uuid4(),
        provider="microsoft",
        address="sales@acme.test",
        stage="subscribe",
        error_code="http_503",
        failing_since=NOW,
        attempts=7,
    )
    for payload, word in ((revoked, "invalid_grant"), (sync, "subscribe")):
        text = _text(_message(payload))
        assert word in text and "sales@acme.test" in text
        assert f"https://console.test/#/mailboxes/{mailbox_id}" in text
