"""Fault injection: rules per route, applied by a small ASGI middleware.

A rule matches a path prefix or regex (and optionally a method) and then adds
latency, answers an error status (with Retry-After), or hangs and answers 504
(a "timeout"), for `count` requests or a `ratio` of them. Error bodies take the
provider's shape: a provider may format its own through `fault_error_body`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

# (path, status, message) -> (content_type, body) or None when not this provider's path
ErrorFormatter = Callable[[str, int, str], "tuple[str, bytes] | None"]
# (path, bearer token) -> the lower-cased mailbox address the token speaks for, or None
MailboxResolver = Callable[[str, str], "str | None"]
Headers = list[tuple[bytes, bytes]]  # ASGI request headers

_GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_GRAPH_CODE = {
    400: "BadRequest",
    401: "InvalidAuthenticationToken",
    403: "ErrorAccessDenied",
    404: "ErrorItemNotFound",
    429: "TooManyRequests",
    500: "generalException",
    503: "serviceNotAvailable",
    504: "UnknownError",
}
_GOOGLE_PREFIXES = ("/gmail/", "/oauth2/", "/o/oauth2/", "/token", "/revoke", "/tokeninfo")


def google_error_json(status: int, message: str) -> dict[str, Any]:
    reason = "rateLimitExceeded" if status == 429 else "backendError"
    return {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
            "status": _GOOGLE_STATUS.get(status, "UNKNOWN"),
        }
    }


def graph_error_json(status: int, message: str) -> dict[str, Any]:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return {
        "error": {
            "code": _GRAPH_CODE.get(status, "UnknownError"),
            "message": message,
            "innerError": {"date": now, "request-id": "sandbox", "client-request-id": "sandbox"},
        }
    }


def default_error_body(path: str, status: int, message: str) -> tuple[str, bytes]:
    if path.startswith(_GOOGLE_PREFIXES):
        body = google_error_json(status, message)
    elif path.startswith("/v1.0/"):
        body = graph_error_json(status, message)
    else:
        body = {"error": {"code": status, "message": message}}
    return "application/json; charset=UTF-8", json.dumps(body).encode()


@dataclass
class FaultRule:
    id: int
    path: str | None = None  # prefix
    path_regex: str | None = None
    method: str | None = None
    status: int | None = None  # None: only add latency
    retry_after: int | None = None
    count: int | None = None  # remaining matches; None = forever
    ratio: float | None = None  # fraction of matching requests affected
    latency_ms: int = 0
    timeout_seconds: float | None = None  # hang, then 504
    body: Any = None  # overrides the provider-shaped error body
    # Only requests whose bearer token belongs to this mailbox (Gmail paths say users/me).
    mailbox: str | None = None
    # The provider performs the request, then the client sees `status` or the timeout:
    # "applied but the answer was lost".
    applied: bool = False
    hits: int = 0
    _regex: re.Pattern[str] | None = field(default=None, repr=False)

    def matches(self, method: str, path: str, mailbox: Callable[[], str | None]) -> bool:
        if self.count is not None and self.count <= 0:
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        if self.path and not path.startswith(self.path):
            return False
        if self._regex and not self._regex.search(path):
            return False
        if self.mailbox and (mailbox() or "") != self.mailbox.lower():
            return False
        return self.ratio is None or random.random() < self.ratio

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("_regex", None)
        return data


class FaultRegistry:
    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)
        self.formatters: list[ErrorFormatter] = []
        self.resolvers: list[MailboxResolver] = []

    def add(self, **spec: Any) -> FaultRule:
        allowed = set(FaultRule.__dataclass_fields__) - {"id", "hits", "_regex"}
        unknown = set(spec) - allowed
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        if not spec.get("path") and not spec.get("path_regex"):
            raise ValueError("a fault needs 'path' (prefix) or 'path_regex'")
        if (
            spec.get("status") is None
            and not spec.get("latency_ms")
            and not spec.get("timeout_seconds")
        ):
            raise ValueError("a fault needs 'status', 'latency_ms' or 'timeout_seconds'")
        if spec.get("applied") and spec.get("status") is None and not spec.get("timeout_seconds"):
            raise ValueError("an 'applied' fault needs the 'status' or 'timeout_seconds' seen")
        rule = FaultRule(id=next(self._ids), **spec)
        if rule.path_regex:
            rule._regex = re.compile(rule.path_regex)
        self._rules.append(rule)
        return rule

    def remove(self, rule_id: int) -> bool:
        before = len(self._rules)
        self._rules = [r for r in self._rules if r.id != rule_id]
        return len(self._rules) != before

    def clear(self) -> None:
        self._rules.clear()

    def list(self) -> list[dict[str, Any]]:
        return [r.public() for r in self._rules]

    def mailbox_of(self, path: str, headers: Headers) -> str | None:
        auth = next((v for k, v in headers if k == b"authorization"), b"").decode("latin-1")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        for resolve in self.resolvers:
            found = resolve(path, token.strip())
            if found is not None:
                return found.lower()
        return None

    def pick(self, method: str, path: str, headers: Headers | None = None) -> FaultRule | None:
        if not self._rules:  # the usual case: keep the happy path to one check
            return None
        cache: list[str | None] = []

        def mailbox() -> str | None:  # resolved once, and only if a rule asks
            if not cache:
                cache.append(self.mailbox_of(path, headers or []))
            return cache[0]

        for rule in self._rules:
            if rule.matches(method, path, mailbox):
                rule.hits += 1
                if rule.count is not None:
                    rule.count -= 1
                return rule
        return None

    def error_body(self, path: str, status: int, message: str) -> tuple[str, bytes]:
        for fmt in self.formatters:
            answer = fmt(path, status, message)
            if answer is not None:
                return answer
        return default_error_body(path, status, message)


Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def _discard(message: dict[str, Any]) -> None:
    """An ASGI send that drops the answer (the provider acted, the client never hears)."""


class FaultMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware) so the happy path costs one list scan."""

    def __init__(self, app: Callable[..., Awaitable[None]], registry: FaultRegistry) -> None:
        self.app = app
        self.registry = registry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/_sandbox"):
            await self.app(scope, receive, send)
            return
        rule = self.registry.pick(scope["method"], path, scope.get("headers"))
        if rule is None:
            await self.app(scope, receive, send)
            return
        if rule.latency_ms:
            await asyncio.sleep(rule.latency_ms / 1000)
        if rule.applied:
            await self.app(scope, receive, _discard)  # performed; its answer is lost
        if rule.timeout_seconds:
            await asyncio.sleep(rule.timeout_seconds)
            await self._answer(send, path, 504, None, rule.body, "Deadline exceeded (sandbox)")
            return
        if rule.status is None:
            await self.app(scope, receive, send)
            return
        message = "Rate limit exceeded (sandbox)" if rule.status == 429 else "Injected fault"
        await self._answer(send, path, rule.status, rule.retry_after, rule.body, message)

    async def _answer(
        self, send: Send, path: str, status: int, retry_after: int | None, body: Any, msg: str
    ) -> None:
        if body is not None:
            ctype, data = "application/json", json.dumps(body).encode()
        else:
            ctype, data = self.registry.error_body(path, status, msg)
        headers = [(b"content-type", ctype.encode()), (b"content-length", str(len(data)).encode())]
        if retry_after is not None:
            headers.append((b"retry-after", str(retry_after).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})
