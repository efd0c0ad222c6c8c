"""Replies in the lead's language; form leads; duplicates; a newer message supersedes."""

from __future__ import annotations

import json

import pytest

from leadwire.events import EmailReceived, LeadReceived
from leadwire_drafter.testing import CLIENT_ID, MAILBOX_ID

from .conftest import Drafter

pytestmark = pytest.mark.integration

GERMAN_LEAD = (
    "Guten Tag, wir sind eine Bäckerei in Köln und brauchen eine neue Webseite mit "
    "Online-Shop. Könnten Sie uns ein Angebot schicken?"
)
GERMAN_REPLY = (
    "Hallo Frau Schmidt,\n\nvielen Dank für Ihre Nachricht und Ihr Interesse an einer neuen "
    "Webseite für Ihre Bäckerei. Wir melden uns in Kürze mit den Details bei Ihnen.\n\n"
    "Viele Grüße\nAnna Weber"
)


async def test_a_german_lead_is_answered_in_german(drafter: Drafter) -> None:
    await drafter.client()
    drafter.script(
        "Bäckerei in Köln",
        json.dumps({"subject": "x", "body": GERMAN_REPLY, "score": 80, "score_reasons": ["passt"]}),
    )
    lead = await drafter.lead(
        subject="Anfrage Webseite", body_text=GERMAN_LEAD, from_name="K. Schmidt"
    )

    [draft] = await drafter.created(lead.lead_id)

    [request] = drafter.llm_requests()
    assert "language with ISO code 'de'" in request["messages"][0]["content"]
    assert draft["body_text"] == GERMAN_REPLY
    assert draft["auto_send"] is True, draft["reasons"]
    language = await drafter.service.pool.fetchval(
        "SELECT language FROM drafts WHERE id = $1::uuid", draft["draft_id"]
    )
    assert language == "de"


async def test_an_english_reply_to_a_german_lead_fails_the_language_check(drafter: Drafter) -> None:
    await drafter.client()
    lead = await drafter.lead(subject="Anfrage Webseite", body_text=GERMAN_LEAD)

    [draft] = await drafter.created(lead.lead_id)

    assert draft["auto_send"] is False
    assert "draft is in 'en', the lead's language is 'de'" in draft["reasons"]


async def test_a_form_lead_is_drafted_for_the_primary_mailbox(drafter: Drafter) -> None:
    await drafter.client(primary_mailbox_id=MAILBOX_ID)
    lead = await drafter.lead(
        source="form", mailbox_id=None, provider=None, provider_message_id=None,
        subject="", body_text="", from_address="sam@teahouse-example.com", from_name="",
        form_fields={"name": "Sam", "message": "We need an online shop for our tea house. Could you send us a quote?"},
    )  # fmt: skip

    [draft] = await drafter.created(lead.lead_id)

    assert draft["mailbox_id"] == str(MAILBOX_ID)
    assert draft["subject"] == "Your enquiry to Acme Web Studio"  # a new thread, no "Re:"
    assert draft["reply_to"]["to_address"] == "sam@teahouse-example.com"
    assert draft["reply_to"]["provider_message_id"] is None
    [request] = drafter.llm_requests()
    assert "Name: Sam" in request["messages"][1]["content"]


async def test_a_form_lead_without_a_primary_mailbox_awaits_a_person(drafter: Drafter) -> None:
    await drafter.client(primary_mailbox_id=None, auto_send="always")
    lead = await drafter.lead(
        source="form", mailbox_id=None, provider=None, provider_message_id=None,
        body_text="", form_fields={"message": "We need a website for our shop, please call us."},
    )  # fmt: skip

    [draft] = await drafter.created(lead.lead_id)

    assert draft["mailbox_id"] is None
    assert draft["auto_send"] is False
    assert any("no mailbox to send from" in r for r in draft["reasons"])


async def test_a_duplicate_lead_received_yields_one_draft(drafter: Drafter) -> None:
    await drafter.client()
    lead = await drafter.lead()
    envelope = await drafter.stack.publish(lead, client_id=CLIENT_ID)  # same lead, new event id
    await drafter.stack.publish(envelope)  # and that very event again

    await drafter.created(lead.lead_id, settle=1.0)

    assert len([e for e in drafter.tap.seen if e["type"] == "draft.created"]) == 1
    assert await drafter.service.pool.fetchval("SELECT count(*) FROM drafts") == 1
    assert len(drafter.llm_requests()) == 1


async def test_a_new_message_before_approval_supersedes_the_pending_draft(drafter: Drafter) -> None:
    await drafter.client(auto_send="off")
    first = await drafter.lead()
    [old] = await drafter.created(first.lead_id)
    second = LeadReceived(
        **{
            **first.model_dump(),
            "provider_message_id": "m-second",
            "body_text": "Also, we would need the shop to support gift cards for our cakes.",
        }
    )
    await drafter.stack.publish(second, client_id=CLIENT_ID)

    drafts = await drafter.created(first.lead_id, at_least=2)

    new = drafts[1]
    assert new["supersedes"] == old["draft_id"]
    rows = await drafter.service.pool.fetch(
        "SELECT id::text, status FROM drafts ORDER BY created_at"
    )
    assert [(r["id"], r["status"]) for r in rows] == [
        (old["draft_id"], "superseded"),
        (new["draft_id"], "awaiting_approval"),
    ]
    approve = await drafter.service.http.post(f"/admin/drafts/{old['draft_id']}/approve")
    assert approve.status_code == 409
    assert "newer draft" in approve.json()["detail"]


async def test_the_lead_writing_again_in_its_thread_regenerates_the_pending_draft(
    drafter: Drafter,
) -> None:
    await drafter.client(auto_send="off")
    lead = await drafter.lead(rfc_message_id="<first@bakery-example.com>")
    [old] = await drafter.created(lead.lead_id)
    again = EmailReceived(
        lead_id=lead.lead_id, mailbox_id=MAILBOX_ID, provider="google",
        provider_message_id="m-again", rfc_message_id="<again@bakery-example.com>",
        from_address=lead.from_address, subject="Re: New website for our bakery",
        snippet="One more thing: we also need a page for wedding cakes.",
        received_at=lead.received_at,
    )  # fmt: skip
    await drafter.stack.publish(again, client_id=CLIENT_ID)
    auto_reply = again.model_copy(update={"provider_message_id": "m-ooo", "is_auto_reply": True})
    await drafter.stack.publish(auto_reply, client_id=CLIENT_ID)

    drafts = await drafter.created(lead.lead_id, at_least=2, settle=0.5)

    assert len(drafts) == 2  # the auto-reply changed nothing
    new = drafts[1]
    assert new["supersedes"] == old["draft_id"]
    assert new["reply_to"]["provider_message_id"] == "m-again"
    assert new["reply_to"]["references"] == ["<first@bakery-example.com>"]
    user = drafter.llm_requests()[-1]["messages"][1]["content"]
    assert "wedding cakes" in user.split("<lead_message>")[1]
    assert "<history>" in user and "small bakery" in user.split("<lead_message>")[0]
