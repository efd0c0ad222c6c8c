"""Issue 8, item 7: faults scoped to one mailbox; "applied but the answer was lost"."""

from __future__ import annotations

import base64
from email.message import EmailMessage

import httpx
import pytest
from googleapiclient.errors import HttpError

OWNER = "owner@acme.test"
OTHER = "other@acme.test"
OUTLOOK = "owner@contoso.example"
LEAD = "lead@customer.test"


def _raw(subject: str) -> dict:
    msg = EmailMessage()
    msg["To"], msg["Subject"] = LEAD, subject
    msg.set_content("hello")
    return {"raw": base64.urlsafe_b64encode(msg.as_bytes()).decode()}


def test_a_fault_can_target_one_mailbox_behind_users_me(sandbox, gmail_account):
    throttled, _ = gmail_account(OWNER)
    fine, _ = gmail_account(OTHER)
    sandbox.add_fault(path="/gmail/v1/users/me/", status=429, retry_after=3, mailbox=OWNER)

    with pytest.raises(HttpError) as refused:
        throttled.users().messages().list(userId="me").execute()
    answer = fine.users().messages().list(userId="me").execute()

    assert refused.value.resp.status == 429 and refused.value.resp["retry-after"] == "3"
    assert answer["resultSizeEstimate"] == 0


def test_gmail_send_applied_but_the_answer_lost_is_sent_once(sandbox, gmail_account):
    gmail, _ = gmail_account(OWNER)
    sandbox.add_fault(path="/gmail/v1/users/me/messages/send", status=500, applied=True, count=1)

    with pytest.raises(HttpError) as lost:
        gmail.users().messages().send(userId="me", body=_raw("Offer")).execute()

    assert lost.value.resp.status == 500
    assert [m["headers"]["Subject"] for m in sandbox.sent(OWNER)] == ["Offer"]


def test_graph_send_mail_applied_then_client_times_out(sandbox, graph_for):
    graph = graph_for(OUTLOOK)
    sandbox.add_fault(
        path="/v1.0/me/sendMail", timeout_seconds=1.5, applied=True, count=1, mailbox=OUTLOOK
    )
    message = {
        "subject": "Offer",
        "body": {"contentType": "text", "content": "hi"},
        "toRecipients": [{"emailAddress": {"address": LEAD}}],
    }

    with pytest.raises(httpx.TimeoutException):
        graph.post(f"/users/{OUTLOOK}/sendMail", json={"message": message}, timeout=0.5)

    assert [m["subject"] for m in sandbox.sent(OUTLOOK)] == ["Offer"]
