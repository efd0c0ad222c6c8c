"""Issue 8, item 4: Graph resource paths, /users/{id or upn}, OData keys, Graph error JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox.microsoft.testing import running_receiver

ADDRESS = "owner@contoso.example"
OTHER = "someone@contoso.example"
LEAD = "lead@customer.example"


def _expires(minutes: int = 60) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def _deliver(sandbox, subject: str = "Quote") -> dict:
    return sandbox.deliver(ADDRESS, **{"from": LEAD, "subject": subject, "text": "Hi"})


def test_the_resource_a_notification_names_can_be_fetched(sandbox, graph_for):
    graph = graph_for(ADDRESS)
    with running_receiver() as receiver:
        graph.post(
            "/subscriptions",
            json={
                "changeType": "created",
                "notificationUrl": receiver.url,
                "resource": f"Users/{ADDRESS}/mailFolders('Inbox')/Messages",
                "expirationDateTime": _expires(),
            },
        ).raise_for_status()
        delivered = _deliver(sandbox)
        [notification] = receiver.wait_for(1)

    resource = notification["value"][0]["resource"]
    assert resource.startswith("Users/") and "/Messages/" in resource
    answer = graph.get(f"/{resource}")
    assert answer.status_code == 200 and answer.json()["id"] == delivered["id"]


def test_users_paths_by_id_or_upn_work_like_me(sandbox, graph_for):
    graph = graph_for(ADDRESS)
    user_id = graph.get("/me").json()["id"]
    delivered = _deliver(sandbox)

    listed = graph.get(f"/users/{ADDRESS}/mailFolders('Inbox')/messages").json()["value"]
    delta = graph.get(f"/users/{user_id}/mailFolders/inbox/messages/delta").json()["value"]
    draft = graph.post(f"/users/{ADDRESS}/messages/{delivered['id']}/createReply", json={})
    sent = graph.post(
        f"/users/{user_id}/sendMail",
        json={
            "message": {
                "subject": "Hello",
                "body": {"contentType": "text", "content": "hi"},
                "toRecipients": [{"emailAddress": {"address": LEAD}}],
            }
        },
    )

    assert [m["id"] for m in listed] == [delivered["id"]] == [m["id"] for m in delta]
    assert draft.status_code == 201 and draft.json()["conversationId"]
    assert sent.status_code == 202 and sandbox.sent(ADDRESS)[0]["subject"] == "Hello"


def test_message_by_odata_key(sandbox, graph_for):
    graph = graph_for(ADDRESS)
    delivered = _deliver(sandbox)

    answer = graph.get(f"/me/messages('{delivered['id']}')")

    assert answer.status_code == 200 and answer.json()["id"] == delivered["id"]


@pytest.mark.parametrize(
    ("user", "status", "code"),
    [(OTHER, 403, "ErrorAccessDenied"), ("nobody@contoso.example", 404, "ErrorInvalidUser")],
)
def test_another_users_mailbox_is_refused_in_graph_shape(sandbox, graph_for, user, status, code):
    graph = graph_for(ADDRESS)
    sandbox.create_mailbox("microsoft", OTHER)

    answer = graph.get(f"/users/{user}/messages")

    assert answer.status_code == status and answer.json()["error"]["code"] == code


def test_unknown_path_answers_graph_error_json(graph_for):
    graph = graph_for(ADDRESS)

    answer = graph.get("/me/notAThing")

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "BadRequest" and "notAThing" in error["message"]
    assert set(error["innerError"]) >= {"date", "request-id"}


def test_strict_mode_refuses_http_notification_urls(sandbox, graph_for):
    graph = graph_for(ADDRESS)
    with running_receiver() as receiver:
        body = {
            "changeType": "created",
            "notificationUrl": receiver.url,  # http://127.0.0.1:...
            "resource": "me/mailFolders('Inbox')/messages",
            "expirationDateTime": _expires(),
        }
        sandbox.control.post(
            "/_sandbox/microsoft/settings", json={"strict_notification_urls": True}
        ).raise_for_status()
        strict = graph.post("/subscriptions", json=body)
        sandbox.control.post(
            "/_sandbox/microsoft/settings", json={"strict_notification_urls": False}
        ).raise_for_status()
        relaxed = graph.post("/subscriptions", json=body)

    assert strict.status_code == 400 and "https" in strict.json()["error"]["message"]
    assert relaxed.status_code == 201
