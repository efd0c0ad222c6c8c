"""Gmail API v1 on the sandbox, driven by googleapiclient with its bundled discovery doc."""

from __future__ import annotations

import base64
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from googleapiclient.errors import HttpError

ADDRESS = "owner@acme.test"
LEAD = "lead@customer.test"


def _raw(msg: EmailMessage) -> str:
    return base64.urlsafe_b64encode(msg.as_bytes()).decode()


def _decode(data: str) -> bytes:
    return base64.urlsafe_b64decode(data)


def _reply_to(
    inbound_headers: dict[str, str], text: str, subject: str | None = None
) -> EmailMessage:
    msg = EmailMessage()
    msg["To"] = LEAD
    msg["Subject"] = subject or f"Re: {inbound_headers['Subject']}"
    msg["In-Reply-To"] = inbound_headers["Message-ID"]
    msg["References"] = inbound_headers["Message-ID"]
    msg.set_content(text)
    return msg


def test_profile_names_the_connected_mailbox(sandbox, gmail_account):
    gmail, _ = gmail_account()
    profile = gmail.users().getProfile(userId="me").execute()
    assert profile["emailAddress"] == ADDRESS
    assert int(profile["historyId"]) > 0 and profile["messagesTotal"] == 0


def test_inbound_message_is_found_by_rfc822msgid_with_real_mime_structure(sandbox, gmail_account):
    gmail, _ = gmail_account()
    pdf = base64.b64encode(b"%PDF-1.4 fake").decode()
    delivered = sandbox.deliver(
        ADDRESS,
        **{
            "from": LEAD,
            "from_name": "Zoë Müller",
            "subject": "Angebot für Öfen ☕",
            "text": "Grüße, ich möchte ein Angebot.",
            "html": "<p>Grüße</p>",
            "message_id": "<lead-1@customer.test>",
            "attachments": [
                {"filename": "brief.pdf", "content_type": "application/pdf", "content_base64": pdf}
            ],
        },
    )
    found = (
        gmail.users().messages().list(userId="me", q="rfc822msgid:<lead-1@customer.test>").execute()
    )
    assert found["messages"] == [{"id": delivered["id"], "threadId": delivered["threadId"]}]
    msg = gmail.users().messages().get(userId="me", id=delivered["id"], format="full").execute()
    assert msg["labelIds"] == ["INBOX", "UNREAD"] and "Grüße" in msg["snippet"]
    headers = {h["name"]: h["value"] for h in msg["payload"]["headers"]}
    assert headers["Subject"] == "Angebot für Öfen ☕" and "Zoë Müller" in headers["From"]
    mixed = msg["payload"]
    assert mixed["mimeType"] == "multipart/mixed"
    alternative, attachment = mixed["parts"]
    assert [p["mimeType"] for p in alternative["parts"]] == ["text/plain", "text/html"]
    assert alternative["parts"][0]["partId"] == "0.0"
    assert _decode(alternative["parts"][0]["body"]["data"]).decode().startswith("Grüße, ich")
    assert attachment["filename"] == "brief.pdf" and "data" not in attachment["body"]
    att = (
        gmail.users()
        .messages()
        .attachments()
        .get(userId="me", messageId=delivered["id"], id=attachment["body"]["attachmentId"])
        .execute()
    )
    assert _decode(att["data"]) == b"%PDF-1.4 fake" and att["size"] == 13


def test_raw_and_metadata_formats(sandbox, gmail_account):
    gmail, _ = gmail_account()
    sent = sandbox.deliver(
        ADDRESS, **{"from": LEAD, "subject": "Hello", "html": "<b>only html</b>"}
    )
    raw = gmail.users().messages().get(userId="me", id=sent["id"], format="raw").execute()
    parsed = message_from_bytes(_decode(raw["raw"]), policy=policy.default)
    assert parsed["Subject"] == "Hello" and parsed.get_content_type() == "text/html"
    meta = (
        gmail.users()
        .messages()
        .get(userId="me", id=sent["id"], format="metadata", metadataHeaders=["Subject", "From"])
        .execute()
    )
    assert sorted(h["name"] for h in meta["payload"]["headers"]) == ["From", "Subject"]
    assert "parts" not in meta["payload"] and "raw" not in meta


def test_reply_with_thread_id_and_references_stays_in_thread(sandbox, gmail_account):
    gmail, _ = gmail_account()
    inbound = sandbox.deliver(
        ADDRESS,
        **{
            "from": LEAD,
            "subject": "Quote please",
            "text": "hi",
            "message_id": "<q-1@customer.test>",
        },
    )
    head = {"Subject": "Quote please", "Message-ID": "<q-1@customer.test>"}
    body = {"raw": _raw(_reply_to(head, "Thanks!")), "threadId": inbound["threadId"]}
    sent = gmail.users().messages().send(userId="me", body=body).execute()
    assert sent["threadId"] == inbound["threadId"] and sent["labelIds"] == ["SENT"]
    thread = gmail.users().threads().get(userId="me", id=inbound["threadId"]).execute()
    assert [m["id"] for m in thread["messages"]] == [inbound["id"], sent["id"]]
    [record] = sandbox.sent(ADDRESS)
    assert record["threadId"] == inbound["threadId"]
    assert record["headers"]["In-Reply-To"] == "<q-1@customer.test>"
    assert record["headers"]["From"] == f"Owner Acme <{ADDRESS}>"  # Gmail sets From
    assert record["headers"]["Message-ID"].endswith("@mail.gmail.com>")
    assert record["text"].strip() == "Thanks!"


def test_reply_with_another_subject_starts_a_new_thread_as_gmail_does(sandbox, gmail_account):
    gmail, _ = gmail_account()
    inbound = sandbox.deliver(
        ADDRESS,
        **{"from": LEAD, "subject": "Quote", "text": "hi", "message_id": "<q-2@customer.test>"},
    )
    head = {"Subject": "Quote", "Message-ID": "<q-2@customer.test>"}
    body = {
        "raw": _raw(_reply_to(head, "x", subject="Something else")),
        "threadId": inbound["threadId"],
    }
    sent = gmail.users().messages().send(userId="me", body=body).execute()
    assert sent["threadId"] != inbound["threadId"]


def test_inbound_reply_threads_by_references(sandbox, gmail_account):
    gmail, _ = gmail_account()
    first = sandbox.deliver(
        ADDRESS,
        **{"from": LEAD, "subject": "Roof", "text": "a", "message_id": "<r-1@customer.test>"},
    )
    second = sandbox.deliver(
        ADDRESS,
        **{
            "from": LEAD,
            "subject": "RE: Roof",
            "text": "b",
            "in_reply_to": "<r-1@customer.test>",
            "references": ["<r-1@customer.test>"],
        },
    )
    assert second["threadId"] == first["threadId"]
    thread = gmail.users().threads().get(userId="me", id=first["threadId"], format="minimal")
    assert [m["id"] for m in thread.execute()["messages"]] == [first["id"], second["id"]]


def test_send_via_media_upload(sandbox, gmail_account):
    from googleapiclient.http import MediaInMemoryUpload

    gmail, _ = gmail_account()
    msg = EmailMessage()
    msg["To"], msg["Subject"] = LEAD, "Upload"
    msg.set_content("via upload")
    media = MediaInMemoryUpload(msg.as_bytes(), mimetype="message/rfc822")
    sent = gmail.users().messages().send(userId="me", body={}, media_body=media).execute()
    assert sandbox.sent(ADDRESS)[0]["id"] == sent["id"]


def test_send_without_recipient_is_a_google_400(sandbox, gmail_account):
    gmail, _ = gmail_account()
    msg = EmailMessage()
    msg["Subject"] = "nobody"
    msg.set_content("x")
    with pytest.raises(HttpError) as err:
        gmail.users().messages().send(userId="me", body={"raw": _raw(msg)}).execute()
    assert err.value.resp.status == 400 and "Recipient address required" in str(err.value)


def test_list_paging_labels_spam_and_queries(sandbox, gmail_account):
    gmail, _ = gmail_account()
    for i in range(5):
        sandbox.deliver(ADDRESS, **{"from": f"p{i}@x.test", "subject": f"n{i}", "text": "t"})
    spam = sandbox.deliver(ADDRESS, **{"from": "spam@x.test", "subject": "win", "spam": True})
    page1 = gmail.users().messages().list(userId="me", maxResults=3).execute()
    assert len(page1["messages"]) == 3 and page1["resultSizeEstimate"] == 5
    page2 = (
        gmail.users()
        .messages()
        .list(userId="me", maxResults=3, pageToken=page1["nextPageToken"])
        .execute()
    )
    assert len(page2["messages"]) == 2 and "nextPageToken" not in page2
    assert page1["messages"][0]["id"] != page2["messages"][0]["id"]
    in_spam = gmail.users().messages().list(userId="me", q="in:spam").execute()
    assert [m["id"] for m in in_spam["messages"]] == [spam["id"]]
    assert (
        gmail.users()
        .messages()
        .list(userId="me", q="from:p3@x.test newer_than:1d")
        .execute()["resultSizeEstimate"]
        == 1
    )
    assert gmail.users().messages().list(userId="me", q="older_than:1d").execute() == {
        "resultSizeEstimate": 0
    }
    inbox = gmail.users().messages().list(userId="me", labelIds=["INBOX"], q="is:unread").execute()
    assert inbox["resultSizeEstimate"] == 5


def test_modify_labels(sandbox, gmail_account):
    gmail, _ = gmail_account()
    got = sandbox.deliver(ADDRESS, **{"from": LEAD, "subject": "s", "text": "t"})
    out = (
        gmail.users()
        .messages()
        .modify(
            userId="me",
            id=got["id"],
            body={"removeLabelIds": ["UNREAD"], "addLabelIds": ["STARRED"]},
        )
        .execute()
    )
    assert out["labelIds"] == ["INBOX", "STARRED"]
    with pytest.raises(HttpError) as err:
        gmail.users().messages().modify(
            userId="me", id=got["id"], body={"addLabelIds": ["NOPE"]}
        ).execute()
    assert err.value.resp.status == 400


def test_bounce_and_auto_reply_keep_their_structure(sandbox, gmail_account):
    gmail, _ = gmail_account()
    bounce = sandbox.deliver(
        ADDRESS, **{"from": "MAILER-DAEMON@acme.test", "bounce": {"recipient": LEAD}}
    )
    msg = gmail.users().messages().get(userId="me", id=bounce["id"]).execute()
    assert msg["payload"]["mimeType"] == "multipart/report"
    status_part = msg["payload"]["parts"][1]
    assert status_part["mimeType"] == "message/delivery-status"
    assert LEAD in _decode(status_part["body"]["data"]).decode()
    auto = sandbox.deliver(
        ADDRESS, **{"from": LEAD, "subject": "Out of office", "text": "away", "auto_reply": True}
    )
    meta = (
        gmail.users()
        .messages()
        .get(userId="me", id=auto["id"], format="metadata", metadataHeaders=["Auto-Submitted"])
        .execute()
    )
    assert meta["payload"]["headers"] == [{"name": "Auto-Submitted", "value": "auto-replied"}]


def test_unknown_message_is_google_404_and_other_user_is_403(sandbox, gmail_account):
    gmail, _ = gmail_account()
    with pytest.raises(HttpError) as err:
        gmail.users().messages().get(userId="me", id="0123456789abcdef").execute()
    assert err.value.resp.status == 404
    with pytest.raises(HttpError) as err:
        gmail.users().getProfile(userId="someone@else.test").execute()
    assert err.value.resp.status == 403


def test_raw_rfc822_inbound(sandbox, gmail_account):
    gmail, _ = gmail_account()
    raw = b"From: a@b.test\r\nTo: owner@acme.test\r\nSubject: raw one\r\nMessage-ID: <raw@b.test>\r\n\r\nbody\r\n"
    got = sandbox.deliver(ADDRESS, raw_base64=base64.b64encode(raw).decode())
    msg = gmail.users().messages().get(userId="me", id=got["id"], format="raw").execute()
    assert _decode(msg["raw"]) == raw
