"""Fixtures of the notifier's tests: event payloads with plausible defaults."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from leadwire.events import DraftCreated, LeadReceived, ReplyTarget

NOW = datetime(2026, 1, 2, 10, 0, tzinfo=UTC)


def _lead_received(**fields: Any) -> LeadReceived:
    values: dict[str, Any] = {
        "lead_id": uuid4(),
        "contact_id": uuid4(),
        "source": "email",
        "mailbox_id": uuid4(),
        "provider": "google",
        "provider_message_id": "m-1",
        "from_address": "ann@lead.test",
        "from_name": "Ann Lee",
        "subject": "Quote for 20 seats",
        "body_text": "Hello, we would like a quote for 20 seats.",
        "received_at": NOW,
    }
    values.update(fields)
    return LeadReceived(**values)


def _draft_created(lead_id: UUID | None = None, **fields: Any) -> DraftCreated:
    values: dict[str, Any] = {
        "draft_id": uuid4(),
        "lead_id": lead_id or uuid4(),
        "subject": "Re: Quote for 20 seats",
        "body_text": "Hello Ann,\n\nThank you for asking.\n\nBest regards",
        "model": "gpt-4o-mini",
        "score": 82,
        "score_reasons": ["budget named", "clear need"],
        "reply_to": ReplyTarget(to_address="ann@lead.test", to_name="Ann Lee"),
    }
    values.update(fields)
    return DraftCreated(**values)


@pytest.fixture
def make_lead() -> Callable[..., LeadReceived]:
    return _lead_received


@pytest.fixture
def make_draft() -> Callable[..., DraftCreated]:
    return _draft_created
