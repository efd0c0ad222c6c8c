"""Google's error shapes, rendered by a route class so routers stay self-contained."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from sandbox.faults import google_error_json
from sandbox.google.oauth_state import OAuthError


class GoogleApiError(Exception):
    """A Gmail/Google API error: {"error": {"code", "message", "errors", "status"}}."""

    def __init__(
        self,
        status: int,
        message: str,
        reason: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.reason, self.headers = status, message, reason, headers


def unauthenticated() -> GoogleApiError:
    return GoogleApiError(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential.",
        reason="authError",
        headers={
            "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
        },
    )


def insufficient_scope() -> GoogleApiError:
    return GoogleApiError(
        403, "Request had insufficient authentication scopes.", reason="insufficientPermissions"
    )


def render_api_error(exc: GoogleApiError) -> JSONResponse:
    body = google_error_json(exc.status, exc.message)
    if exc.reason:
        body["error"]["errors"][0]["reason"] = exc.reason
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


def render_oauth_error(exc: OAuthError) -> JSONResponse:
    return JSONResponse(
        {"error": exc.code, "error_description": exc.description},
        status_code=exc.status,
        headers={"Cache-Control": "no-store"},
    )


class GoogleRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except GoogleApiError as exc:
                return render_api_error(exc)
            except OAuthError as exc:
                return render_oauth_error(exc)

        return handle
