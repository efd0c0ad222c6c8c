"""`mailbox.token` latency while 400 bogus admin logins hit oauth at once.

One oauth (in this process, uvicorn + FastStream) against the sandbox, the local
Postgres and RabbitMQ. A separate process floods POST /admin/login with unique
usernames (a password-guessing run against many names); meanwhile this process asks
`mailbox.token` with force_refresh for a Google and a Microsoft mailbox, one after
another, and records each answer's latency.
Usage: python bench/login_flood.py [label] [one|spread]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg

from leadwire_oauth.testing import running_oauth
from sandbox.testing import start_sandbox

DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
RABBIT = "amqp://guest:guest@127.0.0.1:5672/"
LOGINS = 400
# "spread": every login from another (forwarded) address, as a botnet would; the
# harness trusts loopback's X-Forwarded-For. "one": all from this machine.
SPREAD = sys.argv[2] if len(sys.argv) > 2 else "one"

FLOOD = """
import asyncio, sys, uuid, collections, httpx
async def main(url, n, spread):
    limits = httpx.Limits(max_connections=n)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as api:
        async def one():
            body = {"username": "guess-" + uuid.uuid4().hex, "password": "hunter2"}
            ip = ".".join(str(b) for b in uuid.uuid4().bytes[:4])
            headers = {"X-Forwarded-For": ip} if spread else {}
            try:
                return (await api.post("/admin/login", json=body, headers=headers)).status_code
            except httpx.HTTPError:
                return 0
        codes = await asyncio.gather(*(one() for _ in range(n)))
    print(dict(collections.Counter(codes)))
asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3] == "spread"))
"""


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[max(int(len(ordered) * 0.95) - 1, 0)] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


async def sample_tokens(
    harness: Any, mailbox_ids: list[str], flood: Any, failures: list[str]
) -> list[float]:
    samples = []
    while flood.returncode is None:
        for mailbox_id in mailbox_ids:
            started = time.perf_counter()
            reply = await harness.token(mailbox_id, force_refresh=True)
            samples.append(time.perf_counter() - started)
            if not reply["ok"]:
                failures.append(str(reply["message"]))
    return samples


async def measure(sandbox: Any) -> dict[str, object]:
    schema = f"bench_flood_{uuid.uuid4().hex[:8]}"
    try:
        async with running_oauth(sandbox, DSN, RABBIT, schema) as harness:
            client = await harness.create_client()
            mailbox_ids = []
            for provider, address in (
                ("google", "flood@acme-mail.example"),
                ("microsoft", "flood@acme-outlook.example"),
            ):
                sandbox.create_mailbox(provider, address)
                result = await harness.connect(client["id"], provider, address)
                mailbox_ids.append(result["mailbox_id"])
            for mailbox_id in mailbox_ids * 5:  # warm up
                await harness.token(mailbox_id, force_refresh=True)
            idle_started = time.perf_counter()
            idle = []
            while time.perf_counter() - idle_started < 3:
                for mailbox_id in mailbox_ids:
                    started = time.perf_counter()
                    await harness.token(mailbox_id, force_refresh=True)
                    idle.append(time.perf_counter() - started)
            flood = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                FLOOD,
                harness.base_url,
                str(LOGINS),
                SPREAD,
                stdout=asyncio.subprocess.PIPE,
            )
            flood_started = time.perf_counter()
            failures: list[str] = []
            during = await sample_tokens(harness, mailbox_ids, flood, failures)
            flood_seconds = time.perf_counter() - flood_started
            codes = (await flood.communicate())[0].decode().strip()
    finally:
        conn = await asyncpg.connect(DSN)
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()
    return {
        "idle": summary(idle),
        "during_flood": summary(during),
        "token_failures_during_flood": len(failures),
        "failure_examples": sorted(set(failures))[:3],
        "flood_seconds": round(flood_seconds, 1),
        "login_status_codes": codes,
    }


def main() -> None:
    label = sys.argv[1] if len(sys.argv) > 1 else "current"
    with start_sandbox() as sandbox:
        measured = asyncio.run(measure(sandbox))
        figures = {"label": label, "logins": LOGINS, "addresses": SPREAD, **measured}
    print(json.dumps(figures, indent=2))
    out = Path(__file__).parent / "results" / f"login_flood_{label}_{SPREAD}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
