"""users.history.list and users.watch through googleapiclient."""

from __future__ import annotations

import time

import pytest
from googleapiclient.errors import HttpError

ADDRESS = "owner@acme.test"


def _deliver(sandbox, n: int, **extra) -> list[dict]:
    return [
        sandbox.deliver(
            ADDRESS, **{"from": f"l{i}@x.test", "subject": f"s{i}", "text": "t", **extra}
        )
        for i in range(n)
    ]


def test_history_lists_added_messages_after_the_start_id(sandbox, gmail_account):
    gmail, _ = gmail_account()
    start = gmail.users().getProfile(userId="me").execute()["historyId"]
    added = _deliver(sandbox, 3)
    out = (
        gmail.users()
        .history()
        .list(userId="me", startHistoryId=start, historyTypes=["messageAdded"])
        .execute()
    )
    got = [h["messagesAdded"][0]["message"]["id"] for h in out["history"]]
    assert got == [m["id"] for m in added]
    assert int(out["historyId"]) >= int(out["history"][-1]["id"]) > int(start)
    assert out["history"][0]["messagesAdded"][0]["message"]["labelIds"] == ["INBOX", "UNREAD"]
    later = gmail.users().history().list(userId="me", startHistoryId=out["historyId"]).execute()
    assert "history" not in later and later["historyId"] == out["historyId"]


def test_history_filters_by_label_and_type_and_pages(sandbox, gmail_account):
    gmail, _ = gmail_account()
    start = gmail.users().getProfile(userId="me").execute()["historyId"]
    inbox = _deliver(sandbox, 3)
    _deliver(sandbox, 1, spam=True)
    gmail.users().messages().modify(
        userId="me", id=inbox[0]["id"], body={"removeLabelIds": ["UNREAD"]}
    ).execute()
    request = (
        gmail.users()
        .history()
        .list(
            userId="me",
            startHistoryId=start,
            labelId="INBOX",
            historyTypes=["messageAdded"],
            maxResults=2,
        )
    )
    pages = []
    while request is not None:
        page = request.execute()
        pages.append(page)
        request = gmail.users().history().list_next(request, page)
    assert [len(p["history"]) for p in pages] == [2, 1]
    removed = (
        gmail.users()
        .history()
        .list(userId="me", startHistoryId=start, historyTypes=["labelRemoved"])
        .execute()
    )
    [record] = removed["history"]
    assert record["labelsRemoved"][0]["labelIds"] == ["UNREAD"]


def test_history_older_than_the_window_is_404(sandbox, gmail_account):
    gmail, _ = gmail_account()
    start = gmail.users().getProfile(userId="me").execute()["historyId"]
    _deliver(sandbox, 1)
    resp = sandbox.control.post(f"/_sandbox/google/mailboxes/{ADDRESS}/expire-history")
    assert resp.status_code == 200
    with pytest.raises(HttpError) as err:
        gmail.users().history().list(userId="me", startHistoryId=start).execute()
    assert err.value.resp.status == 404
    current = gmail.users().getProfile(userId="me").execute()["historyId"]
    assert (
        "history" not in gmail.users().history().list(userId="me", startHistoryId=current).execute()
    )


def test_retention_window_drops_the_oldest_records(sandbox, gmail_account):
    sandbox.config.history_retention = 2
    gmail, _ = gmail_account()
    start = gmail.users().getProfile(userId="me").execute()["historyId"]
    first = _deliver(sandbox, 1)[0]
    _deliver(sandbox, 2)
    with pytest.raises(HttpError) as err:
        gmail.users().history().list(userId="me", startHistoryId=start).execute()
    assert err.value.resp.status == 404
    kept = gmail.users().history().list(userId="me", startHistoryId=first["historyId"]).execute()
    assert len(kept["history"]) == 2


def test_watch_returns_history_id_and_seven_day_expiration_and_stop_ends_it(sandbox, gmail_account):
    gmail, _ = gmail_account()
    body = {"topicName": "projects/acme/topics/gmail", "labelIds": ["INBOX"]}
    out = gmail.users().watch(userId="me", body=body).execute()
    days = (int(out["expiration"]) / 1000 - time.time()) / 86400
    assert 6.9 < days <= 7.0
    assert out["historyId"] == gmail.users().getProfile(userId="me").execute()["historyId"]
    assert sandbox.control.get(f"/_sandbox/google/mailboxes/{ADDRESS}/watch").json()[
        "label_ids"
    ] == ["INBOX"]
    gmail.users().stop(userId="me").execute()
    assert sandbox.control.get(f"/_sandbox/google/mailboxes/{ADDRESS}/watch").json() is None


def test_watch_needs_a_topic_name(sandbox, gmail_account):
    gmail, _ = gmail_account()
    with pytest.raises(HttpError) as err:
        gmail.users().watch(userId="me", body={"topicName": "gmail"}).execute()
    assert err.value.resp.status == 400
