"""Approve / Reject clicked in Slack: publish draft.decided once per draft, answer the
click, and update the original message through its response_url after the commit.

The drafter owns the draft's state and turns draft.decided into draft.approved or
draft.rejected. Here each draft keeps the decision this service published, so a second
click (or Slack retrying the request) publishes nothing and is answered with the
decision already taken.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from leadwire.events import DraftDecided, new_event
from leadwire.outbox import add_event
from leadwire_notifier.domain.blocks import decided_message
from leadwire_notifier.domain.interactions import DraftClick, decision_text
from leadwire_notifier.domain.outcomes import classify
from leadwire_notifier.providers.slack import SlackPoster
from leadwire_notifier.store import records

log = logging.getLogger(__name__)

# Slack accepts posts to a response_url for 30 minutes after the click.
RESPONSE_URL_LIFETIME_SECONDS = 30 * 60
# A response_url post that failed is tried again this much later.
RESPONSE_LEASE_SECONDS = 30.0


class UnknownDraft(Exception):
    """No draft with this id was announced here (answered 404)."""


@dataclass(frozen=True)
class Decided:
    text: str  # who decided what, when
    already: bool  # decided before this click: nothing was published


async def decide(pool: asyncpg.Pool, click: DraftClick, now: datetime | None = None) -> Decided:
    now = now or datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        draft = await records.get_draft_for_update(conn, click.draft_id)
        if draft is None:
            raise UnknownDraft(str(click.draft_id))
        if draft.decision is not None and draft.decided_by and draft.decided_at:
            return Decided(decision_text(draft.decision, draft.decided_by, draft.decided_at), True)
        event = new_event(
            DraftDecided(
                draft_id=draft.draft_id,
                lead_id=draft.lead_id,
                decision=click.decision,
                decided_by=click.decided_by,
                source="slack",
            ),
            client_id=draft.client_id,
            correlation_id=draft.correlation_id,
        )
        text = decision_text(click.decision, click.decided_by, now)
        await records.record_decision(
            conn,
            draft.draft_id,
            decision=click.decision,
            decided_by=click.decided_by,
            decided_at=now,
            event_id=event.event_id,
            response_url=click.response_url,
            response_message=decided_message(click.message_blocks, draft.draft_id, text),
        )
        await add_event(conn, event)
    log.info(
        "draft %s: %s from Slack, draft.decided %s", draft.draft_id, click.decision, event.event_id
    )
    return Decided(text, False)


async def post_due_responses(pool: asyncpg.Pool, slack: SlackPoster) -> int:
    """Update the Slack messages of drafts decided since (no transaction is held while
    posting). A post Slack did not take is retried when its lease ends. Returns how many
    were posted."""
    posted = 0
    while True:
        async with pool.acquire() as conn:
            due = await records.claim_due_response(conn, RESPONSE_LEASE_SECONDS)
        if due is None:
            return posted
        if due.age_seconds < RESPONSE_URL_LIFETIME_SECONDS:
            outcome = classify(await slack.post(due.response_url, due.message))
            if outcome.kind in ("unavailable", "rate_limited"):
                log.warning("response_url of draft %s: %s", due.draft_id, outcome.reason)
                continue  # leased: the next due one, this one again after its lease
            posted += outcome.kind == "delivered"
        async with pool.acquire() as conn:
            await records.mark_responded(conn, due.draft_id)
