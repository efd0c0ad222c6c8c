"""Which queued notices the next Slack message carries: one, or a digest of the backlog.

A webhook takes about one message a second. While its queue is short, notices go out
one by one in order (each waits at most a few seconds). Once more are waiting than
`coalesce_above`, the backlog goes out as ONE digest, oldest first, so a burst costs a
message or two instead of minutes of delay. A digest holds as many notices as fit in
Slack's 50 blocks; the rest wait for the next slot, still in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from leadwire_notifier.domain.blocks import MAX_BLOCKS, DigestLine, digest_message


@dataclass(frozen=True)
class Queued:
    """A notice waiting in a webhook's queue."""

    id: int
    message: dict[str, Any]
    line: DigestLine


@dataclass(frozen=True)
class Delivery:
    """One Slack message and the queued notices it delivers."""

    items: tuple[Queued, ...]
    message: dict[str, Any]

    @property
    def is_digest(self) -> bool:
        return len(self.items) > 1

    @property
    def ids(self) -> list[int]:
        return [item.id for item in self.items]


def plan_delivery(
    queue: Sequence[Queued],
    *,
    coalesce_above: int,
    waiting: int | None = None,
    max_blocks: int = MAX_BLOCKS,
) -> Delivery | None:
    """The next message for `queue` (oldest first), or None when it is empty.

    `queue` may be the head of a longer backlog of `waiting` notices.
    """
    if not queue:
        return None
    waiting = len(queue) if waiting is None else waiting
    if waiting <= max(coalesce_above, 1):
        head = queue[0]
        return Delivery((head,), head.message)
    taken: list[Queued] = []
    used = 1  # the digest's header
    for item in queue:
        if used + item.line.blocks_needed > max_blocks:
            break
        taken.append(item)
        used += item.line.blocks_needed
    if len(taken) == 1:  # nothing else fits beside it: send it as it is
        return Delivery((taken[0],), taken[0].message)
    message = digest_message([item.line for item in taken], total_waiting=waiting)
    return Delivery(tuple(taken), message)
