"""Issue 8, item 7: push controls (twice, late, out of order, expired watch, retry schedules,
Graph's 3-second deadline), driven with googleapiclient and msal + httpx."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta

from sandbox.config import SandboxConfig
from sandbox.microsoft.testing import running_receiver

ADDRESS = "owner@acme.test"
OUTLOOK = "owner@contoso.example"
LEAD = "lead@customer.test"
TOPIC = {"topicName": "projects/p/topics/gmail"}


def _history_id(push: dict) -> int:
    return int(json.loads(base64.b64decode(push["message"]["data"]))["historyId"])


def _deliver(sandbox, subject: str, address: str = ADDRESS) -> dict:
    return sandbox.deliver(address, **{"from": LEAD, "subject": subject, "text": "hi"})


def test_gmail_push_sent_twice_keeps_its_message_id(sandbox, gmail_account):
    sandbox.control.post(
        "/_sandbox/google/push/faults", json={"mode": "duplicate"}
    ).raise_for_status()
    with running_receiver() as receiver:
        gmail, _ = gmail_account(ADDRESS, push_endpoint=receiver.url)
        gmail.users().watch(userId="me", body=TOPIC).execute()
        _deliver(sandbox, "Once")
        first, second = receiver.wait_for(2)

    assert first["message"]["messageId"] == second["message"]["messageId"]
    assert _history_id(first) == _history_id(second)


def test_gmail_pushes_out_of_order(sandbox, gmail_account):
    sandbox.control.post(
        "/_sandbox/google/push/faults", json={"mode": "reorder", "delay_seconds": 5}
    ).raise_for_status()
    with running_receiver() as receiver:
        gmail, _ = gmail_account(ADDRESS, push_endpoint=receiver.url)
        gmail.users().watch(userId="me", body=TOPIC).execute()
        older = _deliver(sandbox, "First")
        newer = _deliver(sandbox, "Second")
        pushes = receiver.wait_for(2)

    assert [_history_id(p) for p in pushes] == [int(newer["historyId"]), int(older["historyId"])]


def test_a_late_push_finds_the_message_already_polled(sandbox, gmail_account):
    sandbox.control.post(
        "/_sandbox/google/push/faults", json={"mode": "delay", "delay_seconds": 2}
    ).raise_for_status()
    with running_receiver() as receiver:
        gmail, _ = gmail_account(ADDRESS, push_endpoint=receiver.url)
        start = gmail.users().watch(userId="me", body=TOPIC).execute()["historyId"]
        delivered = _deliver(sandbox, "Both ways")
        polled = gmail.users().history().list(userId="me", startHistoryId=start).execute()
        pushed_before_poll = len(receiver.received)
        [push] = receiver.wait_for(1)

    assert polled["history"][0]["messagesAdded"][0]["message"]["id"] == delivered["id"]
    assert pushed_before_poll == 0 and _history_id(push) == int(delivered["historyId"])


def test_an_expired_watch_pushes_nothing_until_watch_is_called_again(sandbox, gmail_account):
    with running_receiver() as receiver:
        gmail, _ = gmail_account(ADDRESS, push_endpoint=receiver.url)
        gmail.users().watch(userId="me", body=TOPIC).execute()
        sandbox.control.post(
            f"/_sandbox/google/mailboxes/{ADDRESS}/expire-watch"
        ).raise_for_status()
        _deliver(sandbox, "Unnoticed")
        gmail.users().watch(userId="me", body=TOPIC).execute()
        noticed = _deliver(sandbox, "Noticed")
        [push] = receiver.wait_for(1)

    assert _history_id(push) == int(noticed["historyId"])


def test_realistic_pubsub_retry_schedule_waits_ten_seconds_first(sandbox, gmail_account):
    answer = sandbox.control.post(
        "/_sandbox/google/push/settings", json={"retry_schedule": "realistic"}
    ).json()
    with running_receiver() as receiver:
        receiver.statuses = [500]
        gmail, _ = gmail_account(ADDRESS, push_endpoint=receiver.url)
        gmail.users().watch(userId="me", body=TOPIC).execute()
        _deliver(sandbox, "Retried slowly")
        receiver.wait_for(1)
        # the sandbox records the attempt once it has the answer: poll, don't race it
        attempts: list = []
        for _ in range(100):
            attempts = sandbox.control.get("/_sandbox/google/push/attempts").json()
            if attempts:
                break
            time.sleep(0.02)

    assert answer == {
        "retry_schedule": "realistic",
        "first_retry_seconds": 10.0,
        "max_seconds": 600.0,
    }
    assert attempts[0]["status"] == 500 and attempts[0]["retry_in"] == 10.0


def _subscribe(graph, url: str) -> None:
    expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    graph.post(
        "/subscriptions",
        json={
            "changeType": "created",
            "notificationUrl": url,
            "resource": "me/mailFolders('Inbox')/messages",
            "expirationDateTime": expires,
        },
    ).raise_for_status()


def test_graph_notification_sent_twice(sandbox, graph_for):
    graph = graph_for(OUTLOOK)
    sandbox.control.post(
        "/_sandbox/microsoft/notifications/faults", json={"mode": "duplicate"}
    ).raise_for_status()
    with running_receiver() as receiver:
        _subscribe(graph, receiver.url)
        _deliver(sandbox, "Twice", OUTLOOK)
        first, second = receiver.wait_for(2)

    assert first == second


def test_graph_counts_an_answer_after_the_deadline_as_failed_and_retries(sandbox, graph_for):
    assert SandboxConfig().graph_notification_deadline == 3.0  # Graph's documented limit
    sandbox.config.graph_notification_deadline = 0.3  # the same rule, quicker to test
    sandbox.config.push_backoff_initial = 0.05
    graph = graph_for(OUTLOOK)
    with running_receiver() as receiver:
        _subscribe(graph, receiver.url)
        receiver.delays = [0.6]  # the first answer is too slow
        _deliver(sandbox, "Slow endpoint", OUTLOOK)
        first, retried = receiver.wait_for(2)

    [delivery] = sandbox.control.get("/_sandbox/microsoft/notifications").json()
    assert first == retried and delivery["delivered"] and delivery["attempts"] == 2
    assert delivery["statuses"][0] == "ReadTimeout"


def _subscribe_with_lifecycle(graph, url: str, minutes: int) -> dict:
    expires = (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")
    answer = graph.post(
        "/subscriptions",
        json={
            "changeType": "created",
            "notificationUrl": url,
            "lifecycleNotificationUrl": url,
            "resource": "me/mailFolders('Inbox')/messages",
            "expirationDateTime": expires,
        },
    )
    answer.raise_for_status()
    return answer.json()


def test_graph_sends_reauthorization_required_shortly_before_expiry(graph_for):
    graph = graph_for(OUTLOOK)
    with running_receiver() as receiver:
        sub = _subscribe_with_lifecycle(graph, receiver.url, minutes=5)  # within the lead
        [event] = receiver.wait_for(1)

    assert event["value"][0]["lifecycleEvent"] == "reauthorizationRequired"
    assert event["value"][0]["subscriptionId"] == sub["id"]


def test_expire_soon_control_brings_the_reauthorization_event(sandbox, graph_for):
    graph = graph_for(OUTLOOK)
    with running_receiver() as receiver:
        sub = _subscribe_with_lifecycle(graph, receiver.url, minutes=120)
        sandbox.control.post(
            f"/_sandbox/microsoft/subscriptions/{sub['id']}/expire-soon", json={"seconds": 30}
        ).raise_for_status()
        [event] = receiver.wait_for(1)
        renewed = graph.patch(
            f"/subscriptions/{sub['id']}",
            json={"expirationDateTime": (datetime.now(UTC) + timedelta(hours=2)).isoformat()},
        )

    assert event["value"][0]["lifecycleEvent"] == "reauthorizationRequired"
    assert renewed.status_code == 200
