"""Token bucket, daily cap and concurrency ceiling arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadwire_sender.domain.budget import (
    BudgetPolicy,
    give_back,
    initial_state,
    is_consumer_gmail,
    take,
)

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
GMAIL = BudgetPolicy(rate_per_second=1.0, burst=3, daily_cap=5, max_concurrent=4)


def test_a_full_bucket_allows_a_burst_then_refuses_with_the_wait() -> None:
    state = initial_state(GMAIL, T0)
    for _ in range(3):
        decision = take(GMAIL, state, T0, in_flight=0)
        assert decision.granted
        state = decision.state
    refused = take(GMAIL, state, T0, in_flight=0)
    assert not refused.granted
    assert refused.reason == "rate"
    assert refused.wait_seconds == pytest.approx(1.0)


def test_tokens_refill_with_time_up_to_the_burst() -> None:
    state = take(GMAIL, initial_state(GMAIL, T0), T0, 0).state
    half = take(GMAIL, state, T0 + timedelta(milliseconds=500), 0)
    assert half.granted  # 2 left + 0.5 refilled
    later = take(GMAIL, state, T0 + timedelta(hours=1), 0)
    assert later.state.tokens == pytest.approx(2.0)  # refilled to 3, spent 1


def test_sustained_rate_is_the_refill_rate() -> None:
    state, granted, now = initial_state(GMAIL, T0), 0, T0
    policy = BudgetPolicy(rate_per_second=1.0, burst=3, daily_cap=10_000, max_concurrent=4)
    for _ in range(1000):  # every 100 ms for 100 s
        decision = take(policy, state, now, 0)
        state, granted = decision.state, granted + decision.granted
        now += timedelta(milliseconds=100)
    assert granted == 3 + 99  # the burst, then one per second


def test_daily_cap_refuses_until_midnight_utc() -> None:
    state = initial_state(GMAIL, T0)
    for i in range(5):
        state = take(GMAIL, state, T0 + timedelta(seconds=2 * i), 0).state
    refused = take(GMAIL, state, T0 + timedelta(seconds=20), 0)
    assert (refused.granted, refused.reason) == (False, "daily_cap")
    assert refused.wait_seconds == pytest.approx(12 * 3600 - 20)
    assert take(GMAIL, state, T0 + timedelta(hours=13), 0).granted


def test_concurrency_ceiling_refuses_without_spending() -> None:
    state = initial_state(GMAIL, T0)
    refused = take(GMAIL, state, T0, in_flight=4)
    assert (refused.granted, refused.reason, refused.wait_seconds) == (False, "concurrency", 0.0)
    assert refused.state.tokens == 3


def test_give_back_returns_a_token_and_the_day_count() -> None:
    spent = take(GMAIL, initial_state(GMAIL, T0), T0, 0).state
    back = give_back(spent)
    assert (back.tokens, back.sent_today) == (3, 0)


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        BudgetPolicy(rate_per_second=0, burst=1, daily_cap=1, max_concurrent=1)


def test_consumer_gmail_is_told_by_domain() -> None:
    assert is_consumer_gmail("someone@GMail.com")
    assert not is_consumer_gmail("sales@acme.test")
