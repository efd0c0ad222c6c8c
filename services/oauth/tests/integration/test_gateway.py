"""The nginx gateway (deploy/gateway/nginx.conf.template) in front of a real oauth:
no codes or state in its log, request ids, no version banner, rate limits."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from leadwire.testing import free_port
from leadwire_oauth.testing import OAuthHarness

pytestmark = pytest.mark.integration

TEMPLATE = Path(__file__).parents[4] / "deploy" / "gateway" / "nginx.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@contextlib.contextmanager
def running_gateway(tmp_path: Path, oauth_port: int) -> Iterator[str]:
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: run scripts/ensure-infra.sh --gateway")
    port = free_port()
    values = {
        "GATEWAY_PREFIX": str(tmp_path),
        "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        "OAUTH_UPSTREAM": f"127.0.0.1:{oauth_port}",
        "CONSOLE_ROOT": str(TEMPLATE.parents[2] / "console"),
        # Nothing listens there: only oauth's routes are exercised.
        **{
            f"{name}_UPSTREAM": "127.0.0.1:9"
            for name in ("INGEST", "DRAFTER", "SENDER", "NOTIFIER")
        },
    }
    text = TEMPLATE.read_text()
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    (tmp_path / "nginx.conf").write_text(text)
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode() if process.stderr else "")
            subprocess.run(["sleep", "0.05"], check=True)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
async def gateway(oauth: OAuthHarness, tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    with running_gateway(tmp_path, oauth.settings.http_port) as base:
        yield base, tmp_path / "access.log"


async def test_callback_codes_and_state_stay_out_of_the_access_log(gateway, oauth: OAuthHarness):
    base, log = gateway
    secret_query = "code=4%2F0AQSsecretcode&state=signed.state.value&client_info=eyJzZWNyZXQ"
    async with httpx.AsyncClient(base_url=base) as browser:
        answer = await browser.get(f"/oauth/google/callback?{secret_query}")
    await asyncio.sleep(0.2)  # nginx writes its log line after answering

    written = log.read_text()
    assert answer.status_code == 400  # unknown state, refused by oauth
    assert "/oauth/google/callback" in written
    for secret in ("secretcode", "signed.state.value", "eyJzZWNyZXQ", "code="):
        assert secret not in written


async def test_request_id_is_generated_passed_on_and_echoed(gateway):
    base, log = gateway
    async with httpx.AsyncClient(base_url=base) as client:
        generated = await client.get("/admin/clients")
        given = await client.get("/admin/clients", headers={"X-Request-ID": "trace-42"})
        injected = await client.get("/admin/clients", headers={"X-Request-ID": "bad id <script>"})

    assert len(generated.headers["x-request-id"]) >= 16
    assert given.headers["x-request-id"] == "trace-42"
    assert injected.headers["x-request-id"] != "bad id <script>"
    assert len(given.headers.get_list("x-request-id")) == 1
    await asyncio.sleep(0.2)
    assert "rid=trace-42" in log.read_text()


async def test_oauth_logs_and_echoes_the_request_id(oauth: OAuthHarness):
    answer = await oauth.api.get("/admin/clients", headers={"X-Request-ID": "trace-7"})
    assert answer.headers["x-request-id"] == "trace-7"


async def test_no_version_banner(gateway):
    base, _ = gateway
    async with httpx.AsyncClient(base_url=base) as client:
        answer = await client.get("/health")

    assert answer.headers.get("server") == "nginx"


@pytest.mark.parametrize(("path", "burst"), [("/admin/login", 20), ("/lead/acme", 30)])
async def test_rate_limits_answer_429(gateway, path: str, burst: int):
    base, _ = gateway
    sent = burst + 20
    limits = httpx.Limits(max_connections=sent)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        answers = await asyncio.gather(
            *(client.post(path, json={"username": f"x{i}", "password": "y"}) for i in range(sent))
        )
    # The gateway's own 429 is its HTML page; a service's would be JSON.
    by_gateway = sum(
        a.status_code == 429 and a.headers["content-type"].startswith("text/html") for a in answers
    )

    # All at once: the burst (+1) goes through, the rest is refused by the gateway.
    assert 0 < by_gateway <= sent - burst - 1
