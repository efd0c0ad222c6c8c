"""The MIME we build: threading headers, encodings, parts."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from leadwire_sender.domain.mime import (
    FileAttachment,
    InvalidAddressError,
    Mailbox,
    OutgoingEmail,
    build_message,
    gmail_raw,
    new_message_id,
    reply_references,
    reply_subject,
)


def _email(**overrides: object) -> OutgoingEmail:
    fields: dict[str, object] = {
        "sender": Mailbox("sales@acme.test", "Acme Sales"),
        "to": (Mailbox("lead@example.org", "Lea Lead"),),
        "subject": "Re: Pricing",
        "message_id": "<ours@acme.test>",
        "text": "Hello",
    }
    fields.update(overrides)
    return OutgoingEmail(**fields)  # type: ignore[arg-type]


def _roundtrip(msg: EmailMessage) -> EmailMessage:
    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("Pricing", "Re: Pricing"),
        ("Re: Pricing", "Re: Pricing"),
        ("RE: re: Aw: Pricing", "Re: Pricing"),
        ("Re[2]: Pricing", "Re: Pricing"),
        ("Sv:Antw: Pricing", "Re: Pricing"),
        ("Regarding Pricing", "Re: Regarding Pricing"),
        ("", "Re:"),
    ],
)
def test_reply_subject_does_not_stack_prefixes(original: str, expected: str) -> None:
    assert reply_subject(original) == expected


def test_reply_references_append_the_parent_once() -> None:
    assert reply_references(("<a@x>", "<b@x>"), "<c@x>") == ("<a@x>", "<b@x>", "<c@x>")
    assert reply_references(("<a@x>", "<c@x>"), "<c@x>") == ("<a@x>", "<c@x>")
    assert reply_references((), None) == ()


def test_long_reference_chains_keep_the_root_and_newest() -> None:
    refs = tuple(f"<{i}@x>" for i in range(30))
    kept = reply_references(refs, "<new@x>")
    assert len(kept) == 20
    assert kept[0] == "<0@x>"
    assert kept[-1] == "<new@x>"


def test_message_id_is_unique_and_in_the_sender_domain() -> None:
    first, second = new_message_id("sales@acme.test"), new_message_id("sales@acme.test")
    assert first != second
    assert first.startswith("<") and first.endswith("@acme.test>")


def test_reply_carries_threading_headers_and_display_names() -> None:
    msg = _roundtrip(
        build_message(
            _email(
                cc=(Mailbox("boss@example.org"),),
                in_reply_to="<theirs@example.org>",
                references=("<root@example.org>", "<theirs@example.org>"),
            )
        )
    )
    assert msg["From"] == "Acme Sales <sales@acme.test>"
    assert msg["To"] == "Lea Lead <lead@example.org>"
    assert msg["Cc"] == "boss@example.org"
    assert msg["Message-ID"] == "<ours@acme.test>"
    assert msg["In-Reply-To"] == "<theirs@example.org>"
    assert msg["References"] == "<root@example.org> <theirs@example.org>"


def test_non_ascii_subject_and_names_are_rfc2047_encoded() -> None:
    msg = build_message(
        _email(sender=Mailbox("sales@acme.test", "Jürgen Müller"), subject="Re: Grüße aus Köln")
    )
    raw = msg.as_bytes()
    assert raw.isascii()
    assert b"=?utf-8?" in raw.lower()
    parsed = _roundtrip(msg)
    assert parsed["Subject"] == "Re: Grüße aus Köln"
    assert parsed["From"].addresses[0].display_name == "Jürgen Müller"


def test_text_and_html_become_multipart_alternative() -> None:
    msg = _roundtrip(build_message(_email(text="Hi there", html="<p>Hi <b>there</b></p>")))
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(("plain",))
    rich = msg.get_body(("html",))
    assert plain is not None and plain.get_content().strip() == "Hi there"
    assert rich is not None and "<b>there</b>" in rich.get_content()


def test_attachments_make_multipart_mixed_with_the_bytes_intact() -> None:
    pdf = bytes(range(256)) * 10
    msg = _roundtrip(
        build_message(
            _email(
                html="<p>x</p>",
                attachments=(FileAttachment("Angebot ü.pdf", "application/pdf", pdf),),
            )
        )
    )
    assert msg.get_content_type() == "multipart/mixed"
    (part,) = list(msg.iter_attachments())
    assert part.get_filename() == "Angebot ü.pdf"
    assert part.get_content_type() == "application/pdf"
    assert part.get_content() == pdf


@pytest.mark.parametrize("bad", ["no-at-sign", "a@b\r\nBcc: evil@x", "@example.org"])
def test_bad_addresses_are_refused(bad: str) -> None:
    with pytest.raises(InvalidAddressError):
        build_message(_email(to=(Mailbox(bad),)))


def test_a_message_without_recipients_is_refused() -> None:
    with pytest.raises(InvalidAddressError):
        build_message(_email(to=()))


def test_gmail_raw_is_base64url_of_crlf_bytes() -> None:
    import base64

    raw = gmail_raw(build_message(_email()))
    assert "+" not in raw and "/" not in raw
    decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    assert b"\r\nMessage-ID: <ours@acme.test>\r\n" in decoded
