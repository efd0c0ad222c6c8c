"""Issue 8, items 2 and 3: Gmail's threading rule on send; pushes on every watched change."""

from __future__ import annotations

import base64
import json
from email.message import EmailMessage

from sandbox.google.clients import gmail_service
from sandbox.microsoft.testing import running_receiver
from sandbox.testing import google_connect

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


def test_reply_naming_thread_id_with_matching_subject_and_references_joins(sandbox, gmail_account):
    gmail, _ = gmail_account(ADDRESS)
    inbound = _inbound(sandbox)

    body = {"raw": _reply("Re: Quote", "<q-1@customer.test>"), "threadId": inbound["threadId"]}
    sent = gmail.users().messages().send(userId="me", body=body).execute()

    assert sent["threadId"] == inbound["threadId"]


def _pushed_history_id(push: dict) -> int:
    return int(json.loads(base64.b64decode(push["message"]["data"]))["historyId"])


def test_label_changes_and_deletions_push_and_show_in_history(sandbox, gmail_account):
    with running_receiver() as receiver:
        gmail, _ = gmail_account(ADDRESS, push_endpoint=receiver.url)
        users = gmail.users()
        start = users.watch(
            userId="me", body={"topicName": "projects/p/topics/gmail", "labelIds": ["INBOX"]}
        ).execute()["historyId"]
        inbound = _inbound(sandbox)
        receiver.wait_for(1)

        users.messages().modify(
            userId="me", id=inbound["id"], body={"removeLabelIds": ["UNREAD"]}
        ).execute()  # the service's own change pushes too
        receiver.wait_for(2)
        sandbox.control.delete(
            f"/_sandbox/google/mailboxes/{ADDRESS}/messages/{inbound['id']}"
        ).raise_for_status()
        pushes = receiver.wait_for(3)

    history = users.history().list(userId="me", startHistoryId=start).execute()["history"]
    kinds = [next(k for k in h if k not in ("id", "messages")) for h in history]
    assert kinds == ["messagesAdded", "labelsRemoved", "messagesDeleted"]
    assert history[1]["labelsRemoved"][0]["labelIds"] == ["UNREAD"]
    assert history[2]["messagesDeleted"][0]["message"]["id"] == inbound["id"]
    assert [_pushed_history_id(p) for p in pushes] == [int(h["id"]) for h in history]


def test_changes_to_messages_outside_the_watched_labels_do_not_push(sandbox, gmail_account):
    with running_receiver() as receiver:
        gmail, _ = gmail_account(ADDRESS, push_endpoint=receiver.url)
        gmail.users().watch(
            userId="me", body={"topicName": "projects/p/topics/gmail", "labelIds": ["INBOX"]}
        ).execute()
        spam = sandbox.deliver(ADDRESS, **{"from": LEAD, "text": "buy", "spam": True})
        gmail.users().messages().modify(
            userId="me", id=spam["id"], body={"removeLabelIds": ["UNREAD"]}
        ).execute()
        _inbound(sandbox)
        pushes = receiver.wait_for(1)

    assert len(pushes) == 1 and _pushed_history_id(pushes[0]) > int(spam["historyId"]) + 1


def test_messages_delete_needs_full_scope_and_records_message_deleted(sandbox):
    sandbox.create_mailbox("google", ADDRESS)
    token = google_connect(sandbox, ADDRESS, scopes=("https://mail.google.com/",))
    gmail = gmail_service(sandbox, token)
    inbound = _inbound(sandbox)
    start = gmail.users().getProfile(userId="me").execute()["historyId"]

    gmail.users().messages().delete(userId="me", id=inbound["id"]).execute()

    history = (
        gmail.users()
        .history()
        .list(userId="me", startHistoryId=start, historyTypes="messageDeleted")
    )
    [record] = history.execute()["history"]
    assert record["messagesDeleted"][0]["message"]["id"] == inbound["id"]


def test_multipart_upload_send_keeps_the_clients_bytes(sandbox, gmail_account):
    from googleapiclient.http import MediaInMemoryUpload

    gmail, _ = gmail_account(ADDRESS)
    inbound = _inbound(sandbox)
    raw = base64.urlsafe_b64decode(_reply("Re: Quote", "<q-1@customer.test>"))
    media = MediaInMemoryUpload(raw, mimetype="message/rfc822")

    sent = (
        gmail.users()
        .messages()
        .send(userId="me", body={"threadId": inbound["threadId"]}, media_body=media)
        .execute()
    )
    got = gmail.users().messages().get(userId="me", id=sent["id"], format="raw").execute()

    assert sent["threadId"] == inbound["threadId"]
    assert base64.urlsafe_b64decode(got["raw"]).endswith(raw)  # Gmail only adds headers


def test_trash_pushes_and_records_label_added(sandbox, gmail_account):
    with running_receiver() as receiver:
        gmail, _ = gmail_account(ADDRESS, push_endpoint=receiver.url)
        users = gmail.users()
        inbound = _inbound(sandbox)
        start = users.watch(userId="me", body={"topicName": "projects/p/topics/g"}).execute()
        trashed = users.messages().trash(userId="me", id=inbound["id"]).execute()
        [push] = receiver.wait_for(1)

    history = users.history().list(userId="me", startHistoryId=start["historyId"]).execute()
    assert "TRASH" in trashed["labelIds"]
    assert history["history"][0]["labelsAdded"][0]["labelIds"] == ["TRASH"]
    assert _pushed_history_id(push) == int(history["history"][0]["id"])
