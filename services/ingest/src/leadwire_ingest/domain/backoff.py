"""Per-mailbox backoff for polls and renewals, and when a failure becomes news."""

from __future__ import annotations

from datetime import datetime, timedelta


def next_attempt(now: datetime, interval_s: int, failures: int, max_backoff_s: int) -> datetime:
    """The regular interval while healthy; doubling per consecutive failure, capped."""
    if failures <= 0:
        return now + timedelta(seconds=interval_s)
    delay = min(interval_s * 2 ** min(failures, 16), max_backoff_s)
    return now + timedelta(seconds=max(delay, interval_s))


def should_announce_failure(
    failing_since: datetime | None, already_announced: bool, now: datetime, after_s: int
) -> bool:
    """Publish mailbox.sync_failed once, when a mailbox has failed for long enough."""
    if already_announced or failing_since is None:
        return False
    return (now - failing_since).total_seconds() >= after_s
