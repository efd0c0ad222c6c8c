"""The console under test: the real oauth service (in-process, on the sandbox) behind the
real nginx gateway built from deploy/gateway/nginx.conf.template, serving console/, and
driven by headless Chromium from Debian's packages through Selenium.

Services that are not started here (ingest, drafter, sender, notifier) point at a port
nobody listens on, so the console meets the gateway's real 502 for them.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from leadwire.testing import ServiceUnderTest, TestStack, free_port

ADMIN_PASSWORD = "correct horse battery staple"

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "gateway" / "nginx.conf.template"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The sandbox's provider pages use its own test CA, which Chromium does not know.
    "--ignore-certificate-errors",
)


@dataclass
class Console:
    """The gateway's URL, and the oauth service behind it."""

    url: str
    oauth: ServiceUnderTest
    password: str = ADMIN_PASSWORD

    async def get(self, path: str, **params: str) -> Any:
        """An admin API answer through the gateway, signed in as the console's admin."""
        async with httpx.AsyncClient(base_url=self.url, timeout=20) as http:
            login = await http.post(
                "/admin/login", json={"username": "admin", "password": self.password}
            )
            login.raise_for_status()
            token = login.json()["access_token"]
            answer = await http.get(
                path, params=params, headers={"Authorization": f"Bearer {token}"}
            )
        answer.raise_for_status()
        return answer.json()


def render_gateway(prefix: Path, listen: int, upstreams: dict[str, int]) -> Path:
    """nginx.conf from the real template, as scripts/stack.py renders it."""
    values = {
        "GATEWAY_PREFIX": str(prefix),
        "GATEWAY_LISTEN": f"127.0.0.1:{listen}",
        "CONSOLE_ROOT": str(ROOT / "console"),
        **{f"{name.upper()}_UPSTREAM": f"127.0.0.1:{port}" for name, port in upstreams.items()},
    }
    prefix.mkdir(parents=True, exist_ok=True)
    text = TEMPLATE.read_text()
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    conf = prefix / "nginx.conf"
    conf.write_text(text)
    return conf


@contextlib.contextmanager
def gateway(prefix: Path, port: int, upstreams: dict[str, int]) -> Iterator[str]:
    if NGINX is None:
        pytest.fail("nginx is not installed: `apt-get install -y nginx` (make demo does it)")
    conf = render_gateway(prefix, port, upstreams)
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if process.poll() is not None:
                pytest.fail(
                    f"nginx exited: {process.stderr.read().decode() if process.stderr else ''}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest_asyncio.fixture
async def gateway_services() -> dict[str, ServiceUnderTest]:
    """Services besides oauth the gateway routes to; a test module overrides this fixture
    to start, say, the drafter in the same stack. Unlisted ones answer 502."""
    return {}


@pytest_asyncio.fixture
async def console(
    stack: TestStack,
    sandbox: object,
    tmp_path: Path,
    gateway_services: dict[str, ServiceUnderTest],
) -> AsyncIterator[Console]:
    from leadwire_oauth.main import create_app
    from leadwire_oauth.settings import OAuthSettings

    port = free_port()
    oauth = await stack.start(
        create_app,
        OAuthSettings,
        # oauth builds its callback URLs from PUBLIC_BASE_URL: the gateway, as in production.
        public_base_url=f"http://127.0.0.1:{port}",
        encryption_keys=f"k1:{base64.b64encode(os.urandom(32)).decode()}",
        state_secret="test-state-secret-0123456789abcdef",
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
    )
    nobody = free_port()
    upstreams = {name: nobody for name in ("ingest", "drafter", "sender", "notifier")}
    for name, service in {**gateway_services, "oauth": oauth}.items():
        upstreams[name] = int(service.url.rsplit(":", 1)[1])
    with gateway(tmp_path / "gateway", port, upstreams) as url:
        yield Console(url, oauth)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip(
            "no Chromium here: `apt-get install -y chromium chromium-driver` to run the "
            "console's browser tests"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(flag)
    options.add_argument("--window-size=1280,900")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
        # A script error (or a CSP refusal) fails the test; a failed request is the
        # gateway's answer under test and is shown in words by the console instead.
        errors = [
            entry["message"]
            for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE" and "Failed to load resource" not in entry["message"]
        ]
        assert errors == [], f"errors in the browser console: {errors}"
    finally:
        driver.quit()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where screenshots go: docs/screenshots when CONSOLE_SCREENSHOTS=1, else tmp."""
    if os.environ.get("CONSOLE_SCREENSHOTS") == "1":
        return ROOT / "docs" / "screenshots"
    return tmp_path
