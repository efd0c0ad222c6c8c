"""Parsing raw mail into what ingest keeps: text, addresses, signals, attachments."""

from __future__ import annotations

import email
from pathlib import Path

from leadwire_ingest.domain.message import ParsedMessage, Unparseable, parse_message


def parsed(raw: str | bytes) -> ParsedMessage:
    result = parse_message(raw.encode() if isinstance(raw, str) else raw)
    assert isinstance(result, ParsedMessage), result
    return result


PLAIN = """\
From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <Juergen@Example.COM>
To: sales@acme.test
Cc: Boss <boss@example.com>, other@example.com
Reply-To: deals@example.com
Subject: =?iso-8859-1?q?Anfrage_f=FCr_Angebot?=
Message-ID: <abc@example.com>
References: <r1@x> <r2@x>
In-Reply-To: <r2@x>
Date: Tue, 3 Nov 2026 10:00:00 +0100
Authentication-Results: mx.google.com; dkim=pass header.i=@example.com;
 spf=softfail (google.com: domain of x) smtp.mailfrom=x@example.com; dmarc=fail (p=NONE) header.from=example.com
Authentication-Results: forged.example; spf=pass; dkim=pass; dmarc=pass
Content-Type: text/plain; charset=utf-8

Hallo, wir brauchen 20 Lizenzen. https://example.com/a and https://example.com/b

Beste Grüße
Jürgen

On Mon, Nov 2, 2026 at 9:00 AM Sales <sales@acme.test> wrote:
> Thanks for your interest
"""


def test_headers_are_decoded_and_addresses_normalised() -> None:
    msg = parsed(PLAIN)
    assert msg.from_address == "juergen@example.com"
    assert msg.from_name == "Jürgen Müller"
    assert msg.subject == "Anfrage für Angebot"
    assert msg.cc == ("boss@example.com", "other@example.com")
    assert msg.reply_to == ("deals@example.com",)
    assert msg.rfc_message_id == "<abc@example.com>"
    assert msg.references == ("<r1@x>", "<r2@x>")
    assert msg.in_reply_to == "<r2@x>"
    assert msg.sent_at is not None and msg.sent_at.utcoffset() is not None


def test_reply_text_drops_the_quoted_history_but_the_full_text_keeps_it() -> None:
    msg = parsed(PLAIN)
    assert "20 Lizenzen" in msg.reply_text
    assert "Thanks for your interest" not in msg.reply_text
    assert "Thanks for your interest" in msg.text


def test_topmost_authentication_results_give_the_verdicts() -> None:
    signals = parsed(PLAIN).signals
    assert (signals.spf, signals.dkim, signals.dmarc) == ("softfail", "pass", "fail")
    assert signals.link_count == 2


def test_html_only_mail_becomes_text_without_markup() -> None:
    msg = parsed(
        "From: a@example.com\nSubject: hi\nContent-Type: text/html; charset=utf-8\n\n"
        "<html><body><p>Hello <b>there</b></p><ul><li>one</li></ul>"
        "<a href='https://x.example/1'>x</a></body></html>"
    )
    assert msg.has_html
    assert "Hello there" in msg.text
    assert "<" not in msg.text
    assert msg.signals.link_count == 1


def test_attachments_are_metadata_and_the_plain_part_is_the_text() -> None:
    raw = (
        "From: a@example.com\nSubject: files\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b"\n\n'
        "--b\nContent-Type: text/plain; charset=utf-8\n\nSee attached.\n"
        "--b\nContent-Type: application/pdf\nContent-Disposition: attachment; "
        'filename="=?utf-8?q?Angebot_=C3=BC.pdf?="\nContent-Transfer-Encoding: base64\n\n'
        "JVBERi0xLjQK\n--b--\n"
    )
    msg = parsed(raw)
    assert msg.text == "See attached."
    assert [(a.filename, a.content_type, a.size) for a in msg.attachments] == [
        ("Angebot ü.pdf", "application/pdf", 9)
    ]


def test_an_unknown_charset_is_read_as_utf8_with_replacement() -> None:
    raw = b"From: a@example.com\nSubject: x\nContent-Type: text/plain; charset=fakescii\n\nhello \xff world\n"
    msg = parsed(raw)
    assert msg.text.startswith("hello")
    assert "world" in msg.text


def test_list_headers_and_precedence_are_signals() -> None:
    msg = parsed(
        "From: n@example.com\nList-Id: <news.example.com>\nList-Unsubscribe: <mailto:u@x>\n"
        "Precedence: Bulk\nSubject: s\n\nbody\n"
    )
    assert msg.signals.list_id and msg.signals.list_unsubscribe
    assert msg.signals.precedence == "bulk"


def test_empty_input_is_unparseable_not_an_exception() -> None:
    assert isinstance(parse_message(b""), Unparseable)
    assert isinstance(parse_message(b"   \r\n"), Unparseable)


def test_cpython_email_test_data_never_raises() -> None:
    data = Path(email.__file__).parent.parent / "test" / "test_email" / "data"
    files = sorted(data.glob("msg_*.txt"))
    assert files, f"CPython's email test data not found at {data}"
    for path in files:
        result = parse_message(path.read_bytes())
        assert isinstance(result, ParsedMessage | Unparseable)


def test_garbage_bytes_never_raise() -> None:
    for raw in (b"\x00\x01\x02", b"Content-Type: multipart/mixed; boundary=\n\n--\n", b":" * 5000):
        assert isinstance(parse_message(raw), ParsedMessage | Unparseable)
