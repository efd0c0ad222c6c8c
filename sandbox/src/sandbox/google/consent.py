"""The authorization (consent) step of Google's OAuth: pick the account, grant scopes.

Sandbox-only knobs, for testing a service's handling of odd consents:
  query `sandbox_deny=1`            -> redirect with error=access_denied
  query `sandbox_grant_scopes=a b`  -> grant only these (plus identity scopes)
  mailbox options `deny_consent` / `grant_scopes`, or the control call
  POST /_sandbox/google/consent {"deny_next": true} do the same.
"""

from __future__ import annotations

import html
import time
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from sandbox.google.oauth_state import IDENTITY_SCOPES, AuthCode

if TYPE_CHECKING:
    from sandbox.google.fake import GoogleFake

CODE_LIFETIME = 600


def _redirect(uri: str, params: dict[str, str]) -> str:
    return f"{uri}{'&' if '?' in uri else '?'}{urlencode(params)}"


def error_page(message: str) -> HTMLResponse:
    body = f"<html><body><h1>Access blocked</h1><p>{html.escape(message)}</p></body></html>"
    return HTMLResponse(body, status_code=400)


def account_chooser(fake: GoogleFake, request: Request) -> HTMLResponse:
    params = dict(request.query_params)
    links = []
    for box in fake.mailboxes.values():
        url = f"{request.url.path}?{urlencode({**params, 'login_hint': box.address})}"
        links.append(
            f'<li><a href="{html.escape(url)}">{html.escape(box.display_name)} '
            f"&lt;{html.escape(box.address)}&gt;</a></li>"
        )
    items = "".join(links) or "<li>No sandbox accounts: create a mailbox first.</li>"
    page = f"<html><body><h1>Choose an account</h1><ul>{items}</ul></body></html>"
    return HTMLResponse(page)


def _granted(requested: list[str], allowed: list[str] | None) -> list[str]:
    if allowed is None:
        return requested
    return [s for s in requested if s in allowed or s in IDENTITY_SCOPES]


def _validate(fake: GoogleFake, params: dict[str, str]) -> str | None:
    if params.get("client_id") != fake.config.google_client_id:
        return "Error 401: invalid_client. The OAuth client was not found."
    if not params.get("redirect_uri"):
        return "Error 400: invalid_request. Missing required parameter: redirect_uri"
    if not params.get("scope"):
        return "Error 400: invalid_request. Missing required parameter: scope"
    method = params.get("code_challenge_method", "plain")
    if params.get("code_challenge") and method not in {"S256", "plain"}:
        return f"Error 400: invalid_request. Invalid code_challenge_method: {method}"
    return None


def authorize_request(fake: GoogleFake, params: dict[str, str]) -> tuple[str, str]:
    """("error", message) | ("choose", "") | ("redirect", url)."""
    problem = _validate(fake, params)
    if problem:
        return "error", problem
    uri, state = params["redirect_uri"], params.get("state")
    back = {"state": state} if state is not None else {}
    if params.get("response_type", "code") != "code":
        return "redirect", _redirect(uri, {"error": "unsupported_response_type", **back})
    box = fake.mailbox(params.get("login_hint", ""))
    if box is None:
        return "choose", ""
    if params.get("sandbox_deny") == "1" or box.options.get("deny_consent") or fake.deny_next:
        fake.deny_next = False
        return "redirect", _redirect(uri, {"error": "access_denied", **back})
    requested = params["scope"].split()
    allowed = params.get("sandbox_grant_scopes")
    scopes = _granted(requested, allowed.split() if allowed else box.options.get("grant_scopes"))
    code = AuthCode(
        client_id=params["client_id"],
        redirect_uri=uri,
        address=box.address,
        scopes=scopes,
        challenge=params.get("code_challenge"),
        challenge_method=params.get("code_challenge_method", "plain"),
        offline=params.get("access_type") == "offline",
        force_consent="consent" in params.get("prompt", "").split(),
        nonce=params.get("nonce"),
        expires_at=time.time() + CODE_LIFETIME,
    )
    value = fake.oauth.issue_code(code)
    out = {**back, "code": value, "scope": " ".join(scopes), "authuser": "0", "prompt": "consent"}
    return "redirect", _redirect(uri, out)
