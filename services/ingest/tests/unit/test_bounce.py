"""Delivery-status notifications: recognised and tied to the message they report."""

from __future__ import annotations

from leadwire_ingest.domain.classify import MailboxFacts, classify
from leadwire_ingest.domain.message import ParsedMessage, parse_message

DSN = """\
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: sales@acme.test
Subject: Delivery Status Notification (Failure)
Message-ID: <dsn-1@mx.google.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="R"

--R
Content-Type: text/plain

Your message wasn't delivered to nobody@customer.example.
--R
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com

Final-Recipient: rfc822; nobody@customer.example
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 The email account does not exist

--R
Content-Type: message/rfc822

From: sales@acme.test
To: nobody@customer.example
Subject: Re: your enquiry
Message-ID: <ours-42@acme.test>

Hello
--R--
"""


def parsed(raw: str) -> ParsedMessage:
    msg = parse_message(raw.encode())
    assert isinstance(msg, ParsedMessage)
    return msg


def test_rfc3464_report_names_recipient_status_and_original_message() -> None:
    bounce = parsed(DSN).bounce
    assert bounce is not None
    assert bounce.original_message_id == "<ours-42@acme.test>"
    assert bounce.recipient == "nobody@customer.example"
    assert bounce.status == "5.1.1"
    assert "does not exist" in bounce.diagnostic
    assert bounce.permanent


def test_a_delayed_report_is_not_permanent() -> None:
    raw = DSN.replace("Action: failed", "Action: delayed").replace("5.1.1", "4.2.2")
    bounce = parsed(raw).bounce
    assert bounce is not None and not bounce.permanent


def test_text_bounce_from_a_daemon_is_found_with_its_returned_message_id() -> None:
    raw = (
        "From: MAILER-DAEMON <>\nReturn-Path: <>\nSubject: Undelivered Mail Returned to Sender\n\n"
        "This is the mail system.\n<x@customer.example>: host said 550 5.1.1 unknown user\n\n"
        "--- original message ---\nMessage-ID: <ours-7@acme.test>\nSubject: hi\n"
    )
    bounce = parsed(raw).bounce
    assert bounce is not None
    assert bounce.original_message_id == "<ours-7@acme.test>"
    assert bounce.status == "5.1.1"


def test_bounce_outranks_every_other_reason() -> None:
    decision = classify(parsed(DSN), MailboxFacts(mailbox_address="sales@acme.test"))
    assert decision.outcome == "bounce"


def test_a_person_mentioning_delivery_is_not_a_bounce() -> None:
    raw = "From: ann@customer.example\nSubject: Delivery status of my order\n\nWhere is it?\n"
    assert parsed(raw).bounce is None
