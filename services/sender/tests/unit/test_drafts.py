"""From a draft to the outbound message that answers the lead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from leadwire.contracts.leads import ReplyTarget
from leadwire_sender.domain.drafts import (
    DraftToSend,
    Sender,
    UnanswerableDraftError,
    follow_up_of,
    outbound_for_draft,
)
from leadwire_sender.domain.outbound import OutboundStatus

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SENDER = Sender(uuid4(), "sales@acme.test", "Acme Sales")
THREADED = ReplyTarget(
    to_address="lea@example.org",
    to_name="Léa",
    subject="Pricing",
    provider="google",
    provider_message_id="m1",
    provider_thread_id="t1",
    rfc_message_id="<theirs@example.org>",
    references=["<root@example.org>"],
    cc=["boss@example.org"],
)


def _draft(target: ReplyTarget | None = THREADED, **fields: object) -> DraftToSend:
    values: dict[str, object] = {
        "draft_id": uuid4(),
        "lead_id": uuid4(),
        "subject": "Re: Pricing",
        "body_text": "Hello",
        "body_html": "<p onclick='x()'>Hello</p>",
        "reply_to": target,
        "send_after": None,
        "mailbox_id": SENDER.mailbox_id,
    }
    values.update(fields)
    return DraftToSend(**values)  # type: ignore[arg-type]


def test_an_email_lead_is_answered_in_its_thread() -> None:
    out = outbound_for_draft(_draft(), SENDER, client_id=uuid4(), correlation_id=None, now=NOW)
    assert out.kind == "reply"
    assert out.subject == "Re: Pricing"
    assert out.in_reply_to == "<theirs@example.org>"
    assert out.references == ("<root@example.org>", "<theirs@example.org>")
    assert (out.reply_thread_id, out.reply_message_id) == ("t1", "m1")
    assert [r.address for r in out.cc] == ["boss@example.org"]
    assert out.rfc_message_id.endswith("@acme.test>")
    assert "onclick" not in out.body_html
    assert out.status is OutboundStatus.QUEUED and out.due_at == NOW


def test_a_form_lead_gets_a_new_thread_with_the_draft_subject() -> None:
    target = ReplyTarget(to_address="form@example.org")
    out = outbound_for_draft(
        _draft(target, subject="Your request"),
        SENDER,
        client_id=uuid4(),
        correlation_id=None,
        now=NOW,
    )
    assert out.kind == "new_thread"
    assert out.subject == "Your request"
    assert out.in_reply_to is None and out.references == ()


def test_send_after_sets_the_due_time_but_never_in_the_past() -> None:
    later = NOW + timedelta(hours=2)
    assert (
        outbound_for_draft(
            _draft(send_after=later), SENDER, client_id=uuid4(), correlation_id=None, now=NOW
        ).due_at
        == later
    )
    earlier = NOW - timedelta(hours=2)
    assert (
        outbound_for_draft(
            _draft(send_after=earlier), SENDER, client_id=uuid4(), correlation_id=None, now=NOW
        ).due_at
        == NOW
    )


def test_a_blocked_lead_gets_a_cancelled_row_with_the_reason() -> None:
    out = outbound_for_draft(
        _draft(),
        SENDER,
        client_id=uuid4(),
        correlation_id=None,
        now=NOW,
        blocked_reason="lead_replied",
    )
    assert (out.status, out.error_code) == (OutboundStatus.CANCELLED, "lead_replied")


def test_a_draft_without_reply_target_cannot_be_sent() -> None:
    with pytest.raises(UnanswerableDraftError):
        outbound_for_draft(_draft(None), SENDER, client_id=uuid4(), correlation_id=None, now=NOW)


def test_a_follow_up_answers_our_previous_message_in_its_thread() -> None:
    reply = outbound_for_draft(_draft(), SENDER, client_id=uuid4(), correlation_id=None, now=NOW)
    from dataclasses import replace

    sent = replace(reply, provider_message_id="sent-1", provider_thread_id="t1")
    follow = follow_up_of(sent, step=0, text="Any news?", html="", now=NOW)
    assert follow.kind == "follow_up" and follow.follow_up_step == 0
    assert follow.in_reply_to == reply.rfc_message_id
    assert follow.references[-1] == reply.rfc_message_id
    assert (follow.reply_thread_id, follow.reply_message_id) == ("t1", "sent-1")
    assert follow.subject == "Re: Pricing"
    assert follow.rfc_message_id != reply.rfc_message_id
    assert follow.rfc_message_id.endswith("@acme.test>")
