"""An Approve / Reject click on an announced draft: draft.decided once, the message updated."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from leadwire.events import DraftCreated
from leadwire.testing import wait_until
from leadwire_notifier.decisions import UnknownDraft, decide
from leadwire_notifier.domain.interactions import DraftClick
from leadwire_notifier.domain.notices import ConsoleLinks
from leadwire_notifier.notify import EventInfo, record_notice
from sandbox.testing import RunningSandbox

pytestmark = pytest.mark.integration


async def _announce(pool: asyncpg.Pool, draft: DraftCreated) -> Any:
    info = EventInfo(uuid4(), uuid4(), datetime.now(UTC), correlation_id=uuid4())
    async with pool.acquire() as conn, conn.transaction():
        await record_notice(conn, info, draft, ConsoleLinks("https://c.test"))
    return info


def _click(draft: DraftCreated, decision: str, response_url: str | None = None) -> DraftClick:
    blocks = [{"type": "actions", "block_id": f"draft:{draft.draft_id}", "elements": []}]
    return DraftClick(decision, draft.draft_id, "U1", "ann", response_url, blocks)  # type: ignore[arg-type]


async def test_an_approve_click_publishes_draft_decided_once(
    pool: asyncpg.Pool, make_draft: Callable[..., DraftCreated]
) -> None:
    draft = make_draft()
    info = await _announce(pool, draft)
    first = await decide(pool, _click(draft, "approve"))
    again = await decide(pool, _click(draft, "reject"))
    assert not first.already and "Approved by ann (slack:U1)" in first.text
    assert again.already and again.text == first.text
    rows = await pool.fetch("SELECT type, body, headers FROM outbox ORDER BY seq")
    assert [r["type"] for r in rows] == ["draft.decided"]
    body = rows[0]["body"]
    assert body["client_id"] == str(info.client_id)
    assert body["correlation_id"] == str(info.correlation_id)
    assert body["payload"] == {
        "draft_id": str(draft.draft_id),
        "lead_id": str(draft.lead_id),
        "decision": "approve",
        "decided_by": "ann (slack:U1)",
        "source": "slack",
        "subject": None,
        "body_text": None,
        "reason": "",
    }


async def test_a_click_on_a_replaced_draft_says_so_and_publishes_nothing(
    pool: asyncpg.Pool, make_draft: Callable[..., DraftCreated]
) -> None:
    old = make_draft()
    await _announce(pool, old)
    await _announce(pool, make_draft(lead_id=old.lead_id, supersedes=old.draft_id))
    answer = await decide(pool, _click(old, "approve"))
    assert answer.already and "Replaced by a newer draft" in answer.text
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_a_click_on_a_draft_never_announced_here_is_refused(
    pool: asyncpg.Pool, make_draft: Callable[..., DraftCreated]
) -> None:
    with pytest.raises(UnknownDraft):
        await decide(pool, _click(make_draft(), "approve"))
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_the_original_message_is_updated_through_its_response_url(
    harness: Any, sandbox: RunningSandbox, make_draft: Callable[..., DraftCreated]
) -> None:
    draft = make_draft()
    await _announce(harness.pool, draft)
    url = f"{sandbox.base_url}/actions/T0SANDBOX1/1/abc"
    await decide(harness.pool, _click(draft, "reject", url))
    await wait_until(lambda: len(sandbox.control.get("/_sandbox/slack/responses").json()) == 1)
    (posted,) = sandbox.control.get("/_sandbox/slack/responses").json()
    message = json.loads(posted["body"])
    assert message["replace_original"] is True
    assert "Rejected by ann (slack:U1)" in message["text"]
    assert f"draft:{draft.draft_id}" not in posted["body"]  # the buttons are gone
    await wait_until(
        lambda: _responded(harness.pool, draft.draft_id),
    )


async def _responded(pool: asyncpg.Pool, draft_id: Any) -> bool:
    row = await pool.fetchrow(
        "SELECT response_url, responded_at FROM drafts WHERE draft_id = $1", draft_id
    )
    return row["response_url"] is None and row["responded_at"] is not None
