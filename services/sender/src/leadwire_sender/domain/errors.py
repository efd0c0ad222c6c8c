"""What to do after a provider call failed: retry later, refresh the token once, or give up.

Pure classification of (HTTP status, provider reason, Retry-After, attempts so far).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Action = Literal["retry", "refresh_token", "fail"]

# Gmail answers some quota errors with 403 and one of these reasons: a wait, not a refusal.
_RATE_LIMIT_REASONS = frozenset(
    {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "dailyLimitExceeded"}
)
# Graph names throttling and transient mailbox states with these codes.
_TRANSIENT_CODES = frozenset({"ApplicationThrottled", "MailboxConcurrency", "ErrorServerBusy"})


@dataclass(frozen=True)
class RetryRules:
    max_attempts: int = 8
    backoff_base: float = 2.0
    backoff_max: float = 900.0

    def backoff(self, attempts: int) -> float:
        """Exponential: base * 2**(attempts-1), capped (deterministic: the due time is stored)."""
        return min(self.backoff_max, self.backoff_base * 2.0 ** max(0, attempts - 1))


@dataclass(frozen=True)
class ProviderFailure:
    """A failed provider call as the adapters report it (never with a token inside)."""

    status: int | None  # None: no HTTP answer (timeout, connection reset)
    reason: str = ""  # Gmail `errors[].reason` / Graph `error.code`
    message: str = ""
    retry_after: float | None = None


@dataclass(frozen=True)
class Verdict:
    action: Action
    delay_seconds: float = 0.0
    error_code: str = ""


def classify(
    failure: ProviderFailure, attempts: int, refreshed: bool, rules: RetryRules = RetryRules()
) -> Verdict:
    """`attempts` counts this one; `refreshed` is whether the token was already forced fresh."""
    status, code = failure.status, _error_code(failure)
    if status == 401:
        return Verdict("fail", error_code="unauthorized") if refreshed else Verdict("refresh_token")
    transient = (
        status is None
        or status == 429
        or status >= 500
        or failure.reason in _RATE_LIMIT_REASONS
        or failure.reason in _TRANSIENT_CODES
    )
    if not transient:
        return Verdict("fail", error_code=code)
    if attempts >= rules.max_attempts:
        return Verdict("fail", error_code=f"gave_up_after_{code}")
    delay = failure.retry_after if failure.retry_after is not None else rules.backoff(attempts)
    return Verdict("retry", delay_seconds=delay, error_code=code)


def _error_code(failure: ProviderFailure) -> str:
    if failure.status is None:
        return "no_answer"
    if failure.status == 429:
        return "rate_limited"
    if failure.reason:
        return f"http_{failure.status}_{failure.reason}"
    return f"http_{failure.status}"
