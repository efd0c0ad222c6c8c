"""Issue 8, item 1: raw mail is kept as received (Gmail format=raw, Graph $value)."""

from __future__ import annotations

import base64

import pytest

ADDRESS = "owner@acme.test"
OUTLOOK = "owner@contoso.example"

FOLDED_LF = (
    b"From: Lead <lead@customer.test>\n"
    b"To: owner@acme.test\n"
    b"Subject: A rather long subject line that a mail client folded\n"
    b"  onto a second line, with =?utf-8?q?caf=C3=A9?= inside\n"
    b"Message-ID: <folded@customer.test>\n"
    b"\n"
    b"Hello, this body has LF line ends only.\n"
)
MBOX_FROM = (
    b"From lead@customer.test Mon Jan  1 00:00:00 2024\r\n"
    b"From: lead@customer.test\r\n"
    b"Subject: exported from mbox\r\n"
    b"\r\n"
    b"From here on the body starts with From.\r\n"
)
BROKEN_MIME = (
    b"From: lead@customer.test\r\n"
    b"Subject: broken\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="XX"\r\n'
    b"\r\n"
    b"--XX\r\n"
    b"Content-Type: text/plain\r\n"
    b"\r\n"
    b"no closing boundary follows\r\n"
)
HEADERLESS = b"Just a body line, no headers at all.\r\nSecond line.\r\n"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize("raw", [FOLDED_LF, MBOX_FROM, BROKEN_MIME, HEADERLESS])
def test_gmail_format_raw_returns_the_bytes_as_received(sandbox, gmail_account, raw):
    gmail, _ = gmail_account(ADDRESS)
    delivered = sandbox.deliver(ADDRESS, raw_base64=_b64(raw))

    got = gmail.users().messages().get(userId="me", id=delivered["id"], format="raw").execute()
    full = gmail.users().messages().get(userId="me", id=delivered["id"]).execute()

    assert base64.urlsafe_b64decode(got["raw"]) == raw
    assert got["sizeEstimate"] == len(raw) == full["sizeEstimate"]
    assert full["snippet"]  # derived from the same bytes


def test_headerless_raw_is_filed_with_no_headers(sandbox, gmail_account):
    gmail, _ = gmail_account(ADDRESS)
    delivered = sandbox.deliver(ADDRESS, raw_base64=_b64(HEADERLESS))

    full = gmail.users().messages().get(userId="me", id=delivered["id"]).execute()

    assert full["payload"]["headers"] == [] and full["payload"]["mimeType"] == "text/plain"
    assert full["snippet"].startswith("Just a body line")


def test_graph_mime_value_serves_the_bytes_as_received(sandbox, graph_for):
    graph = graph_for(OUTLOOK, ("Mail.Read",))
    delivered = sandbox.deliver(OUTLOOK, raw_base64=_b64(FOLDED_LF))

    answer = graph.get(f"/me/messages/{delivered['id']}/$value")

    assert answer.status_code == 200 and answer.content == FOLDED_LF
