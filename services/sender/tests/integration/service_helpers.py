"""Driving a running sender through the stack harness (test data and waits only)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from leadwire.contracts.leads import ReplyTarget
from leadwire.events import DraftCreated
from leadwire.testing import ConnectedMailbox, TestStack, wait_until
from leadwire_sender.main import create_app
from leadwire_sender.settings import SenderSettings
from sandbox.testing import RunningSandbox

from .helpers import lead_writes

# Fast drains and a loose budget: these tests are about correctness, not limits.
FAST = {"drain_interval_seconds": 0.2, "gmail_sends_per_second": 100.0, "gmail_burst": 100}


async def start_sender(stack: TestStack, **overrides: Any):  # type: ignore[no-untyped-def]
    return await stack.start(create_app, SenderSettings, **{**FAST, **overrides})


def auto_draft(mailbox: ConnectedMailbox, target: ReplyTarget, **fields: Any) -> DraftCreated:
    values: dict[str, Any] = {
        "draft_id": uuid4(),
        "lead_id": uuid4(),
        "mailbox_id": mailbox.mailbox_id,
        "subject": target.subject,
        "body_text": "Thanks for writing: it costs 10 €.",
        "model": "test",
        "auto_send": True,
        "reply_to": target,
    }
    values.update(fields)
    return DraftCreated(**values)


def lead_mail(sandbox: RunningSandbox, mailbox: ConnectedMailbox, **fields: Any) -> ReplyTarget:
    return lead_writes(sandbox, mailbox.address, mailbox.provider, **fields)


async def knows_mailbox(sender: Any, mailbox_id: UUID) -> None:
    """Wait until the sender consumed mailbox.connected (its display name, its address)."""

    async def known() -> bool:
        found = await sender.pool.fetchval(
            "SELECT count(*) FROM mailboxes WHERE mailbox_id = $1", mailbox_id
        )
        return bool(found)

    await wait_until(known, within=10)
