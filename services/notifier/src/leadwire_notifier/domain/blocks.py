"""Block Kit: a notice as one Slack message, and several queued notices as one digest.

Slack's limits shape this: at most 50 blocks per message, 3000 characters per section
text, 150 per header. Approval buttons carry the draft id as their `value` and sit in an
actions block whose `block_id` names the draft, so a click can be traced to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from leadwire_notifier.domain.notices import Notice
from leadwire_notifier.domain.text import SECTION_CHARS, link, quote, truncate

MAX_BLOCKS = 50
APPROVE = "approve"
REJECT = "reject"
EDIT = "edit"

Message = dict[str, Any]


def section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(mrkdwn, SECTION_CHARS)}}


def context(mrkdwn: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn}]}


def _button(action_id: str, label: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label},
        **extra,
    }


def draft_block_id(draft_id: UUID) -> str:
    return f"draft:{draft_id}"


def approval_actions(draft_id: UUID, edit_url: str | None) -> dict[str, Any]:
    """Approve / Reject (handled by POST /webhooks/slack/interactions) and Edit (a link)."""
    value = str(draft_id)
    elements = [
        _button(APPROVE, "Approve", style="primary", value=value),
        _button(REJECT, "Reject", style="danger", value=value),
    ]
    if edit_url:
        elements.append(_button(EDIT, "Edit in console", url=edit_url, value=value))
    return {"type": "actions", "block_id": draft_block_id(draft_id), "elements": elements}


def notice_message(notice: Notice) -> Message:
    """The message for one notice, with its draft and buttons when it awaits approval."""
    body = "\n".join((notice.headline, *notice.details))
    blocks: list[dict[str, Any]] = [section(body)]
    if notice.excerpt:
        blocks.append(section(quote(notice.excerpt)))
    if notice.draft_id is not None:
        blocks.append(section("*Draft reply:*\n" + quote(notice.draft_text)))
        blocks.append(approval_actions(notice.draft_id, notice.edit_url))
    if notice.link_url:
        blocks.append(context(link(notice.link_url, notice.link_label)))
    return {"text": truncate(notice.headline, 300), "blocks": blocks}


@dataclass(frozen=True)
class DigestLine:
    """What a digest keeps of a queued notice: its headline, link and approval buttons."""

    headline: str
    link_url: str | None = None
    draft_id: UUID | None = None
    edit_url: str | None = None

    @property
    def blocks_needed(self) -> int:
        return 2 if self.draft_id is not None else 1


def digest_line(notice: Notice) -> DigestLine:
    return DigestLine(notice.headline, notice.link_url, notice.draft_id, notice.edit_url)


def digest_message(lines: Sequence[DigestLine], total_waiting: int) -> Message:
    """One message for `lines` (oldest first); `total_waiting` counts the whole backlog."""
    title = f"{len(lines)} notifications"
    if total_waiting > len(lines):
        title += f" ({total_waiting - len(lines)} more follow)"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": truncate(title, 150)}}
    ]
    for line in lines:
        text = line.headline
        if line.link_url:
            text += "  " + link(line.link_url, "open")
        blocks.append(section(text))
        if line.draft_id is not None:
            blocks.append(approval_actions(line.draft_id, line.edit_url))
    fallback = f"{title}: " + "; ".join(line.headline for line in lines[:3])
    return {"text": truncate(fallback, 300), "blocks": blocks}


def decided_message(
    original_blocks: Sequence[dict[str, Any]], draft_id: UUID, outcome: str
) -> Message:
    """The original message with this draft's buttons replaced by who decided and when,
    for the interaction's response_url (`replace_original`)."""
    block_id = draft_block_id(draft_id)
    blocks = [
        context(outcome) if block.get("block_id") == block_id else block
        for block in original_blocks
    ]
    if not any(block.get("block_id") == block_id for block in original_blocks):
        blocks.append(context(outcome))
    return {"replace_original": True, "text": outcome, "blocks": blocks[:MAX_BLOCKS]}
