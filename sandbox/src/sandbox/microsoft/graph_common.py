"""What every Graph route shares: error shape, bearer-token check, scopes, throttling."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.microsoft.graph_paths import GRAPH_USER_KEY, unknown_segment
from sandbox.microsoft.store import AccessToken, Mailbox, MicrosoftStore

READ = ("mail.read", "mail.readwrite", "mail.readbasic")
WRITE = ("mail.readwrite",)
SEND = ("mail.send",)
PROFILE = ("user.read", "user.readbasic.all", "user.read.all", "mail.read", "mail.readwrite")


class GraphError(Exception):
    """Answered as {"error": {"code", "message", "innerError"}}, as Graph does."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}

    def response(self) -> JSONResponse:
        request_id = str(uuid.uuid4())
        body = {
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                    "request-id": request_id,
                    "client-request-id": request_id,
                },
            }
        }
        return JSONResponse(body, self.status, headers={"request-id": request_id, **self.headers})


def not_found(what: str = "The specified object was not found in the store.") -> GraphError:
    return GraphError(404, "ErrorItemNotFound", what)


def bad_request(message: str, code: str = "BadRequest") -> GraphError:
    return GraphError(400, code, message)


@dataclass
class Caller:
    """The mailbox a bearer token speaks for, and what it may do."""

    mailbox: Mailbox
    token: AccessToken

    def require(self, allowed: tuple[str, ...]) -> None:
        if not self.token.scopes.intersection(allowed):
            raise GraphError(
                403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
            )


_WWW_AUTH = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/'
    'authorize", client_id="00000003-0000-0000-c000-000000000000"'
)


def _unauthenticated(message: str) -> GraphError:
    return GraphError(401, "InvalidAuthenticationToken", message, {"WWW-Authenticate": _WWW_AUTH})


def authenticate(store: MicrosoftStore, request: Request) -> Caller:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise _unauthenticated("Access token is empty.")
    token = store.access_tokens.get(value.strip())
    if token is None:
        raise _unauthenticated("IDX14100: JWT is not well formed, there are no dots (.).")
    if token.expires_at < time.time():
        raise _unauthenticated("Lifetime validation failed, the token is expired.")
    mailbox = store.mailbox(token.address)
    if mailbox is None:
        raise GraphError(404, "ResourceNotFound", "User not found")
    _check_named_user(store, request, mailbox)
    _throttle(store, mailbox)
    return Caller(mailbox, token)


def _check_named_user(store: MicrosoftStore, request: Request, mailbox: Mailbox) -> None:
    """`/users/{id or upn}/...`: delegated tokens reach only their own mailbox."""
    user = request.scope.get(GRAPH_USER_KEY)
    if user is None:
        return
    named = store.mailbox_by_user(user)
    if named is None:
        raise GraphError(404, "ErrorInvalidUser", f"The requested user '{user}' is invalid.")
    if named is not mailbox:
        raise GraphError(
            403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
        )


def _throttle(store: MicrosoftStore, mailbox: Mailbox) -> None:
    """A per-mailbox injected MailboxConcurrency throttle (control API)."""
    with store.lock:
        if mailbox.throttle_remaining <= 0:
            return
        mailbox.throttle_remaining -= 1
    raise GraphError(
        429,
        "ApplicationThrottled",
        "Application is over its MailboxConcurrency limit.",
        {"Retry-After": str(mailbox.throttle_retry_after)},
    )


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def odata_context(request: Request, what: str) -> str:
    return f"{base_url(request)}/v1.0/$metadata#{what}"


def prefers_text(request: Request) -> bool:
    return 'outlook.body-content-type="text"' in request.headers.get("prefer", "").lower()


def page_size_preference(request: Request) -> int | None:
    for part in request.headers.get("prefer", "").split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "odata.maxpagesize" and value.strip().isdigit():
            return max(1, int(value.strip()))
    return None


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = await request.json()
    except ValueError as exc:
        raise bad_request(
            "Unable to read JSON request payload. Please ensure Content-Type "
            "header is set and payload is of valid JSON format."
        ) from exc
    if not isinstance(data, dict):
        raise bad_request("The request payload must be a JSON object.")
    return data


def fallback_router() -> APIRouter:
    """Included last: any other /v1.0 path answers Graph's error JSON, not FastAPI's."""
    router = APIRouter(prefix="/v1.0", tags=["microsoft-graph"], include_in_schema=False)

    @router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def unknown(rest: str, request: Request) -> JSONResponse:
        segment = unknown_segment(request.url.path)
        return bad_request(f"Resource not found for the segment '{segment}'.").response()

    return router
