"""p50/p95 latency of the `mailbox.token` RPC, cached and refreshing.

One oauth process (in this process, uvicorn + FastStream) against the sandbox,
the local Postgres (a throwaway schema) and RabbitMQ; the caller is a separate
FastStream broker connection, as another service would be.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from pathlib import Path

import asyncpg

from leadwire_oauth.testing import running_oauth
from sandbox.testing import start_sandbox

DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
RABBIT = "amqp://guest:guest@127.0.0.1:5672/"
CACHED_CALLS = 500
REFRESH_CALLS = 100


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


async def timed(harness, mailbox_id: str, *, force: bool, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        reply = await harness.token(mailbox_id, force_refresh=force)
        samples.append(time.perf_counter() - started)
        assert reply["ok"], reply
    return samples


async def measure(sandbox) -> dict[str, object]:
    schema = f"bench_oauth_{uuid.uuid4().hex[:8]}"
    try:
        async with running_oauth(sandbox, DSN, RABBIT, schema) as harness:
            address = "bench@acme-mail.example"
            sandbox.create_mailbox("google", address)
            client = await harness.create_client()
            mailbox_id = (await harness.connect(client["id"], "google", address))["mailbox_id"]
            await timed(harness, mailbox_id, force=False, count=20)  # warm up
            cached = await timed(harness, mailbox_id, force=False, count=CACHED_CALLS)
            refreshing = await timed(harness, mailbox_id, force=True, count=REFRESH_CALLS)
    finally:
        conn = await asyncpg.connect(DSN)
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()
    return {"cached": summary(cached), "refreshing_google": summary(refreshing)}


def main() -> None:
    with start_sandbox() as sandbox:
        figures = asyncio.run(measure(sandbox))
    print(json.dumps(figures, indent=2))
    out = Path(__file__).parent / "results" / "token_latency.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
