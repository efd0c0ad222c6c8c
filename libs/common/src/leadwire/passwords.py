"""Admin password hashing (argon2id) and a login throttle against password guessing.

argon2 is slow on purpose. The `*_async` functions run it on a small executor of its
own, never on the default thread pool that provider libraries (msal) use, and refuse
work beyond a bounded backlog with `HashingBusy` instead of queueing a login flood:
400 concurrent bogus logins must not delay a token refresh.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

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


T = TypeVar("T")


class HashingBusy(Exception):
    """More password checks are waiting than the backlog allows; try again shortly."""


class _HashingPool:
    """A bounded executor for argon2: `workers` threads and at most `backlog` callers."""

    def __init__(self, workers: int, backlog: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2")
        self._capacity = workers + backlog
        self._in_flight = 0
        self._lock = threading.Lock()  # loops of several threads (tests) may share it

    async def run(self, work: Callable[..., T], *args: str) -> T:
        with self._lock:
            if self._in_flight >= self._capacity:
                raise HashingBusy("too many password checks in progress")
            self._in_flight += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)
        finally:
            with self._lock:
                self._in_flight -= 1


# Half the cores at most: argon2 releases the GIL, so more threads would take the CPU
# the event loop needs to answer everything else.
_pool = _HashingPool(workers=max(1, (os.cpu_count() or 2) // 2), backlog=16)


async def hash_password_async(password: str) -> str:
    return await _pool.run(hash_password, password)


async def verify_password_async(password_hash: str, password: str) -> bool:
    return await _pool.run(verify_password, password_hash, password)


async def dummy_verify_async(password: str) -> bool:
    return await _pool.run(dummy_verify, password)


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
