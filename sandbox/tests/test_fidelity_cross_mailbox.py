"""Issue 8, item 7: mail between sandbox mailboxes lands in the recipient's inbox, threaded."""

from __future__ import annotations

import base64
from email.message import EmailMessage

OWNER = "owner@acme.test"
LEAD = "lead@customer.test"
OUTLOOK_LEAD = "lead@customer.example"
OUTLOOK_OWNER = "owner@contoso.example"


def _send(gmail, to: str, subject: str, **extra) -> dict:
    msg = EmailMessage()
    msg["To"], msg["Subject"] = to, subject
    msg.set_content("Here is our offer.")
    body = {"raw": base64.urlsafe_b64encode(msg.as_bytes()).decode(), **extra}
    return gmail.users().messages().send(userId="me", body=body).execute()


def _inbox(gmail) -> list[dict]:
    return gmail.users().messages().list(userId="me", labelIds=["INBOX"]).execute()["messages"]


def test_gmail_to_gmail_lands_in_inbox_and_the_reply_threads_back(sandbox, gmail_account):
    owner, _ = gmail_account(OWNER)
    lead, _ = gmail_account(LEAD)

    sent = _send(owner, LEAD, "Your quote")
    [received] = _inbox(lead)
    reply = sandbox.reply(LEAD, received["id"], "Sounds good, go ahead.")
    [answer] = _inbox(owner)

    raw = lead.users().messages().get(userId="me", id=received["id"], format="raw").execute()
    assert b"Here is our offer." in base64.urlsafe_b64decode(raw["raw"])
    assert reply["threadId"] == received["threadId"]  # the lead's own thread
    assert answer["threadId"] == sent["threadId"]  # Gmail threads it by references + subject
    thread = owner.users().threads().get(userId="me", id=sent["threadId"]).execute()
    assert len(thread["messages"]) == 2


def test_bcc_recipient_gets_a_copy_without_the_bcc_header(sandbox, gmail_account):
    owner, _ = gmail_account(OWNER)
    lead, _ = gmail_account(LEAD)
    msg = EmailMessage()
    msg["To"], msg["Bcc"], msg["Subject"] = "someone@else.test", LEAD, "Hidden"
    msg.set_content("psst")
    body = {"raw": base64.urlsafe_b64encode(msg.as_bytes()).decode()}
    owner.users().messages().send(userId="me", body=body).execute()

    [received] = _inbox(lead)
    raw = lead.users().messages().get(userId="me", id=received["id"], format="raw").execute()
    assert b"bcc:" not in base64.urlsafe_b64decode(raw["raw"]).lower()


def test_gmail_to_outlook_and_the_outlook_reply_joins_the_gmail_thread(
    sandbox, gmail_account, graph_for
):
    owner, _ = gmail_account(OWNER)
    graph = graph_for(OUTLOOK_LEAD)

    sent = _send(owner, OUTLOOK_LEAD, "Roof repair")
    [received] = graph.get("/me/mailFolders/inbox/messages").json()["value"]
    sandbox.reply(OUTLOOK_LEAD, received["id"], "Yes please")
    [answer] = _inbox(owner)

    assert received["subject"] == "Roof repair"
    assert answer["threadId"] == sent["threadId"]


def test_outlook_send_mail_reaches_a_gmail_mailbox(sandbox, gmail_account, graph_for):
    lead, _ = gmail_account(LEAD)
    graph = graph_for(OUTLOOK_OWNER)

    graph.post(
        "/me/sendMail",
        json={
            "message": {
                "subject": "Offer",
                "body": {"contentType": "text", "content": "Our offer"},
                "toRecipients": [{"emailAddress": {"address": LEAD}}],
            }
        },
    ).raise_for_status()

    [received] = _inbox(lead)
    got = lead.users().messages().get(userId="me", id=received["id"]).execute()
    headers = {h["name"]: h["value"] for h in got["payload"]["headers"]}
    assert headers["Subject"] == "Offer" and OUTLOOK_OWNER in headers["From"]


def test_cross_mailbox_delivery_can_be_switched_off(sandbox, gmail_account):
    owner, _ = gmail_account(OWNER)
    lead, _ = gmail_account(LEAD)
    sandbox.control.post(
        "/_sandbox/settings", json={"cross_mailbox_delivery": False}
    ).raise_for_status()

    _send(owner, LEAD, "Not delivered")

    assert "messages" not in lead.users().messages().list(userId="me").execute()


def test_reply_control_refuses_a_message_with_no_sender(sandbox, gmail_account):
    gmail_account(LEAD)
    headerless = base64.b64encode(b"no headers here\r\n").decode()
    delivered = sandbox.deliver(LEAD, raw_base64=headerless)

    answer = sandbox.control.post(
        f"/_sandbox/mailboxes/{LEAD}/reply", json={"id": delivered["id"], "text": "hi"}
    )

    assert answer.status_code == 400 and "From" in answer.json()["detail"]
