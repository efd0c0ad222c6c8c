"""The LLM rate-limits, fails or is not configured: the pipeline still completes."""

from __future__ import annotations

import pytest

from leadwire.testing import TestStack
from sandbox.testing import RunningSandbox

from .conftest import Drafter, start_drafter

pytestmark = pytest.mark.integration


async def test_a_429_is_retried_after_retry_after_then_the_llm_draft_is_used(
    drafter: Drafter,
) -> None:
    await drafter.client()
    drafter.llm_fault(status=429, retry_after=1, count=1)
    lead = await drafter.lead()

    [draft] = await drafter.created(lead.lead_id)

    assert draft["is_template"] is False
    assert "[sandbox-draft" in draft["body_text"]
    usage = (await drafter.service.http.get("/admin/usage")).json()
    assert usage[0]["requests"] == 2
    assert usage[0]["failed_requests"] == 1
    assert usage[0]["prompt_tokens"] > 0


async def test_an_llm_that_keeps_failing_yields_the_template_draft(drafter: Drafter) -> None:
    await drafter.client(auto_send="always")
    drafter.llm_fault(status=503, count=100)
    lead = await drafter.lead()

    [draft] = await drafter.created(lead.lead_id, settle=0.3)

    assert draft["is_template"] is True
    assert draft["model"] == "template"
    assert draft["body_text"].startswith("Hello Jane Miller,")
    assert "https://cal.acme.test/intro" in draft["body_text"]
    assert any(r.startswith("template draft: LLM unavailable: HTTP 503") for r in draft["reasons"])
    assert draft["auto_send"] is True  # the template passes every check; policy is "always"
    usage = (await drafter.service.http.get("/admin/usage")).json()
    assert usage[0]["failed_requests"] == 3  # first attempt + OPENAI_MAX_RETRIES=2
    assert usage[0]["template_drafts"] == 1


async def test_without_a_key_every_draft_is_the_template(
    stack: TestStack, sandbox: RunningSandbox
) -> None:
    drafter = await start_drafter(stack, sandbox, openai_api_key="")
    await drafter.client()
    lead = await drafter.lead()

    [draft] = await drafter.created(lead.lead_id)

    assert draft["is_template"] is True
    assert "template draft: no OPENAI_API_KEY is set" in draft["reasons"]
    assert drafter.llm_requests() == []


async def test_a_retry_after_longer_than_we_wait_gives_the_template_at_once(
    drafter: Drafter,
) -> None:
    await drafter.client()
    drafter.llm_fault(status=429, retry_after=60, count=1)
    lead = await drafter.lead()

    [draft] = await drafter.created(lead.lead_id)

    assert draft["is_template"] is True
    assert any("Retry-After 60s is longer than we wait" in r for r in draft["reasons"])
    usage = (await drafter.service.http.get("/admin/usage")).json()
    assert usage[0]["failed_requests"] == 1


async def test_a_hanging_llm_times_out_and_the_retry_succeeds(
    stack: TestStack, sandbox: RunningSandbox
) -> None:
    drafter = await start_drafter(stack, sandbox, openai_timeout_seconds=1)
    await drafter.client()
    drafter.llm_fault(timeout_seconds=3, count=1)
    lead = await drafter.lead()

    [draft] = await drafter.created(lead.lead_id)

    assert draft["is_template"] is False
    usage = (await drafter.service.http.get("/admin/usage")).json()
    assert (usage[0]["requests"], usage[0]["failed_requests"]) == (2, 1)


async def test_a_request_the_llm_refuses_is_not_repeated(drafter: Drafter) -> None:
    await drafter.client()
    drafter.llm_fault(status=400, count=5)
    lead = await drafter.lead()

    [draft] = await drafter.created(lead.lead_id)

    assert draft["is_template"] is True
    assert any("LLM unavailable: HTTP 400" in r for r in draft["reasons"])
    usage = (await drafter.service.http.get("/admin/usage")).json()
    assert usage[0]["failed_requests"] == 1
