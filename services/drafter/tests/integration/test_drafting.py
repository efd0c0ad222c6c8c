"""lead.received -> guard, LLM, checks -> draft.created / lead.flagged, end to end."""

from __future__ import annotations

import pytest

from leadwire_drafter.testing import MAILBOX_ID
from sandbox.openai_replies import make_reply

from .conftest import Drafter

pytestmark = pytest.mark.integration


async def test_a_clean_lead_gets_an_auto_sent_draft_under_guarded(drafter: Drafter) -> None:
    await drafter.client(auto_send="guarded")
    lead = await drafter.lead()

    [draft] = await drafter.created(lead.lead_id)

    assert draft["auto_send"] is True, draft["reasons"]
    assert draft["guard_verdict"] == "pass"
    assert draft["is_template"] is False
    assert draft["mailbox_id"] == str(MAILBOX_ID)
    assert draft["subject"] == "Re: New website for our bakery"
    assert draft["reply_to"]["to_address"] == lead.from_address
    assert draft["reply_to"]["provider_message_id"] == lead.provider_message_id
    assert draft["score"] >= 50
    assert draft["score_reasons"]
    # The draft is the sandbox model's answer to exactly the prompt we sent.
    [request] = drafter.llm_requests()
    assert request["response_format"]["type"] == "json_schema"
    assert draft["body_text"] == make_reply(request["model"], request["messages"]).text
    assert "<p>" in draft["body_html"]
    assert not [e for e in drafter.tap.seen if e["type"] == "lead.flagged"]


async def test_spam_is_flagged_and_gets_no_draft(drafter: Drafter) -> None:
    await drafter.client()
    lead = await drafter.lead(
        subject="Security alert",
        body_text="Your account has been suspended. Click here to verify your account: "
        "https://bit.ly/3secure now.",
        signals={"spf": "fail", "dmarc": "fail"},
    )

    [flag] = await drafter.tap.wait_for("lead.flagged", settle=0.5)

    assert flag["payload"]["lead_id"] == str(lead.lead_id)
    assert flag["payload"]["verdict"] == "spam"
    assert flag["payload"]["draft_id"] is None
    assert any(r.startswith("scam_phrasing") for r in flag["payload"]["reasons"])
    assert not [e for e in drafter.tap.seen if e["type"] == "draft.created"]
    assert drafter.llm_requests() == []  # spam never costs an LLM call
    verdict = await drafter.service.pool.fetchval(
        "SELECT verdict FROM guard_verdicts WHERE lead_id = $1", lead.lead_id
    )
    assert verdict == "spam"


async def test_failed_dmarc_awaits_approval_and_is_flagged(drafter: Drafter) -> None:
    await drafter.client(auto_send="always")
    lead = await drafter.lead(signals={"spf": "pass", "dkim": "pass", "dmarc": "fail"})

    [draft] = await drafter.created(lead.lead_id)
    [flag] = await drafter.tap.wait_for("lead.flagged")

    assert draft["auto_send"] is False
    assert draft["guard_verdict"] == "suspicious"
    assert "dmarc_fail: DMARC failed" in draft["reasons"]
    assert flag["payload"]["draft_id"] == draft["draft_id"]
    detail = (await drafter.service.http.get(f"/admin/drafts/{draft['draft_id']}")).json()
    assert detail["status"] == "awaiting_approval"
    assert detail["guard_signals"] == [
        {"code": "dmarc_fail", "detail": "DMARC failed", "weight": 40, "forces_review": True}
    ]
