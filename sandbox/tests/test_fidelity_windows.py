"""Issue 8, item 7: expired sync state (Graph deltaLink 410, Gmail history window by time)."""

from __future__ import annotations

import time

import pytest
from googleapiclient.errors import HttpError

ADDRESS = "owner@acme.test"
OUTLOOK = "owner@contoso.example"
LEAD = "lead@customer.test"


def _delta_link(graph) -> str:
    page = graph.get("/me/mailFolders/inbox/messages/delta").json()
    return page["@odata.deltaLink"]


def test_expired_delta_link_answers_410_sync_state_not_found(sandbox, graph_for):
    graph = graph_for(OUTLOOK)
    link = _delta_link(graph)
    sandbox.control.post(f"/_sandbox/microsoft/mailboxes/{OUTLOOK}/expire-delta").raise_for_status()

    expired = graph.get(link)
    fresh = graph.get("/me/mailFolders/inbox/messages/delta")

    assert expired.status_code == 410
    assert expired.json()["error"]["code"] == "SyncStateNotFound"
    assert fresh.status_code == 200 and "@odata.deltaLink" in fresh.json()


def test_delta_link_expires_by_age_when_a_lifetime_is_set(sandbox, graph_for):
    sandbox.config.graph_delta_lifetime = 0.05
    graph = graph_for(OUTLOOK)
    link = _delta_link(graph)
    time.sleep(0.1)

    assert graph.get(link).status_code == 410


def test_gmail_history_window_bounded_by_time(sandbox, gmail_account):
    gmail, _ = gmail_account(ADDRESS)
    start = gmail.users().getProfile(userId="me").execute()["historyId"]
    sandbox.deliver(ADDRESS, **{"from": LEAD, "subject": "old", "text": "x"})
    time.sleep(1.2)
    sandbox.config.history_max_age = 1.0  # the old record is out of the window, the new one in
    recent = sandbox.deliver(ADDRESS, **{"from": LEAD, "subject": "new", "text": "y"})

    with pytest.raises(HttpError) as gone:
        gmail.users().history().list(userId="me", startHistoryId=start).execute()
    still = gmail.users().history().list(userId="me", startHistoryId=int(recent["historyId"]) - 1)

    assert gone.value.resp.status == 404
    assert still.execute()["history"][0]["messagesAdded"][0]["message"]["id"] == recent["id"]


def test_expire_history_older_than_keeps_recent_records(sandbox, gmail_account):
    gmail, _ = gmail_account(ADDRESS)
    start = gmail.users().getProfile(userId="me").execute()["historyId"]
    sandbox.deliver(ADDRESS, **{"from": LEAD, "subject": "old", "text": "x"})
    time.sleep(1.2)
    recent = sandbox.deliver(ADDRESS, **{"from": LEAD, "subject": "new", "text": "y"})

    sandbox.control.post(
        f"/_sandbox/google/mailboxes/{ADDRESS}/expire-history", json={"older_than_seconds": 1.0}
    ).raise_for_status()

    with pytest.raises(HttpError):
        gmail.users().history().list(userId="me", startHistoryId=start).execute()
    since_old = (
        gmail.users().history().list(userId="me", startHistoryId=int(recent["historyId"]) - 1)
    )
    assert since_old.execute()["history"][0]["messagesAdded"][0]["message"]["id"] == recent["id"]
