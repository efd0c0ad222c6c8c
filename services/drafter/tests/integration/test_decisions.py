"""Approve / reject / regenerate through the admin API and Slack's draft.decided, one
state machine; a person answering by hand; email.sent closing the draft."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from leadwire.events import DraftDecided, EmailSent, EmailSentByPerson
from leadwire.testing import wait_until
from leadwire_drafter.testing import CLIENT_ID, MAILBOX_ID

from .conftest import Drafter

pytestmark = pytest.mark.integration


async def pending_draft(drafter: Drafter) -> dict[str, Any]:
    await drafter.client(auto_send="off")
    lead = await drafter.lead()
    [draft] = await drafter.created(lead.lead_id)
    assert draft["auto_send"] is False
    return dict(draft)


async def status_of(drafter: Drafter, draft_id: object) -> str:
    status: str = await drafter.service.pool.fetchval(
        "SELECT status FROM drafts WHERE id = $1::uuid", str(draft_id)
    )
    return status


async def test_approval_with_edits_publishes_the_edited_draft_once(drafter: Drafter) -> None:
    draft = await pending_draft(drafter)
    http = drafter.service.http
    edits = {
        "subject": "Re: Your bakery website",
        "body_text": "Hello Jane,\n\nhappy to help!\n\nAnna",
    }

    first = await http.post(f"/admin/drafts/{draft['draft_id']}/approve", json=edits)
    again = await http.post(f"/admin/drafts/{draft['draft_id']}/approve")

    assert first.status_code == 200, first.text
    assert first.json()["status"] == "approved"
    assert first.json()["edited"] is True
    assert again.status_code == 409
    assert again.json()["detail"] == "cannot approve: the draft is already approved"
    [approved] = await drafter.tap.wait_for("draft.approved", settle=0.3)
    payload = approved["payload"]
    assert payload["subject"] == edits["subject"]
    assert payload["body_text"] == edits["body_text"]
    assert payload["body_html"] == "<p>Hello Jane,</p>\n<p>happy to help!</p>\n<p>Anna</p>"
    assert payload["approved_by"] == "test-admin"
    assert payload["mailbox_id"] == str(MAILBOX_ID)
    assert payload["reply_to"]["to_address"] == "jane@bakery-example.com"


async def test_reject_then_approve_is_a_conflict(drafter: Drafter) -> None:
    draft = await pending_draft(drafter)
    http = drafter.service.http

    rejected = await http.post(
        f"/admin/drafts/{draft['draft_id']}/reject", json={"reason": "off-topic"}
    )
    approve = await http.post(f"/admin/drafts/{draft['draft_id']}/approve")

    assert rejected.status_code == 200
    assert approve.status_code == 409
    [event] = await drafter.tap.wait_for("draft.rejected")
    assert event["payload"]["reason"] == "off-topic"
    assert event["payload"]["rejected_by"] == "test-admin"


async def test_unknown_drafts_and_bad_input_get_clear_errors(drafter: Drafter) -> None:
    http = drafter.service.http
    missing = await http.post(f"/admin/drafts/{uuid4()}/approve")
    bad_cursor = await http.get("/admin/drafts", params={"cursor": "nope"})
    bad_status = await http.get("/admin/drafts", params={"status": "maybe"})
    empty_body = await http.post(f"/admin/drafts/{uuid4()}/approve", json={"body_text": ""})
    bad_month = await http.get("/admin/usage", params={"month": "2026/11"})

    assert missing.status_code == 404
    assert bad_cursor.status_code == 400
    assert "cursor" in bad_cursor.json()["detail"]
    assert bad_status.status_code == 422
    assert empty_body.status_code == 422
    assert bad_month.status_code == 400


async def test_a_slack_decision_approves_and_a_second_click_is_a_no_op(drafter: Drafter) -> None:
    draft = await pending_draft(drafter)
    decided = DraftDecided(
        draft_id=UUID(str(draft["draft_id"])), decision="approve", decided_by="slack:U123"
    )

    await drafter.stack.publish(decided, client_id=CLIENT_ID)
    await drafter.stack.publish(decided, client_id=CLIENT_ID)  # a second click: new event
    reject = DraftDecided(draft_id=decided.draft_id, decision="reject", decided_by="slack:U9")
    await drafter.stack.publish(reject, client_id=CLIENT_ID)

    [approved] = await drafter.tap.wait_for("draft.approved", settle=1.0)
    assert approved["payload"]["approved_by"] == "slack:U123"
    assert not [e for e in drafter.tap.seen if e["type"] == "draft.rejected"]
    assert await status_of(drafter, draft["draft_id"]) == "approved"


async def test_regenerate_supersedes_with_a_new_draft_that_awaits_approval(
    drafter: Drafter,
) -> None:
    draft = await pending_draft(drafter)
    http = drafter.service.http

    resp = await http.post(
        f"/admin/drafts/{draft['draft_id']}/regenerate",
        json={"instructions": "Mention our portfolio."},
    )

    assert resp.status_code == 201, resp.text
    new = resp.json()
    assert new["supersedes"] == draft["draft_id"]
    assert new["status"] == "awaiting_approval"
    assert "regenerated on request by test-admin" in new["reasons"]
    assert await status_of(drafter, draft["draft_id"]) == "superseded"
    system = drafter.llm_requests()[-1]["messages"][0]["content"]
    assert "Extra instructions from the company: Mention our portfolio." in system
    again = await http.post(f"/admin/drafts/{draft['draft_id']}/regenerate")
    assert again.status_code == 409


async def test_a_person_answering_by_hand_rejects_the_pending_draft(drafter: Drafter) -> None:
    draft = await pending_draft(drafter)
    by_person = EmailSentByPerson(
        lead_id=UUID(str(draft["lead_id"])), mailbox_id=MAILBOX_ID, provider="google",
        provider_message_id="m-person", sent_at=datetime.now(UTC),
    )  # fmt: skip

    await drafter.stack.publish(by_person, client_id=CLIENT_ID)

    [event] = await drafter.tap.wait_for("draft.rejected")
    assert event["payload"]["reason"] == "a person answered the lead by hand"
    assert await status_of(drafter, draft["draft_id"]) == "rejected"


async def test_email_sent_marks_an_auto_draft_sent(drafter: Drafter) -> None:
    await drafter.client(auto_send="always")
    lead = await drafter.lead()
    [draft] = await drafter.created(lead.lead_id)
    sent = EmailSent(
        outbound_id=uuid4(), draft_id=UUID(draft["draft_id"]), lead_id=lead.lead_id,
        mailbox_id=MAILBOX_ID, provider="google", provider_message_id="m-out",
        to_address=lead.from_address, subject=draft["subject"], sent_at=datetime.now(UTC),
    )  # fmt: skip

    await drafter.stack.publish(sent, client_id=CLIENT_ID)

    async def is_sent() -> bool:
        return await status_of(drafter, draft["draft_id"]) == "sent"

    await wait_until(is_sent)


async def test_listing_pages_through_drafts_newest_first(drafter: Drafter) -> None:
    await drafter.client(auto_send="off")
    leads = [await drafter.lead() for _ in range(3)]
    for lead in leads:
        await drafter.created(lead.lead_id)
    http = drafter.service.http

    first = (
        await http.get("/admin/drafts", params={"limit": 2, "client_id": str(CLIENT_ID)})
    ).json()
    second = (
        await http.get("/admin/drafts", params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    waiting = (await http.get("/admin/drafts", params={"status": "awaiting_approval"})).json()
    one = await http.get(f"/admin/drafts/{first['items'][0]['id']}")

    ids = [d["id"] for d in first["items"] + second["items"]]
    assert len(ids) == 3 and len(set(ids)) == 3
    assert second["next_cursor"] is None
    assert len(waiting["items"]) == 3
    assert one.json()["score_source"] == "rules"  # the sandbox model gives no score reasons
    usage = (await http.get("/admin/usage", params={"client_id": str(CLIENT_ID)})).json()
    assert usage[0]["drafts"] == 3
    assert float(usage[0]["cost_usd"]) > 0
