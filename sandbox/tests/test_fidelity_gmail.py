"""Issue 8, items 2 and 3: Gmail's threading rule on send; pushes on every watched change."""

from __future__ import annotations

import base64
from email.message import EmailMessage

ADDRESS = "owner@acme.test"
LEAD = "lead@customer.test"


def _reply(subject: str, message_id: str) -> str:
    msg = EmailMessage()
    msg["To"], msg["Subject"] = LEAD, subject
    msg["In-Reply-To"] = msg["References"] = message_id
    msg.set_content("Thanks!")
    return base64.urlsafe_b64encode(msg.as_bytes()).decode()


def _inbound(sandbox, message_id: str = "<q-1@customer.test>") -> dict:
    return sandbox.deliver(
        ADDRESS, **{"from": LEAD, "subject": "Quote", "text": "hi", "message_id": message_id}
    )


def test_reply_without_thread_id_starts_a_new_thread(sandbox, gmail_account):
    gmail, _ = gmail_account(ADDRESS)
    inbound = _inbound(sandbox)

    body = {"raw": _reply("Re: Quote", "<q-1@customer.test>")}  # forgot threadId
    sent = gmail.users().messages().send(userId="me", body=body).execute()

    assert sent["threadId"] != inbound["threadId"]
    thread = gmail.users().threads().get(userId="me", id=inbound["threadId"]).execute()
    assert [m["id"] for m in thread["messages"]] == [inbound["id"]]


def test_reply_with_thread_id_but_no_references_starts_a_new_thread(sandbox, gmail_account):
    gmail, _ = gmail_account(ADDRESS)
    inbound = _inbound(sandbox)
    msg = EmailMessage()
    msg["To"], msg["Subject"] = LEAD, "Re: Quote"
    msg.set_content("no References header")
    raw = base64.urlsafe_b64encode(msg.as_bytes()).decode()

    body = {"raw": raw, "threadId": inbound["threadId"]}
    sent = gmail.users().messages().send(userId="me", body=body).execute()

    assert sent["threadId"] != inbound["threadId"]


def test_reply_naming_thread_id_with_matching_subject_and_references_joins(
    sandbox, gmail_account
):
    gmail, _ = gmail_account(ADDRESS)
    inbound = _inbound(sandbox)

    body = {"raw": _reply("Re: Quote", "<q-1@customer.test>"), "threadId": inbound["threadId"]}
    sent = gmail.users().messages().send(userId="me", body=body).execute()

    assert sent["threadId"] == inbound["threadId"]
