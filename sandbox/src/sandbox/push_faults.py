"""Push delivery faults shared by Gmail's Pub/Sub pusher and Graph's notifier.

Real push is at-least-once and unordered: a notification can arrive twice,
late, or after a newer one. A rule picks the next `count` pushes (optionally of
one mailbox) and shapes their delivery:

- `duplicate`: delivered twice (Pub/Sub keeps the same messageId, as a redelivery);
- `delay`: delivered `delay_seconds` late;
- `reorder`: held until the next push of the same mailbox has been delivered (at
  most `delay_seconds`), so the two arrive out of order.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

MODES = ("duplicate", "delay", "reorder")


@dataclass
class PushFault:
    id: int
    mode: str
    count: int | None = 1  # pushes left to shape; None = every one
    delay_seconds: float = 2.0
    address: str | None = None
    hits: int = 0

    def public(self) -> dict[str, Any]:
        return asdict(self)


class PushShaper:
    def __init__(self) -> None:
        self.rules: list[PushFault] = []
        self._ids = itertools.count(1)
        self._held: dict[str, list[asyncio.Event]] = {}

    def add(self, spec: dict[str, Any]) -> PushFault:
        unknown = set(spec) - {"mode", "count", "delay_seconds", "address"}
        if unknown:
            raise ValueError(f"unknown push fault fields: {sorted(unknown)}")
        if spec.get("mode") not in MODES:
            raise ValueError(f"'mode' must be one of {MODES}")
        rule = PushFault(next(self._ids), **spec)
        if rule.address:
            rule.address = rule.address.lower()
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()
        for events in self._held.values():
            for event in events:
                event.set()
        self._held.clear()

    def _take(self, address: str) -> PushFault | None:
        for rule in self.rules:
            if rule.count is not None and rule.count <= 0:
                continue
            if rule.address and rule.address != address.lower():
                continue
            rule.hits += 1
            if rule.count is not None:
                rule.count -= 1
            return rule
        return None

    async def run(self, address: str, deliver: Callable[[], Awaitable[None]]) -> None:
        """Deliver one push (`deliver` runs the whole retry loop) as the next rule says."""
        rule = self._take(address)
        if rule is not None and rule.mode == "reorder":
            held = asyncio.Event()
            self._held.setdefault(address.lower(), []).append(held)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(held.wait(), rule.delay_seconds)
            await deliver()
            return
        if rule is not None and rule.mode == "delay":
            await asyncio.sleep(rule.delay_seconds)
        await deliver()
        if rule is not None and rule.mode == "duplicate":
            await deliver()
        for event in self._held.pop(address.lower(), []):  # a newer push arrived: release
            event.set()
