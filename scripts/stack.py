"""Run the whole Leadwire stack on this machine: sandbox providers, the five
services and the nginx gateway, each a child process with its settings.

Used by `make demo` (scripts/demo.py) and `make stack` (scripts/run_stack.py).
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aio_pika
import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / ".run"
BIN = Path(sys.executable).parent
SANDBOX_PORT = 8900
# The sandbox Slack signs interactions with whatever the caller names; the demo uses this.
SLACK_SIGNING_SECRET = "sandbox-slack-signing-secret-0123456789abcdef"
GATEWAY_PORT = 8080
SERVICES = {"oauth": 8001, "ingest": 8002, "drafter": 8003, "sender": 8004, "notifier": 8005}
DEMO_DATABASE = "leadwire_demo"


def _nginx() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None


def _persistent_secrets() -> dict[str, str]:
    """Generated once per checkout so a restarted stack still reads its data."""
    path = RUN / "secrets.env"
    if not path.exists():
        RUN.mkdir(parents=True, exist_ok=True)
        key = base64.b64encode(secrets.token_bytes(32)).decode()
        path.write_text(
            f"JWT_SECRET={secrets.token_urlsafe(48)}\n"
            f"STATE_SECRET={secrets.token_urlsafe(48)}\n"
            f"ENCRYPTION_KEYS=k1:{key}\n"
            f"ADMIN_PASSWORD={secrets.token_urlsafe(12)}\n"
        )
        path.chmod(0o600)
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {k: v for k, v in pairs}


@dataclass
class StackConfig:
    database_url: str = f"postgresql://postgres@127.0.0.1:5432/{DEMO_DATABASE}"
    rabbit_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    # Without nginx the demo still runs, reaching oauth on its own port.
    with_gateway: bool = field(default_factory=lambda: _nginx() is not None)
    secrets: dict[str, str] = field(default_factory=_persistent_secrets)

    @property
    def maintenance_dsn(self) -> str:
        """The same server's `postgres` database, to create or drop the demo's."""
        return self.database_url.rsplit("/", 1)[0] + "/postgres"

    @property
    def sandbox_url(self) -> str:
        return f"https://127.0.0.1:{SANDBOX_PORT}"

    @property
    def ca_path(self) -> Path:
        return RUN / "sandbox" / "sandbox-ca.pem"

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{GATEWAY_PORT}" if self.with_gateway else "http://127.0.0.1:8001"

    @property
    def callback_base_url(self) -> str:
        """Where the providers post webhooks: the gateway, or ingest itself without nginx
        (webhooks are ingest's; oauth's port would swallow them)."""
        return self.public_url if self.with_gateway else f"http://127.0.0.1:{SERVICES['ingest']}"

    def service_env(self, name: str, port: int) -> dict[str, str]:
        """Only the variables `name`'s settings class declares (a test holds us to it)."""
        env = {
            "SERVICE_NAME": name,
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(port),
            "DATABASE_URL": self.database_url,
            "RABBIT_URL": self.rabbit_url,
            "JWT_SECRET": self.secrets["JWT_SECRET"],
            "PROVIDER_CA_BUNDLE": str(self.ca_path),
            "PUBLIC_BASE_URL": self.public_url,
            "PROVIDER_CALLBACK_BASE_URL": self.callback_base_url,
            "LOG_LEVEL": "INFO",
        }
        env.update(self._provider_env(name))
        return env

    def _provider_env(self, name: str) -> dict[str, str]:
        sandbox = self.sandbox_url
        if name == "oauth":
            return {
                "ENCRYPTION_KEYS": self.secrets["ENCRYPTION_KEYS"],
                "STATE_SECRET": self.secrets["STATE_SECRET"],
                "ADMIN_USERNAME": "admin",
                "ADMIN_PASSWORD": self.secrets["ADMIN_PASSWORD"],
                "GOOGLE_CLIENT_ID": "sandbox-google-client-id",
                "GOOGLE_CLIENT_SECRET": "sandbox-google-client-secret",
                "GOOGLE_AUTH_URI": f"{sandbox}/o/oauth2/v2/auth",
                "GOOGLE_TOKEN_URI": f"{sandbox}/token",
                "GOOGLE_USERINFO_URI": f"{sandbox}/v1/userinfo",
                "GOOGLE_REVOKE_URI": f"{sandbox}/revoke",
                "GMAIL_API_BASE_URL": sandbox,
                "MICROSOFT_CLIENT_ID": "sandbox-ms-client-id",
                "MICROSOFT_CLIENT_SECRET": "sandbox-ms-client-secret",
                "MICROSOFT_TENANT": "sandbox-tenant",
                "MICROSOFT_AUTHORITY_HOST": sandbox,
                "GRAPH_BASE_URL": sandbox,
            }
        if name == "drafter":
            return {"OPENAI_API_KEY": "sk-sandbox", "OPENAI_BASE_URL": f"{sandbox}/v1"}
        if name == "sender":
            return {"GMAIL_API_BASE_URL": sandbox, "GRAPH_BASE_URL": sandbox}
        if name == "ingest":
            return {
                "GMAIL_API_BASE_URL": sandbox,
                "GRAPH_BASE_URL": sandbox,
                "GOOGLE_CERTS_URL": f"{sandbox}/oauth2/v1/certs",
            }
        if name == "notifier":
            return {"SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET}
        return {}


def replica_port(service: str, instance: int) -> int:
    """Replica N (1-based) of a service listens 10 ports above replica N-1."""
    return SERVICES[service] + 10 * (instance - 1)


def write_gateway_config(replicas: dict[str, int] | None = None) -> Path:
    """Render deploy/gateway/nginx.conf.template into .run/gateway, with one upstream
    server per replica; returns the nginx prefix directory."""
    prefix = RUN / "gateway"
    prefix.mkdir(parents=True, exist_ok=True)
    values = {
        "GATEWAY_PREFIX": str(prefix),
        "GATEWAY_LISTEN": f"127.0.0.1:{GATEWAY_PORT}",
        "CONSOLE_ROOT": str(ROOT / "console"),
    }
    for name in SERVICES:
        count = (replicas or {}).get(name, 1)
        servers = [f"127.0.0.1:{replica_port(name, i)}" for i in range(1, count + 1)]
        # the template says `server ${X_UPSTREAM};`: more replicas add more server lines
        values[f"{name.upper()}_UPSTREAM"] = "; server ".join(servers)
    text = (ROOT / "deploy" / "gateway" / "nginx.conf.template").read_text()
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    (prefix / "nginx.conf").write_text(text)
    return prefix


async def ensure_database(config: StackConfig) -> None:
    conn = await asyncpg.connect(config.maintenance_dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DEMO_DATABASE)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{DEMO_DATABASE}"')
    finally:
        await conn.close()


async def reset_database(config: StackConfig) -> None:
    """An empty demo database, and no events left in the services' queues from an earlier
    run: they would name mailboxes and clients the new database has never seen."""
    conn = await asyncpg.connect(config.maintenance_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DEMO_DATABASE}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{DEMO_DATABASE}"')
    finally:
        await conn.close()
    await delete_service_queues(config.rabbit_url)


async def delete_service_queues(rabbit_url: str) -> None:
    """Delete the unprefixed `<service>.*` queues (and DLQs) the local stack declares."""
    listed = await asyncio.to_thread(
        subprocess.run,
        ["rabbitmqctl", "-q", "list_queues", "name"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    names = [n for n in listed.stdout.split() if n.split(".", 1)[0] in SERVICES]
    connection = await aio_pika.connect(rabbit_url)
    async with connection:
        channel = await connection.channel()
        for name in names:
            await channel.queue_delete(name)


class Stack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        (RUN / "logs").mkdir(parents=True, exist_ok=True)

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        log = (RUN / "logs" / f"{name}.log").open("ab")
        full_env = {**os.environ, **env}
        self.processes[name] = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start(self) -> None:
        self._spawn(
            "sandbox",
            [
                str(BIN / "python"),
                "-m",
                "sandbox",
                "--host",
                "127.0.0.1",
                "--port",
                str(SANDBOX_PORT),
                "--cert-dir",
                str(RUN / "sandbox"),
                "--push-endpoint",
                f"{self.config.callback_base_url}/webhooks/gmail/push",
            ],
            {},
        )
        self.wait_http("sandbox", f"{self.config.sandbox_url}/_sandbox/health", verify=False)
        for name, port in SERVICES.items():
            self._spawn(name, [str(BIN / f"leadwire-{name}")], self.config.service_env(name, port))
        for name, port in SERVICES.items():
            self.wait_http(name, f"http://127.0.0.1:{port}/health/ready")
        if self.config.with_gateway:
            self._start_gateway()

    def _start_gateway(self) -> None:
        nginx = _nginx() or "nginx"
        prefix = write_gateway_config()
        self._spawn(
            "gateway",
            [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
            {},
        )
        self.wait_http("gateway", f"http://127.0.0.1:{GATEWAY_PORT}/health")

    def wait_http(self, name: str, url: str, *, verify: bool = True, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes.get(name)
            if process is not None and process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited ({process.returncode}); see .run/logs/{name}.log"
                )
            try:
                if httpx.get(url, verify=verify, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{name} not ready at {url} after {timeout}s; see .run/logs/{name}.log")

    def stop(self) -> None:
        # SIGTERM first: services stop consuming, finish in-flight work, flush the outbox.
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
