import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import uuid4

import pytest

from leadwire_notifier.domain.blocks import decided_message
from leadwire_notifier.domain.interactions import InteractionError, decision_text, parse_click
from sandbox.slack_interactions import block_actions_payload


def _body(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def _click(action_id: str, value: str, **spec: Any) -> bytes:
    payload = block_actions_payload(
        {"action_id": action_id, "value": value, **spec}, "T1", "https://slack.test/actions/1"
    )
    return _body(payload)


def test_an_approve_click_names_the_draft_the_user_and_the_response_url() -> None:
    draft_id = uuid4()
    click = parse_click(_click("approve", str(draft_id), user={"username": "ann"}))
    assert click is not None
    assert (click.decision, click.draft_id) == ("approve", draft_id)
    assert click.decided_by == "ann (slack:U0SANDBOX1)"
    assert click.response_url == "https://slack.test/actions/1"


def test_a_reject_click_is_a_rejection() -> None:
    click = parse_click(_click("reject", str(uuid4())))
    assert click is not None and click.decision == "reject"


def test_the_edit_link_and_other_interactions_are_only_acknowledged() -> None:
    assert parse_click(_click("edit", str(uuid4()))) is None
    assert parse_click(_body({"type": "view_submission"})) is None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"payload=not-json",
        b"payload=%5B1%5D",
        _click("approve", "not-a-uuid"),
        _body({"type": "block_actions", "actions": []}),
    ],
)
def test_unreadable_bodies_are_refused(body: bytes) -> None:
    with pytest.raises(InteractionError):
        parse_click(body)


def test_the_decided_message_replaces_only_this_drafts_buttons() -> None:
    draft_id = uuid4()
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Draft"}},
        {"type": "actions", "block_id": f"draft:{draft_id}", "elements": []},
        {"type": "actions", "block_id": f"draft:{uuid4()}", "elements": []},
    ]
    outcome = decision_text("approve", "ann (slack:U1)", datetime(2026, 1, 2, 10, 0, tzinfo=UTC))
    message = decided_message(blocks, draft_id, outcome)
    assert message["replace_original"] is True
    assert [b["type"] for b in message["blocks"]] == ["section", "context", "actions"]
    assert "Approved by ann (slack:U1) at 2026-01-02 10:00 UTC" in json.dumps(message)
