"""Retry policy for provider HTTP calls: which failures to retry and how long to wait.

Pure logic (no I/O) shared by the async and sync transports in `leadwire.http`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})

# The request never reached the server: safe to retry for every method.
_NOT_SENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)
# The server may have acted on the request: retry only when repeating it is harmless.
_MAYBE_SENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)


@dataclass(frozen=True)
class HttpRetryPolicy:
    """Bounded retries with full-jitter exponential backoff that honours Retry-After.

    Status rules: 429 and 503 mean "not processed, come back later", so every method is
    retried. 500, 502 and 504 may hide a request that did take effect (a sent email!),
    so only idempotent methods retry those.
    """

    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    retry_any_method_statuses: frozenset[int] = frozenset({429, 503})
    retry_idempotent_statuses: frozenset[int] = frozenset({500, 502, 504})
    random: Callable[[], float] = field(default=random.random, compare=False)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), compare=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.backoff_base < 0 or self.backoff_max < 0:
            raise ValueError("backoff_base and backoff_max must be >= 0")

    def should_retry_error(self, method: str, exc: Exception) -> bool:
        if isinstance(exc, _NOT_SENT_ERRORS):
            return True
        return isinstance(exc, _MAYBE_SENT_ERRORS) and method.upper() in IDEMPOTENT_METHODS

    def should_retry_status(self, method: str, status_code: int) -> bool:
        if status_code in self.retry_any_method_statuses:
            return True
        return (
            status_code in self.retry_idempotent_statuses and method.upper() in IDEMPOTENT_METHODS
        )

    def delay_after_error(self, method: str, attempt: int, exc: Exception) -> float | None:
        """Seconds to wait before retry number `attempt + 1`, or None to give up and raise."""
        if attempt >= self.max_retries or not self.should_retry_error(method, exc):
            return None
        return self.backoff(attempt)

    def delay_after_response(
        self, method: str, attempt: int, response: httpx.Response
    ) -> float | None:
        """Seconds to wait before retrying, or None to hand `response` to the caller."""
        if attempt >= self.max_retries or not self.should_retry_status(
            method, response.status_code
        ):
            return None
        return self.delay_for_response(attempt, response)

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**attempt)] for attempt 0, 1, ..."""
        ceiling = min(self.backoff_max, self.backoff_base * float(2**attempt))
        return ceiling * self.random()

    def retry_after(self, response: httpx.Response) -> float | None:
        """Seconds the server asked us to wait (delta-seconds or HTTP-date), if it said."""
        return parse_retry_after(response.headers.get("Retry-After"), self.clock())

    def delay_for_response(self, attempt: int, response: httpx.Response) -> float | None:
        """The wait before retrying `response`, or None when the server asks for longer
        than `backoff_max` (give the caller the 429 to schedule, instead of blocking)."""
        asked = self.retry_after(response)
        if asked is None:
            return self.backoff(attempt)
        if asked > self.backoff_max:
            return None
        return asked


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP-dates are GMT by definition
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
