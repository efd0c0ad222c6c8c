"""Drafts per second: lead.received -> drafter -> draft.created, with the sandbox LLM.

    .venv/bin/python bench/drafter_throughput.py [--leads 200] [--serial 20]

Starts the sandbox in its own process, the real drafter app (uvicorn, runtime, consumers,
outbox relay) on an isolated exchange and schema, publishes one client then `--leads`
distinct leads at once and times first publish -> last draft.created received; then
`--serial` leads one at a time for the per-draft latency. Runs once with the sandbox LLM
(OpenAI SDK, JSON-schema call, checks) and once without a key (template drafts), so the
LLM round trip's share is visible, and times the SDK calls alone. Saves bench/results/drafter.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from leadwire.testing import TestStack
from leadwire_drafter.domain.prompt import RESPONSE_FORMAT, build_prompt
from leadwire_drafter.main import create_app
from leadwire_drafter.providers.llm import LlmConfig, OpenAIWriter
from leadwire_drafter.settings import DrafterSettings
from leadwire_drafter.testing import CLIENT_ID, sample_client, sample_lead

DSN = os.environ.get("LEADWIRE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RABBIT = os.environ.get("LEADWIRE_TEST_RABBIT_URL", "amqp://guest:guest@127.0.0.1:5672/")
RESULTS = Path(__file__).parent / "results" / "drafter.json"
SANDBOX_PORT = 8977


def start_sandbox(cert_dir: Path) -> subprocess.Popen[bytes]:
    argv = [
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        str(SANDBOX_PORT),
        "--cert-dir",
        str(cert_dir),
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            ca = str(cert_dir / "sandbox-ca.pem")
            if httpx.get(f"https://127.0.0.1:{SANDBOX_PORT}/_sandbox/health", verify=ca).is_success:
                return proc
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("sandbox did not start")


async def sandbox_control(cert_dir: Path, path: str, body: dict[str, Any] | None = None) -> None:
    async with httpx.AsyncClient(verify=str(cert_dir / "sandbox-ca.pem")) as http:
        url = f"https://127.0.0.1:{SANDBOX_PORT}/_sandbox{path}"
        (await http.post(url, json=body or {})).raise_for_status()


async def drafts_seen(tap: Any, count: int, within: float = 300) -> list[dict[str, Any]]:
    deadline = time.monotonic() + within
    while True:
        await tap._drain()
        drafts = [e for e in tap.seen if e["type"] == "draft.created"]
        if len(drafts) >= count or time.monotonic() > deadline:
            return drafts
        await asyncio.sleep(0.01)


async def run_mode(
    name: str, cert_dir: Path, leads: int, serial: int, api_key: str, latency_ms: int = 0
) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    await sandbox_control(cert_dir, "/reset")
    if latency_ms:  # a real model answers in seconds: what concurrency buys
        await sandbox_control(cert_dir, "/openai/faults", {"latency_ms": latency_ms})
    stack = TestStack(DSN, RABBIT, exchange=f"bench.events.{tag}", queue_prefix=f"b{tag}.")
    try:
        await stack.start(
            create_app,
            DrafterSettings,
            openai_api_key=api_key,
            openai_base_url=f"https://127.0.0.1:{SANDBOX_PORT}/v1",
            provider_ca_bundle=str(cert_dir / "sandbox-ca.pem"),
            log_level="WARNING",
        )
        tap = await stack.tap("draft.created")
        await stack.publish(sample_client(auto_send="guarded"), client_id=CLIENT_ID)
        await asyncio.sleep(1.0)  # the client snapshot is stored before leads arrive

        started = time.perf_counter()
        for _ in range(leads):
            await stack.publish(sample_lead(), client_id=CLIENT_ID)
        burst = await drafts_seen(tap, leads)
        elapsed = time.perf_counter() - started

        latencies = []
        for _ in range(serial):
            sent = await stack.publish(sample_lead(), client_id=CLIENT_ID)
            seen = await drafts_seen(tap, len(burst) + len(latencies) + 1)
            created = datetime.fromisoformat(seen[-1]["occurred_at"])
            latencies.append((created - sent.occurred_at).total_seconds() * 1000)
        templates = sum(1 for e in tap.seen if e["payload"]["is_template"])
        return {
            "mode": name,
            "leads": leads,
            "drafts": len(burst),
            "seconds": round(elapsed, 3),
            "drafts_per_second": round(len(burst) / elapsed, 1),
            "serial_ms_p50": round(statistics.median(latencies), 1) if latencies else None,
            "serial_ms_max": round(max(latencies), 1) if latencies else None,
            "template_drafts": templates,
        }
    finally:
        await stack.close()


async def llm_calls(cert_dir: Path, calls: int) -> dict[str, Any]:
    """The SDK round trip alone (same prompt shape), 20 at a time: the LLM's share."""
    await sandbox_control(cert_dir, "/reset")
    writer = OpenAIWriter(
        LlmConfig(
            api_key="sk-bench", base_url=f"https://127.0.0.1:{SANDBOX_PORT}/v1",
            model="gpt-4o-mini", timeout=30, max_retries=0, max_retry_wait=0,
            max_output_tokens=800, ca_bundle=str(cert_dir / "sandbox-ca.pem"),
        )
    )  # fmt: skip
    messages = build_prompt(sample_lead(), sample_client(), "en").messages()
    gate = asyncio.Semaphore(20)

    async def one() -> float:
        async with gate:
            began = time.perf_counter()
            await writer.complete(messages, RESPONSE_FORMAT)
            return (time.perf_counter() - began) * 1000

    try:
        await one()  # connection set up
        started = time.perf_counter()
        latencies = await asyncio.gather(*(one() for _ in range(calls)))
        elapsed = time.perf_counter() - started
    finally:
        await writer.aclose()
    return {
        "mode": "llm-calls-only",
        "calls": calls,
        "calls_per_second": round(calls / elapsed, 1),
        "ms_p50_at_20_concurrent": round(statistics.median(latencies), 1),
    }


async def main(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING)
    cert_dir = Path(tempfile.mkdtemp(prefix="leadwire-bench-sandbox-"))
    sandbox = start_sandbox(cert_dir)
    try:
        results = [
            await run_mode("sandbox-llm", cert_dir, args.leads, args.serial, "sk-bench"),
            await run_mode("template", cert_dir, args.leads, args.serial, ""),
            await run_mode("sandbox-llm+1s", cert_dir, args.leads // 2, 3, "sk-bench", 1000),
            await llm_calls(cert_dir, args.leads),
        ]
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
    report = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "results": results,
    }
    print(json.dumps(report, indent=2))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=200)
    parser.add_argument("--serial", type=int, default=20)
    asyncio.run(main(parser.parse_args()))
