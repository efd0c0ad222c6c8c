"""Start the sandbox in a background thread, for pytest and for the demo.

    with start_sandbox() as sb:
        sb.control.post("/_sandbox/mailboxes", json={...})

Fixtures: `sandbox_session` (one server per test session / xdist worker) and
`sandbox` (the same server, reset before each test). This module is a pytest
plugin (pytest11 entry point in sandbox/pyproject.toml): every suite has them.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn

from sandbox.app import Sandbox, create_app
from sandbox.config import SandboxConfig
from sandbox.tls import make_certs


def _json(resp: httpx.Response) -> dict[str, Any]:
    answer: dict[str, Any] = resp.json()
    return answer


@dataclass
class RunningSandbox:
    base_url: str
    ca_path: Path
    config: SandboxConfig
    control: httpx.Client  # base_url set, trusts the sandbox CA
    state: Sandbox = field(repr=False)  # in-process handle, e.g. state.provider("google")

    def create_mailbox(self, provider: str, address: str, **options: Any) -> dict[str, Any]:
        body = {"provider": provider, "address": address, **options}
        resp = self.control.post("/_sandbox/mailboxes", json=body)
        resp.raise_for_status()
        return _json(resp)

    def deliver(self, address: str, **fields: Any) -> dict[str, Any]:
        resp = self.control.post(f"/_sandbox/mailboxes/{address}/inbound", json=fields)
        resp.raise_for_status()
        return _json(resp)

    def sent(self, address: str) -> list[dict[str, Any]]:
        resp = self.control.get(f"/_sandbox/mailboxes/{address}/sent")
        resp.raise_for_status()
        answer: list[dict[str, Any]] = resp.json()
        return answer

    def reply(self, address: str, message_id: str, text: str, **fields: Any) -> dict[str, Any]:
        """The person behind a sandbox mailbox replies in thread to one of its messages."""
        body = {"id": message_id, "text": text, **fields}
        resp = self.control.post(f"/_sandbox/mailboxes/{address}/reply", json=body)
        resp.raise_for_status()
        return _json(resp)

    def add_fault(self, **spec: Any) -> dict[str, Any]:
        resp = self.control.post("/_sandbox/faults", json=spec)
        resp.raise_for_status()
        return _json(resp)

    def reset(self) -> None:
        self.control.post("/_sandbox/reset").raise_for_status()


GMAIL_SCOPES = (
    "openid",
    "email",
    "https://www.googleapis.com/auth/gmail.readonly",
    "https://www.googleapis.com/auth/gmail.send",
    "https://www.googleapis.com/auth/gmail.modify",
)


def google_connect(
    sb: RunningSandbox,
    address: str,
    scopes: tuple[str, ...] = GMAIL_SCOPES,
    redirect_uri: str = "https://app.test/oauth/google/callback",
    **extra: str,
) -> dict[str, Any]:
    """Run Google's auth-code + PKCE flow for a sandbox account; the /token answer."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    params = {
        "client_id": sb.config.google_client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": " ".join(scopes),
        "state": secrets.token_urlsafe(16),
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
        "access_type": "offline",
        "prompt": "consent",
        "login_hint": address,
        **extra,
    }
    resp = sb.control.get("/o/oauth2/v2/auth", params=params)
    if resp.status_code != 302:
        raise RuntimeError(f"authorization failed: {resp.status_code} {resp.text[:200]}")
    query = parse_qs(urlsplit(resp.headers["location"]).query)
    if "code" not in query:
        raise RuntimeError(f"authorization refused: {query}")
    form = {
        "grant_type": "authorization_code",
        "code": query["code"][0],
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
        "client_id": sb.config.google_client_id,
        "client_secret": sb.config.google_client_secret,
    }
    token = sb.control.post("/token", data=form)
    token.raise_for_status()
    answer: dict[str, Any] = token.json()
    return answer


def _run_loop(main: Any) -> None:
    # The asyncio loop in a thread answered each TLS request only after ~43 ms
    # (measured); uvloop answers in ~1 ms, so tests and benches see the sandbox's speed.
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] ships it
        asyncio.run(main)
    else:
        uvloop.run(main)


def _bound_socket(host: str) -> socket.socket:
    # Bind ourselves and hand the socket to uvicorn: no free-port race.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


@contextmanager
def start_sandbox(
    config: SandboxConfig | None = None, timeout: float = 10.0
) -> Iterator[RunningSandbox]:
    config = config or SandboxConfig(cert_dir=Path(tempfile.mkdtemp(prefix="leadwire-sandbox-")))
    sock = _bound_socket(config.host)
    config.port = sock.getsockname()[1]
    certs = make_certs(config.cert_dir)
    app = create_app(config)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            ssl_certfile=str(certs.cert_path),
            ssl_keyfile=str(certs.key_path),
            timeout_graceful_shutdown=1,
            log_level="warning",
            lifespan="on",
        )
    )
    thread = threading.Thread(
        target=lambda: _run_loop(server.serve(sockets=[sock])), name="sandbox", daemon=True
    )
    thread.start()
    control = httpx.Client(base_url=config.base_url, verify=certs.client_ssl_context(), timeout=10)
    try:
        _wait_ready(control, server, thread, timeout)
        yield RunningSandbox(config.base_url, certs.ca_path, config, control, app.state.sandbox)
    finally:
        control.close()
        server.should_exit = True
        thread.join(timeout=2)
        if thread.is_alive():  # a client still holds a keep-alive connection: stop anyway
            server.force_exit = True
            thread.join(timeout=5)
        sock.close()


def _wait_ready(
    control: httpx.Client, server: uvicorn.Server, thread: threading.Thread, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("sandbox server thread died while starting")
        if server.started:
            try:
                if control.get("/_sandbox/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
        time.sleep(0.02)
    raise RuntimeError(f"sandbox did not answer within {timeout}s")


@pytest.fixture(scope="session")
def sandbox_session() -> Iterator[RunningSandbox]:
    with start_sandbox() as running:
        yield running


@pytest.fixture
def sandbox(sandbox_session: RunningSandbox) -> Iterator[RunningSandbox]:
    """The session's sandbox, reset; config fields a test changes are put back after it."""
    saved = dataclasses.asdict(sandbox_session.config)
    sandbox_session.reset()
    yield sandbox_session
    for name, value in saved.items():
        setattr(sandbox_session.config, name, value)
