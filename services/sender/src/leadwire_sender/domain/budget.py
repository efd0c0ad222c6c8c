"""Per-mailbox send budget: a token bucket, a daily cap and a concurrency ceiling.

The state lives in a Postgres row per mailbox (locked while it is read and written), so the
budget holds across replicas; this module is only the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

CONSUMER_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


@dataclass(frozen=True)
class BudgetPolicy:
    """`rate_per_second` tokens refill a bucket holding at most `burst`; one send costs one."""

    rate_per_second: float
    burst: float
    daily_cap: int
    max_concurrent: int

    def __post_init__(self) -> None:
        if self.rate_per_second <= 0 or self.burst < 1:
            raise ValueError("rate_per_second must be > 0 and burst >= 1")
        if self.daily_cap < 1 or self.max_concurrent < 1:
            raise ValueError("daily_cap and max_concurrent must be >= 1")


@dataclass(frozen=True)
class BudgetState:
    tokens: float
    refilled_at: datetime
    day: date
    sent_today: int


@dataclass(frozen=True)
class BudgetDecision:
    granted: bool
    # When not granted: how long until a send could be granted (0 = limited by concurrency).
    wait_seconds: float
    state: BudgetState
    reason: str = ""


def initial_state(policy: BudgetPolicy, now: datetime) -> BudgetState:
    return BudgetState(tokens=policy.burst, refilled_at=now, day=now.date(), sent_today=0)


def refill(policy: BudgetPolicy, state: BudgetState, now: datetime) -> BudgetState:
    """Tokens earned since `refilled_at`, capped at `burst`; the day counter resets (UTC)."""
    elapsed = max(0.0, (now - state.refilled_at).total_seconds())
    tokens = min(policy.burst, state.tokens + elapsed * policy.rate_per_second)
    sent_today = state.sent_today if now.date() == state.day else 0
    return BudgetState(tokens=tokens, refilled_at=now, day=now.date(), sent_today=sent_today)


def take(policy: BudgetPolicy, state: BudgetState, now: datetime, in_flight: int) -> BudgetDecision:
    """Spend one send if the bucket, the daily cap and the concurrency ceiling allow it."""
    current = refill(policy, state, now)
    if current.sent_today >= policy.daily_cap:
        midnight = datetime.combine(current.day, datetime.min.time(), tzinfo=now.tzinfo)
        wait = 86400 - (now - midnight).total_seconds()
        return BudgetDecision(False, max(1.0, wait), current, "daily_cap")
    if in_flight >= policy.max_concurrent:
        return BudgetDecision(False, 0.0, current, "concurrency")
    if current.tokens < 1:
        wait = (1 - current.tokens) / policy.rate_per_second
        return BudgetDecision(False, wait, current, "rate")
    spent = replace(current, tokens=current.tokens - 1, sent_today=current.sent_today + 1)
    return BudgetDecision(True, 0.0, spent)


def give_back(state: BudgetState) -> BudgetState:
    """Return a token that was taken but not used (e.g. the send was cancelled)."""
    return replace(state, tokens=state.tokens + 1, sent_today=max(0, state.sent_today - 1))


def is_consumer_gmail(address: str) -> bool:
    return address.rpartition("@")[2].lower() in CONSUMER_GMAIL_DOMAINS
