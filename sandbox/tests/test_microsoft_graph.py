"""Graph v1.0 mail routes of the fake, driven with httpx and tokens msal obtained."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from sandbox.microsoft.testing import msal_app, sign_in

ADDRESS = "owner@contoso.example"
LEAD = "lead@customer.example"
SCOPES = ["Mail.ReadWrite", "Mail.Send", "User.Read"]


def graph_client(sandbox, scopes: list[str] = SCOPES, address: str = ADDRESS) -> httpx.Client:
    app = msal_app(sandbox.base_url, sandbox.ca_path, sandbox.config)
    token = sign_in(app, sandbox.ca_path, address, scopes)["access_token"]
    app.http_client.close()
    return httpx.Client(
        base_url=f"{sandbox.base_url}/v1.0",
        verify=ssl.create_default_context(cafile=str(sandbox.ca_path)),
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.fixture
def graph(sandbox) -> Iterator[httpx.Client]:
    sandbox.create_mailbox("microsoft", ADDRESS, display_name="Olga Owner")
    with graph_client(sandbox) as client:
        yield client


def deliver(sandbox, subject: str, **fields) -> dict:
    return sandbox.deliver(ADDRESS, **{"from": LEAD, "subject": subject, "text": "Hi!", **fields})


def test_me_describes_the_mailbox(graph):
    me = graph.get("/me").json()

    assert me["mail"] == ADDRESS and me["userPrincipalName"] == ADDRESS
    assert me["displayName"] == "Olga Owner" and me["id"]


def test_missing_or_bad_token_gets_graph_401(sandbox, graph):
    bare = httpx.Client(verify=ssl.create_default_context(cafile=str(sandbox.ca_path)))

    answer = bare.get(
        f"{sandbox.base_url}/v1.0/me/messages", headers={"Authorization": "Bearer nope"}
    )

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_expired_token_says_lifetime_validation_failed(sandbox, graph):
    sandbox.control.post(
        f"/_sandbox/microsoft/mailboxes/{ADDRESS}/expire-tokens"
    ).raise_for_status()

    answer = graph.get("/me/messages")

    assert answer.status_code == 401
    assert "Lifetime validation failed" in answer.json()["error"]["message"]


def test_delivered_message_reads_as_a_graph_message(sandbox, graph):
    ids = deliver(
        sandbox, "Quote for 40 chairs", html="<p>Hello <b>there</b></p>", text="Hello there"
    )

    message = graph.get(f"/me/messages/{ids['id']}").json()

    assert message["subject"] == "Quote for 40 chairs"
    assert message["from"]["emailAddress"]["address"] == LEAD
    assert message["toRecipients"][0]["emailAddress"]["address"] == ADDRESS
    assert message["body"]["contentType"] == "html" and "<b>there</b>" in message["body"]["content"]
    assert message["bodyPreview"] == "Hello there"
    assert message["conversationId"] == ids["conversationId"] and message["isRead"] is False
    assert "internetMessageHeaders" not in message


def test_select_returns_only_those_fields_and_headers(sandbox, graph):
    ids = deliver(sandbox, "Headers please", auto_reply=True)

    message = graph.get(
        f"/me/messages/{ids['id']}", params={"$select": "subject,internetMessageHeaders"}
    ).json()

    assert set(message) == {
        "@odata.context",
        "@odata.etag",
        "id",
        "subject",
        "internetMessageHeaders",
    }
    names = {h["name"].lower(): h["value"] for h in message["internetMessageHeaders"]}
    assert names["auto-submitted"] == "auto-replied"


def test_filter_by_internet_message_id(sandbox, graph):
    deliver(sandbox, "one")
    wanted = deliver(sandbox, "two", message_id="<two@customer.example>")

    found = graph.get(
        "/me/messages", params={"$filter": "internetMessageId eq '<two@customer.example>'"}
    )

    assert [m["id"] for m in found.json()["value"]] == [wanted["id"]]


def test_unsupported_filter_is_a_graph_400(graph):
    answer = graph.get("/me/messages", params={"$filter": "startswith(subject,'x')"})

    assert answer.status_code == 400 and answer.json()["error"]["code"] == "BadRequest"


def test_top_and_skip_page_newest_first_with_next_link(sandbox, graph):
    for n in range(5):
        deliver(sandbox, f"lead {n}")

    first = graph.get("/me/mailFolders/inbox/messages", params={"$top": 2}).json()
    second = graph.get(first["@odata.nextLink"]).json()

    assert [m["subject"] for m in first["value"]] == ["lead 4", "lead 3"]
    assert [m["subject"] for m in second["value"]] == ["lead 2", "lead 1"]
    assert parse_qs(urlsplit(first["@odata.nextLink"]).query)["$skip"] == ["2"]


def test_patch_marks_read(sandbox, graph):
    ids = deliver(sandbox, "read me")

    graph.patch(f"/me/messages/{ids['id']}", json={"isRead": True}).raise_for_status()

    assert graph.get(f"/me/messages/{ids['id']}").json()["isRead"] is True


def test_delta_pages_then_returns_only_changes_since_the_token(sandbox, graph):
    for n in range(3):
        deliver(sandbox, f"old {n}")
    url, seen = "/me/mailFolders/inbox/messages/delta", []
    headers = {"Prefer": "odata.maxpagesize=2"}
    while True:
        page = graph.get(url, headers=headers).json()
        seen += [m["subject"] for m in page["value"]]
        if "@odata.deltaLink" in page:
            break
        url = page["@odata.nextLink"]
    delta_link = page["@odata.deltaLink"]
    fresh = deliver(sandbox, "new one")

    changes = graph.get(delta_link).json()

    assert sorted(seen) == ["old 0", "old 1", "old 2"]
    assert [m["id"] for m in changes["value"]] == [fresh["id"]]
    assert "$deltatoken" in changes["@odata.deltaLink"]


def test_delta_reports_removed_messages(sandbox, graph):
    ids = deliver(sandbox, "to delete")
    link = graph.get("/me/mailFolders/inbox/messages/delta").json()["@odata.deltaLink"]

    graph.delete(f"/me/messages/{ids['id']}").raise_for_status()
    changes = graph.get(link).json()["value"]

    assert changes == [
        {
            "@odata.type": "#microsoft.graph.message",
            "id": ids["id"],
            "@removed": {"reason": "deleted"},
        }
    ]


def test_send_mail_lands_in_sent_items_and_the_control_api(sandbox, graph):
    message = {
        "subject": "Hello",
        "body": {"contentType": "Text", "content": "Plain hello"},
        "toRecipients": [{"emailAddress": {"address": LEAD}}],
    }

    answer = graph.post("/me/sendMail", json={"message": message})

    assert answer.status_code == 202
    sent = sandbox.sent(ADDRESS)
    assert [s["subject"] for s in sent] == ["Hello"]
    assert sent[0]["text"] == "Plain hello" and sent[0]["to"] == [LEAD]
    assert sent[0]["headers"]["Message-ID"] == sent[0]["internetMessageId"]


def test_send_mail_without_recipients_is_rejected(graph):
    answer = graph.post("/me/sendMail", json={"message": {"subject": "x"}})

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "ErrorInvalidRecipients"


def test_create_reply_then_send_threads_the_reply(sandbox, graph):
    ids = deliver(sandbox, "Need a quote", message_id="<q1@customer.example>")

    draft = graph.post(f"/me/messages/{ids['id']}/createReply", json={"comment": "Sure!"})
    graph.patch(
        f"/me/messages/{draft.json()['id']}",
        json={"body": {"contentType": "Text", "content": "Edited reply"}},
    ).raise_for_status()
    sent_answer = graph.post(f"/me/messages/{draft.json()['id']}/send")

    assert draft.status_code == 201 and draft.json()["isDraft"] is True
    assert draft.json()["subject"] == "RE: Need a quote"
    assert draft.json()["conversationId"] == ids["conversationId"]
    assert sent_answer.status_code == 202
    [sent] = sandbox.sent(ADDRESS)
    assert sent["headers"]["In-Reply-To"] == "<q1@customer.example>"
    assert sent["headers"]["References"] == "<q1@customer.example>"
    assert sent["threadId"] == ids["conversationId"] and sent["text"] == "Edited reply"


def test_reply_keeps_the_conversation(sandbox, graph):
    ids = deliver(sandbox, "Question", message_id="<q2@customer.example>")

    answer = graph.post(f"/me/messages/{ids['id']}/reply", json={"comment": "Thanks, Olga"})

    assert answer.status_code == 202
    [sent] = sandbox.sent(ADDRESS)
    assert sent["conversationId"] == ids["conversationId"]
    assert sent["to"] == [LEAD] and sent["text"].startswith("Thanks, Olga")
    replies = graph.get(
        "/me/messages", params={"$filter": f"conversationId eq '{ids['conversationId']}'"}
    )
    assert len(replies.json()["value"]) == 2


def test_a_lead_reply_joins_the_existing_conversation(sandbox, graph):
    first = deliver(sandbox, "Question", message_id="<q3@customer.example>")

    again = deliver(sandbox, "RE: Question", in_reply_to="<q3@customer.example>")

    assert again["conversationId"] == first["conversationId"]


def test_token_without_mail_send_cannot_send(sandbox):
    sandbox.create_mailbox("microsoft", ADDRESS, denied_scopes=["Mail.Send"])
    with graph_client(sandbox) as graph:
        answer = graph.post(
            "/me/sendMail",
            json={
                "message": {"subject": "x", "toRecipients": [{"emailAddress": {"address": LEAD}}]}
            },
        )

    assert answer.status_code == 403 and answer.json()["error"]["code"] == "ErrorAccessDenied"


def test_mailbox_throttle_answers_429_with_retry_after(sandbox, graph):
    sandbox.control.post(
        f"/_sandbox/microsoft/mailboxes/{ADDRESS}/options",
        json={"throttle": {"count": 1, "retry_after": 7}},
    ).raise_for_status()

    throttled = graph.get("/me/messages")
    after = graph.get("/me/messages")

    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "7"
    assert throttled.json()["error"]["code"] == "ApplicationThrottled"
    assert after.status_code == 200


def test_injected_fault_uses_graph_error_shape(sandbox, graph):
    sandbox.add_fault(path="/v1.0/me/messages", status=429, retry_after=3, count=1)

    answer = graph.get("/me/messages")

    assert answer.status_code == 429 and answer.headers["Retry-After"] == "3"
    assert "code" in answer.json()["error"]
    assert graph.get("/me/messages").status_code == 200
