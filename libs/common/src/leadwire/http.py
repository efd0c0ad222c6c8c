"""HTTP clients for provider calls: timeouts, TLS from PROVIDER_CA_BUNDLE, bounded retries.

`create_async_client` wraps the real transport in a retrying one
(see `leadwire.retry.HttpRetryPolicy` for what is retried). `requests_session` is for msal,
which needs a `requests.Session`: it ignores REQUESTS_CA_BUNDLE and proxies from the
environment (trust_env=False), because msal's own `verify=` loses to that variable.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Awaitable, Callable, Mapping
from functools import cache

import httpx
import requests

from leadwire.redaction import redact_url
from leadwire.retry import HttpRetryPolicy

__all__ = [
    "AsyncRetryTransport",
    "HttpRetryPolicy",
    "create_async_client",
    "requests_session",
    "ssl_context",
]

_log = logging.getLogger("leadwire.http")


@cache
def _system_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not context.cert_store_stats().get("x509_ca"):
        # Minimal images may have no system store loaded by OpenSSL; certifi is a safe default.
        import certifi

        context.load_verify_locations(certifi.where())
    return context


def ssl_context(ca_bundle: str = "") -> ssl.SSLContext:
    """Verification context: the given CA bundle file, or the system trust store if ""."""
    if not ca_bundle:
        return _system_context()
    try:
        return ssl.create_default_context(cafile=ca_bundle)
    except (FileNotFoundError, ssl.SSLError) as exc:
        raise ValueError(f"cannot load CA bundle {ca_bundle!r}: {exc}") from None


def _log_retry(request: httpx.Request, attempt: int, delay: float, why: str) -> None:
    _log.warning(
        "http retry %d for %s %s in %.2fs: %s",
        attempt + 1,
        request.method,
        redact_url(str(request.url)),
        delay,
        why,
    )


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """Wraps another async transport and retries per `HttpRetryPolicy`."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        policy: HttpRetryPolicy,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._inner = inner
        self._policy = policy
        self._sleep = sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()  # buffer the body so a retry can send it again
        attempt = 0
        while True:
            try:
                response = await self._inner.handle_async_request(request)
            except httpx.TransportError as exc:
                delay = self._policy.delay_after_error(request.method, attempt, exc)
                if delay is None:
                    raise
                _log_retry(request, attempt, delay, type(exc).__name__)
            else:
                delay = self._policy.delay_after_response(request.method, attempt, response)
                if delay is None:
                    return response
                await response.aclose()
                _log_retry(request, attempt, delay, f"status {response.status_code}")
            await self._sleep(delay)
            attempt += 1

    async def aclose(self) -> None:
        await self._inner.aclose()


def _timeout(timeout: float) -> httpx.Timeout:
    # Connect fails fast; the overall budget covers slow provider responses.
    return httpx.Timeout(timeout, connect=min(timeout, 5.0))


def create_async_client(
    *,
    base_url: str = "",
    timeout: float = 10.0,
    ca_bundle: str = "",
    max_retries: int = 3,
    backoff_base: float = 0.5,
    backoff_max: float = 30.0,
    headers: Mapping[str, str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    policy: HttpRetryPolicy | None = None,
) -> httpx.AsyncClient:
    """An AsyncClient whose requests retry per policy. `transport` is the *inner* transport
    (tests pass httpx.MockTransport); by default a real one verifying with `ca_bundle`."""
    inner = transport or httpx.AsyncHTTPTransport(verify=ssl_context(ca_bundle), retries=0)
    rules = policy or HttpRetryPolicy(
        max_retries=max_retries, backoff_base=backoff_base, backoff_max=backoff_max
    )
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=_timeout(timeout),
        headers=dict(headers or {}),
        transport=AsyncRetryTransport(inner, rules, sleep or asyncio.sleep),
        trust_env=False,
    )


def requests_session(ca_bundle: str = "") -> requests.Session:
    """A requests.Session for msal's `http_client=`: verifies with `ca_bundle` ("" means the
    default store) and ignores REQUESTS_CA_BUNDLE / proxy variables (trust_env=False)."""
    if ca_bundle:
        ssl_context(ca_bundle)  # fail at start with a clear error if the file is unusable
    session = requests.Session()
    session.trust_env = False
    session.verify = ca_bundle or True
    return session
