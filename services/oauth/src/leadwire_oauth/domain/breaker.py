"""A per-provider circuit breaker, so an outage or a refused app is not hammered.

Closed: calls go through. `failure_threshold` transient failures in a row, or one
answer carrying Retry-After, open it for `cooldown_seconds` (or the Retry-After).
A provider that refuses our own credentials (invalid_client) opens it for
`misconfigured_retry_seconds` and is reported as misconfigured until a call works.
Once the wait is over one trial call goes through (half open); its outcome closes
or reopens the circuit. The clock is injected: this module does no I/O.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

CircuitState = Literal["closed", "open", "half_open"]
# How long other callers are told to wait while a half-open trial runs.
_TRIAL_WAIT_SECONDS = 1.0


@dataclass
class ProviderGuard:
    failure_threshold: int = 3
    cooldown_seconds: float = 30.0
    misconfigured_retry_seconds: float = 300.0
    clock: Callable[[], float] = time.monotonic
    # The provider's error code while it refuses our credentials, else None.
    misconfigured: str | None = None
    # Why the circuit last opened, for mailbox status and /health/providers.
    reason: str = ""
    _failures: int = field(default=0, repr=False)
    _open_until: float | None = field(default=None, repr=False)
    _trial_running: bool = field(default=False, repr=False)

    @property
    def state(self) -> CircuitState:
        if self._open_until is None:
            return "closed"
        return "open" if self.clock() < self._open_until or self._trial_running else "half_open"

    def seconds_until_allowed(self) -> float:
        if self._open_until is None:
            return 0.0
        if self._trial_running:
            return max(self._open_until - self.clock(), _TRIAL_WAIT_SECONDS)
        return max(self._open_until - self.clock(), 0.0)

    def try_acquire(self) -> float:
        """0 when the caller may call the provider now, else seconds it must wait.

        A caller let through a half-open circuit must report its outcome."""
        wait = self.seconds_until_allowed()
        if wait > 0:
            return wait
        if self._open_until is not None:
            self._trial_running = True
        return 0.0

    def succeeded(self) -> None:
        self._failures = 0
        self._open_until = None
        self._trial_running = False
        self.misconfigured = None
        self.reason = ""

    def failed(self, reason: str, retry_after: float | None = None) -> None:
        """A transient failure (5xx, 429, timeout, unreachable)."""
        self._failures += 1
        self._trial_running = False
        if retry_after is not None and retry_after > 0:
            self._open(reason, retry_after)
        elif self._failures >= self.failure_threshold or self._open_until is not None:
            self._open(reason, self.cooldown_seconds)

    def refused_credentials(self, code: str) -> None:
        self.misconfigured = code
        self._trial_running = False
        self._open(
            f"provider refused our app's credentials ({code})", self.misconfigured_retry_seconds
        )

    def skip_wait(self) -> None:
        """End the current wait now (an operator fixed the deployment; tests)."""
        if self._open_until is not None:
            self._open_until = self.clock()

    def _open(self, reason: str, seconds: float) -> None:
        self.reason = reason
        self._open_until = self.clock() + seconds
