"""The lead / not-a-lead decision and its reason, one rule per test."""

from __future__ import annotations

import pytest

from leadwire_ingest.domain.classify import Decision, MailboxFacts, classify
from leadwire_ingest.domain.message import ParsedMessage, parse_message

FACTS = MailboxFacts(
    mailbox_address="sales@acme.test",
    own_domains=frozenset({"acme.test"}),
    denied_domains=frozenset({"spammy.example"}),
)


def decide(headers: str, body: str = "Hello, we would like a quote.", **facts: object) -> Decision:
    raw = f"{headers.strip()}\nMessage-ID: <m@x>\n\n{body}\n".encode()
    msg = parse_message(raw)
    assert isinstance(msg, ParsedMessage)
    merged = MailboxFacts(**{**FACTS.__dict__, **facts})  # type: ignore[arg-type]
    return classify(msg, merged)


def test_a_person_writing_in_is_a_lead() -> None:
    decision = decide("From: Ann <ann@customer.example>\nSubject: Quote please")
    assert decision.is_lead
    assert decision.code == "lead"


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ("From: ann@customer.example\nAuto-Submitted: auto-replied", "auto_reply"),
        ("From: ann@customer.example\nX-Autoreply: yes", "auto_reply"),
        ("From: ann@customer.example\nX-Autorespond: on", "auto_reply"),
        ("From: ann@customer.example\nPrecedence: auto_reply", "auto_reply"),
        ("From: ann@customer.example\nSubject: Out of Office: back Monday", "auto_reply"),
        ("From: ann@customer.example\nSubject: Automatische Antwort: Urlaub", "auto_reply"),
        ("From: ann@customer.example\nSubject: Réponse automatique : absent", "auto_reply"),
        ("From: ann@customer.example\nSubject: Respuesta automática", "auto_reply"),
        ("From: ann@customer.example\nSubject: RE: Risposta automatica", "auto_reply"),
        ("From: news@shop.example\nList-Id: <deals.shop.example>", "mailing_list"),
        ("From: ann@shop.example\nList-Unsubscribe: <https://shop.example/u>", "mailing_list"),
        ("From: ann@shop.example\nPrecedence: bulk", "mailing_list"),
        ("From: no-reply@shop.example\nSubject: Your receipt", "automated_sender"),
        ("From: sales@acme.test\nSubject: sent by us", "self_sent"),
        ("From: colleague@acme.test\nSubject: internal", "own_domain"),
        ("From: colleague@eu.acme.test\nSubject: internal", "own_domain"),
        ("From: x@spammy.example\nSubject: hi", "denied_domain"),
        ("From: undisclosed\nSubject: hi", "no_sender"),
        ("From: ann@customer.example\nX-Spam-Flag: YES", "spam_header"),
    ],
)
def test_not_a_lead_with_its_reason(headers: str, code: str) -> None:
    decision = decide(headers)
    assert decision.outcome == "not_lead"
    assert decision.code == code
    assert decision.reason


def test_auto_submitted_no_is_a_person() -> None:
    assert decide("From: ann@customer.example\nAuto-Submitted: no").is_lead


def test_a_subject_merely_mentioning_vacation_is_still_a_lead() -> None:
    assert decide("From: ann@customer.example\nSubject: Quote for our office vacation trip").is_lead


def test_provider_spam_label_is_not_a_lead() -> None:
    decision = decide("From: ann@customer.example", labels=frozenset({"SPAM", "INBOX"}))
    assert decision.code == "provider_spam"


def test_mail_in_the_sent_folder_is_self_sent_whatever_its_from() -> None:
    decision = decide("From: alias@other.example", sent_by_mailbox=True)
    assert decision.code == "self_sent"


def test_mail_from_before_connect_is_not_answered_but_the_same_second_is() -> None:
    from datetime import UTC, datetime, timedelta

    from leadwire_ingest.domain.classify import arrived_after_connect

    connected = datetime(2026, 11, 22, 10, 0, 0, 700000, tzinfo=UTC)
    assert arrived_after_connect(connected.replace(microsecond=0), connected)
    assert not arrived_after_connect(connected - timedelta(hours=1), connected)


def test_the_sender_services_message_ids_are_recognised_as_ours() -> None:
    from leadwire_ingest.domain.classify import sent_by_leadwire

    assert sent_by_leadwire("<3f2a9c.leadwire@acme.test>")
    assert not sent_by_leadwire("<CAF=abc@mail.gmail.com>")
    assert not sent_by_leadwire(None)
