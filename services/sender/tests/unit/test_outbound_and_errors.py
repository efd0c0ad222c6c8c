"""The outbound state machine and what a provider failure leads to."""

from __future__ import annotations

import pytest

from leadwire_sender.domain.errors import ProviderFailure, RetryRules, classify
from leadwire_sender.domain.outbound import (
    InvalidTransitionError,
    OutboundStatus,
    check_transition,
    needs_lookup,
)

S = OutboundStatus


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (S.QUEUED, S.SENDING),
        (S.QUEUED, S.CANCELLED),
        (S.SENDING, S.SENT),
        (S.SENDING, S.FAILED),
        (S.SENDING, S.SENDING),
    ],
)
def test_allowed_transitions(current: OutboundStatus, wanted: OutboundStatus) -> None:
    assert check_transition(current, wanted) is wanted


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (S.QUEUED, S.SENT),  # never sent without passing through `sending`
        (S.SENT, S.SENDING),
        (S.SENT, S.FAILED),
        (S.FAILED, S.QUEUED),
        (S.SENDING, S.QUEUED),  # may be at the provider already: never back to queued
        (S.CANCELLED, S.SENDING),
    ],
)
def test_refused_transitions(current: OutboundStatus, wanted: OutboundStatus) -> None:
    with pytest.raises(InvalidTransitionError):
        check_transition(current, wanted)


def test_only_a_row_already_sending_is_looked_up_first() -> None:
    assert needs_lookup(S.SENDING)
    assert not needs_lookup(S.QUEUED)


def test_429_waits_as_long_as_retry_after_says() -> None:
    verdict = classify(ProviderFailure(429, retry_after=7), attempts=1, refreshed=False)
    assert (verdict.action, verdict.delay_seconds, verdict.error_code) == (
        "retry",
        7,
        "rate_limited",
    )


def test_5xx_and_no_answer_back_off_exponentially() -> None:
    rules = RetryRules(backoff_base=2, backoff_max=60)
    assert classify(ProviderFailure(503), 1, False, rules).delay_seconds == 2
    assert classify(ProviderFailure(500), 3, False, rules).delay_seconds == 8
    assert (
        classify(
            ProviderFailure(None),
            10,
            False,
            RetryRules(max_attempts=20, backoff_base=2, backoff_max=60),
        ).delay_seconds
        == 60
    )


def test_transient_errors_give_up_after_max_attempts() -> None:
    verdict = classify(
        ProviderFailure(503), attempts=8, refreshed=False, rules=RetryRules(max_attempts=8)
    )
    assert verdict.action == "fail"
    assert verdict.error_code == "gave_up_after_http_503"


def test_401_refreshes_the_token_once_then_fails() -> None:
    assert classify(ProviderFailure(401), 1, refreshed=False).action == "refresh_token"
    verdict = classify(ProviderFailure(401), 1, refreshed=True)
    assert (verdict.action, verdict.error_code) == ("fail", "unauthorized")


def test_gmail_403_rate_limit_reason_is_a_wait() -> None:
    assert (
        classify(ProviderFailure(403, reason="userRateLimitExceeded"), 1, False).action == "retry"
    )


@pytest.mark.parametrize(
    ("status", "reason"), [(400, "invalidArgument"), (403, "forbidden"), (404, ""), (413, "")]
)
def test_permanent_4xx_fail_at_once(status: int, reason: str) -> None:
    verdict = classify(ProviderFailure(status, reason=reason), attempts=1, refreshed=False)
    assert verdict.action == "fail"
    assert verdict.error_code.startswith(f"http_{status}")
