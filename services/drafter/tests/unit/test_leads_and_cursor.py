"""What the drafter reads from a lead, and the admin API's opaque cursors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from fastapi import HTTPException

from leadwire.events import EmailReceived, LeadReceived
from leadwire_drafter.api.cursor import decode_cursor, encode_cursor
from leadwire_drafter.domain.leads import (
    lead_message,
    lead_name,
    message_key,
    reply_subject,
    with_new_message,
)
from leadwire_drafter.testing import MAILBOX_ID, NOW, sample_lead


def _form(**fields: str) -> LeadReceived:
    return sample_lead(
        source="form", mailbox_id=None, provider=None, provider_message_id=None,
        from_name="", subject="", body_text="", form_fields=fields,
    )  # fmt: skip


def test_form_fields_give_the_message_and_the_name() -> None:
    form = _form(Name="Sam", Message="We need a shop.", phone="123")
    assert lead_message(form) == "We need a shop."
    assert lead_name(form) == "Sam"


def test_the_message_key_is_stable_for_the_same_message() -> None:
    a, b = _form(message="Hi there"), _form(message="Hi there")
    assert message_key(a) == message_key(b)
    assert message_key(a) != message_key(_form(message="Other"))
    assert message_key(sample_lead(provider_message_id="m1")) == "msg:m1"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Website", "Re: Website"),
        ("RE: Website", "RE: Website"),
        ("AW: Angebot", "AW: Angebot"),
        ("", "Re: your message"),
    ],
)
def test_reply_subjects_do_not_stack(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected


def test_a_new_message_becomes_what_to_answer_and_the_old_one_history() -> None:
    lead = sample_lead(rfc_message_id="<a@x>", references=["<root@x>"])
    later = NOW + timedelta(hours=1)
    message = EmailReceived(
        lead_id=lead.lead_id, mailbox_id=MAILBOX_ID, provider="google", provider_message_id="m2",
        rfc_message_id="<b@x>", from_address=lead.from_address, subject="", snippet="And a blog?",
        received_at=later,
    )  # fmt: skip
    merged = with_new_message(lead, message)
    assert merged.body_text == "And a blog?"
    assert merged.subject == lead.subject
    assert merged.provider_message_id == "m2"
    assert merged.references == ["<root@x>", "<a@x>"]
    assert merged.history[-1].excerpt == lead.body_text
    assert merged.received_at == later


def test_cursors_round_trip_and_garbage_is_a_400() -> None:
    after = (datetime(2026, 11, 22, 2, 0, tzinfo=UTC), uuid4())
    assert decode_cursor(encode_cursor(after)) == after
    for bad in ("nope", encode_cursor(after)[:-3], "MjAyNi0xMS0yMlQwMjowMHxub3Bl"):
        with pytest.raises(HTTPException) as caught:
            decode_cursor(bad)
        assert caught.value.status_code == 400
