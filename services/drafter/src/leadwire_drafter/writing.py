"""Writing one draft: ask the LLM (or not), read its answer, compose, count the usage."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from leadwire.events import ClientChanged, LeadReceived
from leadwire_drafter.context import DrafterContext
from leadwire_drafter.domain.answer import Answer, AnswerError, parse_answer
from leadwire_drafter.domain.compose import Composed, ComposeInput, compose
from leadwire_drafter.domain.guard import GuardResult
from leadwire_drafter.domain.language import reply_language
from leadwire_drafter.domain.leads import lead_message
from leadwire_drafter.domain.prompt import RESPONSE_FORMAT, build_prompt
from leadwire_drafter.providers.llm import LlmUnavailable
from leadwire_drafter.store import UsageDelta

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Written:
    composed: Composed
    model: str
    usage: UsageDelta


def month_of(day: date) -> date:
    return day.replace(day=1)


async def write_draft(
    ctx: DrafterContext,
    lead: LeadReceived,
    client: ClientChanged,
    guard: GuardResult,
    *,
    extra_instructions: str = "",
    review_reason: str = "",
) -> Written:
    """Never raises for LLM trouble: without an answer the template draft is used."""
    language = reply_language(lead_message(lead), client.language)
    answer, why, usage, model = await _ask(ctx, lead, client, language, extra_instructions)
    composed = compose(
        ComposeInput(
            lead=lead,
            client=client,
            guard=guard,
            language=language,
            now=ctx.clock(),
            answer=answer,
            fallback_reason=why,
            review_reason=review_reason,
        )
    )
    usage = UsageDelta(
        requests=usage.requests,
        failed_requests=usage.failed_requests,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cost_usd=usage.cost_usd,
        drafts=1,
        template_drafts=int(composed.is_template),
        flagged=int(composed.verdict != "pass"),
    )
    return Written(composed=composed, model=model, usage=usage)


async def _ask(
    ctx: DrafterContext,
    lead: LeadReceived,
    client: ClientChanged,
    language: str,
    extra_instructions: str,
) -> tuple[Answer | None, str, UsageDelta, str]:
    if ctx.writer is None:
        return None, "no OPENAI_API_KEY is set", UsageDelta(), "template"
    prompt = build_prompt(lead, client, language, extra_instructions)
    try:
        reply = await ctx.writer.complete(prompt.messages(), RESPONSE_FORMAT)
    except LlmUnavailable as exc:
        log.warning("LLM unavailable for lead %s: %s", lead.lead_id, exc.reason)
        failed = UsageDelta(requests=exc.failed_attempts, failed_requests=exc.failed_attempts)
        return None, f"LLM unavailable: {exc.reason}", failed, ctx.model
    usage = UsageDelta(
        requests=reply.failed_attempts + 1,
        failed_requests=reply.failed_attempts,
        prompt_tokens=reply.prompt_tokens,
        completion_tokens=reply.completion_tokens,
        cost_usd=ctx.cost(reply.prompt_tokens, reply.completion_tokens),
    )
    try:
        return parse_answer(reply.content), "", usage, reply.model
    except AnswerError as exc:
        log.warning("unreadable LLM answer for lead %s: %s", lead.lead_id, exc)
        return None, f"unreadable LLM answer: {exc}", usage, reply.model
