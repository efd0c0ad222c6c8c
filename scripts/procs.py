"""`make up` / `make down` / `make status` / `make scale`: the whole stack without Docker,
from deploy/Procfile under honcho (a well-kept Foreman clone).

    python scripts/procs.py up [--scale ingest=3,sender=2]   # migrate, gateway conf, honcho
    python scripts/procs.py status                           # each process and /health/ready
    python scripts/procs.py down
    python scripts/procs.py exec ingest                      # what a Procfile line runs

`exec` gives a service exactly the variables its settings class declares (the same
`StackConfig.service_env` the demo uses), and replica N its own port (honcho names the
process `ingest.N`). Logs: .run/logs/honcho.log, one line per process output, prefixed.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from stack import (
    BIN,
    ROOT,
    RUN,
    SERVICES,
    StackConfig,
    ensure_database,
    replica_port,
    write_gateway_config,
)

PID_FILE = RUN / "honcho.pid"
FORMATION_FILE = RUN / "formation.json"
LOG_FILE = RUN / "logs" / "honcho.log"
MIGRATIONS = {name: f"leadwire_{name}.main" for name in SERVICES}


def parse_scale(text: str) -> dict[str, int]:
    """`ingest=3,sender=2` -> {"ingest": 3, "sender": 2}; unknown services are an error."""
    scale: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, count = item.partition("=")
        if name not in SERVICES or not count.isdigit() or not 1 <= int(count) <= 9:
            raise SystemExit(f"bad --scale item {item!r}: want <service>=1..9 of {list(SERVICES)}")
        scale[name] = int(count)
    return scale


async def migrate(config: StackConfig) -> None:
    """Apply every service's migrations before anything starts (the services would too,
    but one failing migration should stop `make up`, not one replica)."""
    from leadwire.db import run_migrations

    await ensure_database(config)
    for name, module in MIGRATIONS.items():
        directory = Path(importlib.import_module(module).MIGRATIONS)
        applied = await run_migrations(config.database_url, name, directory)
        print(f"  {name}: {len(applied)} migration(s) applied")


def exec_service(service: str) -> None:
    instance = int(os.environ.get("HONCHO_PROCESS_NAME", f"{service}.1").rsplit(".", 1)[1])
    config = StackConfig()
    env = config.service_env(service, replica_port(service, instance))
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TZ")}
    os.execve(str(BIN / f"leadwire-{service}"), [f"leadwire-{service}"], {**base, **env})  # noqa: S606


def up(scale: dict[str, int]) -> None:
    if _running_pid() is not None:
        raise SystemExit("the stack is already up (make down first, or make status)")
    config = StackConfig()
    print("Applying migrations…")
    asyncio.run(migrate(config))
    formation = {name: scale.get(name, 1) for name in SERVICES}
    write_gateway_config(formation)
    FORMATION_FILE.write_text(json.dumps(formation))
    LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
    concurrency = ",".join(f"{name}={count}" for name, count in formation.items())
    with LOG_FILE.open("ab") as log:
        honcho = subprocess.Popen(
            [
                str(BIN / "honcho"),
                "-f",
                "deploy/Procfile",
                "-d",
                str(ROOT),
                "--no-colour",
                "start",
                "-c",
                concurrency,
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    PID_FILE.write_text(str(honcho.pid))
    if not _wait_ready(formation, timeout=90):
        print(f"Not every process became ready; see {LOG_FILE} and `make status`.")
        raise SystemExit(1)
    print("Leadwire is up: gateway http://127.0.0.1:8080, console http://127.0.0.1:8080/")
    print(f"admin / {config.secrets['ADMIN_PASSWORD']} (from .run/secrets.env); logs {LOG_FILE}")


def down() -> None:
    pid = _running_pid()
    if pid is None:
        print("the stack is not running")
        return
    os.killpg(pid, signal.SIGTERM)  # honcho passes SIGTERM on: graceful service shutdown
    for _ in range(60):
        if _running_pid() is None:
            break
        time.sleep(0.5)
    else:
        os.killpg(pid, signal.SIGKILL)
    PID_FILE.unlink(missing_ok=True)
    print("the stack is down")


def status() -> int:
    formation = json.loads(FORMATION_FILE.read_text()) if FORMATION_FILE.exists() else {}
    pid = _running_pid()
    print(f"honcho: {'running, pid ' + str(pid) if pid else 'not running'}")
    healthy = pid is not None
    for name, count in formation.items():
        for instance in range(1, count + 1):
            state = _ready(f"http://127.0.0.1:{replica_port(name, instance)}/health/ready")
            healthy &= state == "ready"
            label = f"{name}.{instance}"
            print(f"  {label:<12} :{replica_port(name, instance)}  {state}")
    print(f"  {'gateway':<12} :8080  {_ready('http://127.0.0.1:8080/health')}")
    return 0 if healthy else 1


def _ready(url: str) -> str:
    try:
        answer = httpx.get(url, timeout=2)
    except httpx.HTTPError as exc:
        return f"down ({type(exc).__name__})"
    if answer.status_code == 200:
        return "ready"
    return f"not ready: {answer.text.strip()[:120]}"


def _wait_ready(formation: dict[str, int], timeout: float) -> bool:
    urls = [
        f"http://127.0.0.1:{replica_port(name, i)}/health/ready"
        for name, count in formation.items()
        for i in range(1, count + 1)
    ]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(_ready(url) == "ready" for url in urls):
            return True
        if _running_pid() is None:
            return False
        time.sleep(0.5)
    return False


def _running_pid() -> int | None:
    if not PID_FILE.exists():
        return None
    pid = int(PID_FILE.read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up")
    start.add_argument("--scale", default="", help="e.g. ingest=3,sender=2")
    commands.add_parser("down")
    commands.add_parser("status")
    run = commands.add_parser("exec")
    run.add_argument("service", choices=list(SERVICES))
    args = parser.parse_args()
    if args.command == "up":
        up(parse_scale(args.scale))
    elif args.command == "down":
        down()
    elif args.command == "status":
        sys.exit(status())
    else:
        exec_service(args.service)


if __name__ == "__main__":
    main()
