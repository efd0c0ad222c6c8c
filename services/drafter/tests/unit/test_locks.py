"""Per-key locks: one holder per key, others wait; forgotten when unused."""

from __future__ import annotations

import asyncio

from leadwire_drafter.locks import KeyedLocks


async def test_one_holder_per_key_and_other_keys_run_freely() -> None:
    locks, order = KeyedLocks(), []

    async def work(key: str, tag: str, pause: float) -> None:
        async with locks.hold(key):
            order.append(f"{tag}-in")
            await asyncio.sleep(pause)
            order.append(f"{tag}-out")

    await asyncio.gather(work("a", "a1", 0.05), work("a", "a2", 0), work("b", "b1", 0))

    assert order.index("a1-out") < order.index("a2-in")
    assert order.index("b1-in") < order.index("a1-out")
    assert len(locks) == 0


async def test_a_failing_holder_releases_the_key() -> None:
    locks = KeyedLocks()
    try:
        async with locks.hold("a"):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    async with locks.hold("a"):
        assert len(locks) == 1
    assert len(locks) == 0
