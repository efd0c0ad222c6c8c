"""How many Gmail messages.get / messages.send requests per second the sandbox serves.

The sandbox runs as its own process (`python -m sandbox`), so the load generator
does not share its GIL; the client is httpx async over loopback TLS with
keep-alive connections. Figures are printed and saved to bench/results/sandbox.json.

    .venv/bin/python bench/sandbox_bench.py [--requests 2000] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import httpx

from sandbox.config import SandboxConfig
from sandbox.testing import RunningSandbox, google_connect

RESULTS = Path(__file__).parent / "results" / "sandbox.json"
ADDRESS = "bench@acme.test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, cert_dir: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "sandbox", "--port", str(port), "--cert-dir", str(cert_dir)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ca = cert_dir / "sandbox-ca.pem"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if ca.exists():
            try:
                ctx = ssl.create_default_context(cafile=str(ca))
                with httpx.Client(verify=ctx) as client:
                    if client.get(f"https://127.0.0.1:{port}/_sandbox/health").status_code == 200:
                        return proc
            except (httpx.TransportError, ssl.SSLError):
                pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("sandbox did not start")


def send_body(i: int) -> dict[str, str]:
    msg = EmailMessage()
    msg["To"], msg["Subject"] = "lead@customer.test", f"Bench reply {i}"
    msg.set_content("Thanks for your enquiry. " * 20)
    return {"raw": base64.urlsafe_b64encode(msg.as_bytes()).decode()}


def cpu_seconds(pid: int) -> float:
    """utime + stime of the server process (Linux /proc), to show its own cost per request."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(
    client: httpx.AsyncClient, name: str, count: int, concurrency: int, call, pid: int
) -> dict:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    async def worker() -> None:
        nonlocal errors
        while not queue.empty():
            i = queue.get_nowait()
            started = time.perf_counter()
            resp = await call(client, i)
            latencies.append(time.perf_counter() - started)
            errors += resp.status_code != 200

    started, cpu_before = time.perf_counter(), cpu_seconds(pid)
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed, server_cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu_before
    latencies.sort()
    return {
        "operation": name,
        "requests": count,
        "concurrency": concurrency,
        "errors": errors,
        "seconds": round(elapsed, 3),
        "requests_per_second": round(count / elapsed, 1),
        "server_cpu_seconds": round(server_cpu, 3),
        # requests per second one fully busy server core would serve (independent of load
        # generator and other processes competing for this machine's CPUs)
        "server_capacity_rps_per_core": round(count / server_cpu, 1) if server_cpu else None,
        "latency_ms_p50": round(statistics.median(latencies) * 1000, 2),
        "latency_ms_p99": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
    }


async def bench(
    base_url: str, ca: Path, token: str, msg_id: str, count: int, conc: int, pid: int
) -> list:
    ctx = ssl.create_default_context(cafile=str(ca))
    limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=base_url, verify=ctx, limits=limits, headers=headers, timeout=30
    ) as client:
        path = "/gmail/v1/users/me/messages"
        await run(client, "warm-up", 100, conc, lambda c, i: c.get(f"{path}/{msg_id}"), pid)
        get = await run(
            client,
            "messages.get (format=full)",
            count,
            conc,
            lambda c, i: c.get(f"{path}/{msg_id}"),
            pid,
        )
        send = await run(
            client,
            "messages.send",
            count,
            conc,
            lambda c, i: c.post(f"{path}/send", json=send_body(i)),
            pid,
        )
    return [get, send]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    port, cert_dir = free_port(), Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    proc = start_server(port, cert_dir)
    try:
        base_url, ca = f"https://127.0.0.1:{port}", cert_dir / "sandbox-ca.pem"
        control = httpx.Client(base_url=base_url, verify=ssl.create_default_context(cafile=str(ca)))
        control.post("/_sandbox/mailboxes", json={"provider": "google", "address": ADDRESS})
        running = RunningSandbox(base_url, ca, SandboxConfig(), control, state=None)  # type: ignore[arg-type]
        token = google_connect(running, ADDRESS)["access_token"]
        inbound = {
            "from": "lead@customer.test",
            "subject": "Quote",
            "text": "Hello " * 100,
            "html": "<p>Hello</p>" * 50,
        }
        msg_id = control.post(f"/_sandbox/mailboxes/{ADDRESS}/inbound", json=inbound).json()["id"]
        results = asyncio.run(
            bench(base_url, ca, token, msg_id, args.requests, args.concurrency, proc.pid)
        )
        control.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    for r in results:
        print(
            f"{r['operation']:28} {r['requests_per_second']:8.1f} req/s  "
            f"(server {r['server_capacity_rps_per_core']} req/s per core)  "
            f"p50 {r['latency_ms_p50']} ms  p99 {r['latency_ms_p99']} ms  errors {r['errors']}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_avg_1m": os.getloadavg()[0],
        "transport": "https loopback, keep-alive",
    }
    RESULTS.write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    print(f"saved {RESULTS}")


if __name__ == "__main__":
    main()
