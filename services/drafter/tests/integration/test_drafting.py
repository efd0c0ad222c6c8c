"""lead.received -> guard, LLM, checks -> draft.created / lead.flagged, end to end."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from leadwire.redelivery import ERROR_HEADER
from leadwire.testing import wait_until
from leadwire_drafter.testing import CLIENT_ID, MAILBOX_ID, NOW, sample_lead
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


async def test_many_leads_at_once_with_a_slow_llm_all_get_drafts(drafter: Drafter) -> None:
    # More concurrent handlers than pool connections: a handler holding a connection
    # across the LLM call would starve the others (it did, before the fix).
    await drafter.client()
    drafter.llm_fault(latency_ms=300)
    leads = [await drafter.lead() for _ in range(25)]

    drafts = await drafter.tap.wait_for("draft.created", at_least=25, within=30)

    assert {d["payload"]["lead_id"] for d in drafts} == {str(lead.lead_id) for lead in leads}
    assert not any(d["payload"]["is_template"] for d in drafts)


async def test_an_older_message_drafted_late_does_not_replace_the_newer_draft(
    drafter: Drafter,
) -> None:
    await drafter.client(auto_send="off")
    newer = sample_lead(provider_message_id="m-newer", received_at=NOW + timedelta(minutes=5))
    older = newer.model_copy(
        update={"provider_message_id": "m-older", "received_at": NOW, "body_text": "first"}
    )
    await drafter.stack.publish(newer, client_id=CLIENT_ID)
    [draft] = await drafter.created(newer.lead_id)

    await drafter.stack.publish(older, client_id=CLIENT_ID)

    async def recorded() -> bool:
        count = await drafter.service.pool.fetchval("SELECT count(*) FROM guard_verdicts")
        return bool(count == 2)

    await wait_until(recorded)
    rows = await drafter.service.pool.fetch("SELECT id::text, status FROM drafts")
    assert [(r["id"], r["status"]) for r in rows] == [(draft["draft_id"], "awaiting_approval")]


async def test_a_lead_before_its_client_is_known_is_retried_until_it_is(drafter: Drafter) -> None:
    lead = await drafter.lead()  # client.changed not seen yet: the handler raises, retried in 1 s
    await asyncio.sleep(0.3)
    await drafter.client()

    [draft] = await drafter.created(lead.lead_id)

    assert draft["lead_id"] == str(lead.lead_id)


async def test_a_lead_without_a_client_id_is_parked_with_the_reason(drafter: Drafter) -> None:
    await drafter.stack.publish(sample_lead(), client_id=None)
    queue = f"{drafter.stack.queue_prefix}drafter.leads"
    parked: list[Any] = []

    async def is_parked() -> bool:
        parked.extend(await drafter.stack.parked(queue))
        return bool(parked)

    await wait_until(is_parked)
    assert "without client_id" in str(parked[0].headers.get(ERROR_HEADER))
