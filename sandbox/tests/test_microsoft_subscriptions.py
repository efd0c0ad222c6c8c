"""Graph subscriptions: validation handshake, change notifications, lifecycle events."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from sandbox.microsoft.testing import Receiver, msal_app, running_receiver, sign_in

ADDRESS = "owner@contoso.example"
RESOURCE = "me/mailFolders('Inbox')/messages"


@pytest.fixture
def graph(sandbox) -> Iterator[httpx.Client]:
    sandbox.create_mailbox("microsoft", ADDRESS, display_name="Olga Owner")
    app = msal_app(sandbox.base_url, sandbox.ca_path, sandbox.config)
    token = sign_in(app, sandbox.ca_path, ADDRESS, ["Mail.Read"])["access_token"]
    app.http_client.close()
    with httpx.Client(
        base_url=f"{sandbox.base_url}/v1.0",
        verify=ssl.create_default_context(cafile=str(sandbox.ca_path)),
        headers={"Authorization": f"Bearer {token}"},
    ) as client:
        yield client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def expires_in(minutes: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def subscribe(graph: httpx.Client, receiver: Receiver, **extra) -> httpx.Response:
    body = {
        "changeType": "created",
        "notificationUrl": receiver.url,
        "resource": RESOURCE,
        "expirationDateTime": expires_in(60),
        "clientState": "s3cret",
        **extra,
    }
    return graph.post("/subscriptions", json=body)


def deliver(sandbox, subject: str = "New lead") -> dict:
    return sandbox.deliver(ADDRESS, **{"from": "lead@customer.example", "subject": subject})


def test_subscription_is_created_after_the_handshake_echo(graph, receiver):
    answer = subscribe(graph, receiver)

    assert answer.status_code == 201, answer.text
    assert answer.json()["clientState"] == "s3cret"
    assert answer.json()["resource"] == RESOURCE
    [token] = receiver.validations
    assert token.startswith("Validation: ") and " " in token  # URL-decoded by the receiver


def test_handshake_with_wrong_echo_fails_like_graph(graph, receiver):
    receiver.echo = "wrong"

    answer = subscribe(graph, receiver)

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidRequest"
    assert "validation request failed" in answer.json()["error"]["message"]


def test_handshake_answered_as_json_is_refused(graph, receiver):
    receiver.echo = "json"

    assert subscribe(graph, receiver).status_code == 400


def test_handshake_too_slow_times_out(sandbox, graph, receiver):
    sandbox.control.post("/_sandbox/microsoft/settings", json={"validation_timeout": 0.2})
    receiver.echo, receiver.slow_seconds = "slow", 0.6

    answer = subscribe(graph, receiver)

    assert answer.status_code == 400
    assert "timed out" in answer.json()["error"]["message"]


def test_lifecycle_url_is_validated_too(graph, receiver):
    answer = subscribe(graph, receiver, lifecycleNotificationUrl=receiver.url + "/lifecycle")

    assert answer.status_code == 201
    assert len(receiver.validations) == 2


def test_new_inbox_message_is_notified_with_client_state(sandbox, graph, receiver):
    sub = subscribe(graph, receiver).json()

    ids = deliver(sandbox)

    [note] = receiver.wait_for(1)[0]["value"]
    assert note["subscriptionId"] == sub["id"] and note["clientState"] == "s3cret"
    assert note["changeType"] == "created"
    assert note["resourceData"]["id"] == ids["id"]
    assert note["resource"].endswith(f"/Messages/{ids['id']}")
    assert note["tenantId"] and note["subscriptionExpirationDateTime"]


def test_failed_notification_is_retried(sandbox, graph, receiver):
    sandbox.config.push_backoff_initial = 0.05  # the fixture puts the config back
    subscribe(graph, receiver).raise_for_status()
    receiver.statuses = [500]

    deliver(sandbox)

    notes = receiver.wait_for(2)
    assert notes[0] == notes[1]
    log = sandbox.control.get("/_sandbox/microsoft/notifications").json()
    assert log[-1]["statuses"] == [500, 202] and log[-1]["delivered"] is True


def test_renew_and_delete(graph, receiver):
    sub = subscribe(graph, receiver).json()

    renewed = graph.patch(
        f"/subscriptions/{sub['id']}", json={"expirationDateTime": expires_in(600)}
    )
    deleted = graph.delete(f"/subscriptions/{sub['id']}")

    assert renewed.status_code == 200
    assert renewed.json()["expirationDateTime"] > sub["expirationDateTime"]
    assert deleted.status_code == 204
    assert graph.get(f"/subscriptions/{sub['id']}").status_code == 404


def test_expiration_beyond_the_maximum_is_refused(graph, receiver):
    answer = subscribe(graph, receiver, expirationDateTime=expires_in(10081))

    assert answer.status_code == 400 and "10080 minutes" in answer.json()["error"]["message"]


@pytest.mark.parametrize("event", ["reauthorizationRequired", "missed", "subscriptionRemoved"])
def test_lifecycle_event_reaches_the_lifecycle_url(sandbox, graph, receiver, event):
    sub = subscribe(graph, receiver, lifecycleNotificationUrl=receiver.url).json()

    answer = sandbox.control.post(
        f"/_sandbox/microsoft/subscriptions/{sub['id']}/lifecycle", json={"event": event}
    )

    assert answer.json()["sent"] is True
    [note] = receiver.wait_for(1)[0]["value"]
    assert note["lifecycleEvent"] == event and note["clientState"] == "s3cret"
    removed = graph.get(f"/subscriptions/{sub['id']}").status_code == 404
    assert removed is (event == "subscriptionRemoved")


def test_removed_subscription_stops_change_notifications(sandbox, graph, receiver):
    sub = subscribe(graph, receiver).json()
    sandbox.control.post(
        f"/_sandbox/microsoft/subscriptions/{sub['id']}/lifecycle",
        json={"event": "subscriptionRemoved"},
    ).raise_for_status()

    deliver(sandbox)
    with pytest.raises(AssertionError):
        receiver.wait_for(1, timeout=0.3)
