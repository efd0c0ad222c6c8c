"""How failed admin logins slow further attempts (pure; counts live in Postgres).

Four counters per attempt: the (username, ip) pair, the ip (one address trying many
usernames), the username (many addresses trying one) and a global one (a distributed
flood). Past its allowance each further failure locks its counter for a growing time,
base_delay * 2**extra, capped. A correct password from an address where the admin has
logged in before is not held back by the username and global counters, so attackers
elsewhere cannot lock the owner out; the pair and ip counters still apply to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Scope = Literal["pair", "ip", "user", "global"]
SCOPES: tuple[Scope, ...] = ("pair", "ip", "user", "global")


@dataclass(frozen=True)
class Limit:
    max_failures: int
    base_delay: float
    max_delay: float
    forget_after: float  # seconds without a failure after which the count starts over


LIMITS: dict[Scope, Limit] = {
    "pair": Limit(max_failures=5, base_delay=1.0, max_delay=900.0, forget_after=3600.0),
    "ip": Limit(max_failures=20, base_delay=1.0, max_delay=900.0, forget_after=3600.0),
    "user": Limit(max_failures=20, base_delay=1.0, max_delay=900.0, forget_after=3600.0),
    "global": Limit(max_failures=200, base_delay=1.0, max_delay=60.0, forget_after=300.0),
}


@dataclass(frozen=True)
class Counter:
    failures: int
    last_failure: datetime
    locked_until: datetime


def counter_keys(username: str, ip: str) -> dict[Scope, str]:
    name = username.strip().lower()
    return {"pair": f"{name}\n{ip}", "ip": ip, "user": name, "global": "*"}


def lockout_seconds(scope: Scope, failures: int) -> float:
    """The lock a counter takes on reaching `failures`."""
    limit = LIMITS[scope]
    extra = min(failures - limit.max_failures, 40)  # 2.0**huge overflows
    return 0.0 if extra < 0 else min(limit.max_delay, limit.base_delay * 2.0**extra)


def forgotten(scope: Scope, counter: Counter, now: datetime) -> bool:
    return now - counter.last_failure >= timedelta(seconds=LIMITS[scope].forget_after)


def wait_before_attempt(
    counters: Mapping[Scope, Counter], now: datetime, known_address: bool
) -> tuple[float, Scope | None]:
    """Seconds the attempt must wait (0: go ahead) and the counter that says so."""
    applicable = ("pair", "ip") if known_address else SCOPES
    longest, because = 0.0, None
    for scope in applicable:
        counter = counters.get(scope)
        if counter is None or forgotten(scope, counter, now):
            continue
        wait = (counter.locked_until - now).total_seconds()
        if wait > longest:
            longest, because = wait, scope
    return longest, because
