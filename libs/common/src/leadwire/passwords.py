"""Admin password hashing (argon2id) and a login throttle against password guessing."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    if not password:
        raise ValueError("password must not be empty")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True if `password` matches; False on mismatch or an unreadable hash (never raises)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash used weaker parameters than today's: rehash after a good login."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def _dummy_hash() -> str:
    return _hasher.hash("leadwire-dummy-password")


def dummy_verify(password: str) -> bool:
    """Spend the same time as a real check when the username does not exist, so response
    time does not reveal which usernames are valid. Always False."""
    verify_password(_dummy_hash(), password)
    return False


@dataclass
class _Failures:
    count: int
    last_failure: float
    locked_until: float


class LoginThrottle:
    """In-memory failed-login counter per (username, ip).

    After `max_failures` failures, each further failure locks the pair for a growing
    time: base_delay * 2**(extra failures), capped at max_delay. A success clears it;
    a pair with no failure for `forget_after` seconds starts over. Bounded memory:
    the least recently failed pairs are dropped beyond `max_entries`.
    """

    def __init__(
        self,
        max_failures: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 900.0,
        forget_after: float = 3600.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_failures < 1 or max_entries < 1:
            raise ValueError("max_failures and max_entries must be at least 1")
        self._max_failures = max_failures
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._forget_after = forget_after
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[tuple[str, str], _Failures] = OrderedDict()

    @staticmethod
    def _key(username: str, ip: str) -> tuple[str, str]:
        return (username.strip().lower(), ip)

    def _current(self, key: tuple[str, str], now: float) -> _Failures | None:
        entry = self._entries.get(key)
        if entry is not None and now - entry.last_failure >= self._forget_after:
            del self._entries[key]
            return None
        return entry

    def retry_after(self, username: str, ip: str) -> float:
        """Seconds the caller must wait before trying again (0 means go ahead)."""
        now = self._clock()
        entry = self._current(self._key(username, ip), now)
        return max(0.0, entry.locked_until - now) if entry else 0.0

    def record_failure(self, username: str, ip: str) -> float:
        """Count a failed login; return the lockout (seconds) it now imposes."""
        now = self._clock()
        key = self._key(username, ip)
        entry = self._current(key, now) or _Failures(count=0, last_failure=now, locked_until=now)
        entry.count += 1
        entry.last_failure = now
        extra = min(entry.count - self._max_failures, 40)  # cap: 2.0**huge overflows
        lockout = 0.0 if extra < 0 else min(self._max_delay, self._base_delay * 2.0**extra)
        entry.locked_until = now + lockout
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        return lockout

    def record_success(self, username: str, ip: str) -> None:
        self._entries.pop(self._key(username, ip), None)
