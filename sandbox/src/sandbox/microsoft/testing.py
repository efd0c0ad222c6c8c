"""Helpers for tests that drive the Microsoft fake with the official clients.

- `msal_app(base_url, ca_path)`: a real msal ConfidentialClientApplication aimed at the sandbox.
- `sign_in(app, address, scopes)`: the browser leg of the auth-code flow, then the token redeem.
- `Receiver`: a tiny loopback HTTP server standing in for a webhook endpoint
  (answers Graph's validationToken handshake, records notifications).
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import msal
import requests

from sandbox.config import SandboxConfig

REDIRECT_URI = "http://127.0.0.1:9/oauth/microsoft/callback"


def msal_app(
    base_url: str, ca_path: Path | str, config: SandboxConfig | None = None, tenant: str = "common"
) -> msal.ConfidentialClientApplication:
    # msal ignores verify= when REQUESTS_CA_BUNDLE is set: hand it a session instead.
    session = requests.Session()
    session.verify = str(ca_path)
    session.trust_env = False
    config = config or SandboxConfig()
    return msal.ConfidentialClientApplication(
        config.microsoft_client_id,
        client_credential=config.microsoft_client_secret,
        authority=f"{base_url}/{tenant}",
        instance_discovery=False,
        http_client=session,
    )


def authorize_redirect(
    app: msal.ConfidentialClientApplication, ca_path: Path | str, flow: dict[str, Any]
) -> dict[str, str]:
    """Follow the authorize URL like a browser would; the redirect's query parameters."""
    with httpx.Client(verify=ssl.create_default_context(cafile=str(ca_path))) as browser:
        answer = browser.get(flow["auth_uri"])
    if answer.status_code != 302:
        raise AssertionError(f"authorize answered {answer.status_code}: {answer.text[:200]}")
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    return {k: v[0] for k, v in query.items()}


def sign_in(
    app: msal.ConfidentialClientApplication, ca_path: Path | str, address: str, scopes: list[str]
) -> dict[str, Any]:
    flow = app.initiate_auth_code_flow(scopes, redirect_uri=REDIRECT_URI, login_hint=address)
    result: dict[str, Any] = app.acquire_token_by_auth_code_flow(
        flow, authorize_redirect(app, ca_path, flow)
    )
    return result


class Receiver:
    """Records POSTs; `statuses` are answered in order (then 202), each after its `delays`
    entry; echo modes for handshakes. Also serves as a Gmail Pub/Sub push endpoint."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.validations: list[str] = []
        self.statuses: list[int] = []
        self.delays: list[float] = []  # seconds to wait before answering, in order
        self.echo = "exact"  # "exact" | "wrong" | "json" | "slow"
        self.slow_seconds = 1.0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                token = parse_qs(urlsplit(self.path).query).get("validationToken")
                if token:
                    receiver._answer_validation(self, token[0])
                    return
                with receiver._lock:
                    receiver.received.append(json.loads(body or b"{}"))
                    status = receiver.statuses.pop(0) if receiver.statuses else 202
                    delay = receiver.delays.pop(0) if receiver.delays else 0.0
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/notify"

    def _answer_validation(self, handler: BaseHTTPRequestHandler, token: str) -> None:
        self.validations.append(token)
        if self.echo == "slow":
            time.sleep(self.slow_seconds)
        text, ctype = token, "text/plain; charset=utf-8"
        if self.echo == "wrong":
            text = "not-the-token"
        elif self.echo == "json":
            text, ctype = json.dumps(token), "application/json"
        data = text.encode()
        handler.send_response(200)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.01)
        raise AssertionError(f"expected {count} notifications, got {len(self.received)}")


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(
        target=receiver._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield receiver
    finally:
        receiver._server.shutdown()
        receiver._server.server_close()
