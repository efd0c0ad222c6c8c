"""Google OAuth 2.0 endpoints: authorize, token, revoke, userinfo, tokeninfo."""

from __future__ import annotations

import base64
import time
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from sandbox.forms import read_form
from sandbox.google.consent import account_chooser, authorize_request, error_page
from sandbox.google.errors import GoogleRoute
from sandbox.google.oauth_state import AccessToken, Grant, OAuthError, stable_sub

if TYPE_CHECKING:
    from sandbox.google.fake import GoogleFake

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _client_auth(request: Request, form: dict[str, str]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            user, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError as exc:
            raise OAuthError("invalid_client", "Unauthorized", 401) from exc
        return user, secret
    return form.get("client_id", ""), form.get("client_secret", "")


def oauth_router(fake: GoogleFake) -> APIRouter:
    router = APIRouter(route_class=GoogleRoute, tags=["google-oauth"])
    config = fake.config

    @router.get("/o/oauth2/v2/auth", response_model=None)
    @router.get("/o/oauth2/auth", response_model=None)
    async def authorize(request: Request) -> HTMLResponse | RedirectResponse:
        params = dict(request.query_params)
        kind, value = authorize_request(fake, params)
        if kind == "error":  # the request is not good enough to redirect back with an error
            return error_page(value)
        if kind == "choose":
            return account_chooser(fake, request)
        return RedirectResponse(value, status_code=302)

    @router.post("/token")
    async def token(request: Request) -> JSONResponse:
        form = await read_form(request)
        client_id, secret = _client_auth(request, form)
        if client_id != config.google_client_id or secret != config.google_client_secret:
            raise OAuthError("invalid_client", "Unauthorized", 401)
        grant_type = form.get("grant_type", "")
        if grant_type == "authorization_code":
            if not form.get("code"):
                raise OAuthError("invalid_request", "Missing required parameter: code")
            code = fake.oauth.redeem_code(
                form["code"], client_id, form.get("redirect_uri"), form.get("code_verifier")
            )
            grant = fake.oauth.new_grant(code)
            body = _token_body(fake, grant, code.nonce)
        elif grant_type == "refresh_token":
            if not form.get("refresh_token"):
                raise OAuthError("invalid_request", "Missing required parameter: refresh_token")
            grant = fake.oauth.grant_for_refresh(form["refresh_token"], client_id)
            body = _token_body(fake, grant, None)
            body.pop("refresh_token", None)  # Google keeps the refresh token: no rotation
        else:
            raise OAuthError("unsupported_grant_type", f"Invalid grant_type: {grant_type}")
        return JSONResponse(body, headers=_NO_STORE)

    @router.post("/revoke")
    @router.get("/o/oauth2/revoke")
    async def revoke(request: Request) -> JSONResponse:
        form = await read_form(request) if request.method == "POST" else {}
        value = str(form.get("token") or request.query_params.get("token") or "")
        if not fake.oauth.revoke_token(value):
            raise OAuthError("invalid_token", "Token expired or revoked")
        return JSONResponse({})

    def bearer(request: Request) -> AccessToken:
        header = request.headers.get("authorization", "")
        token = (
            fake.oauth.lookup_access_token(header[7:]) if header[:7].lower() == "bearer " else None
        )
        if token is None:
            raise OAuthError("invalid_request", "Invalid Credentials", 401)
        return token

    @router.get("/oauth2/v3/userinfo")
    @router.get("/v1/userinfo")
    async def userinfo_v3(request: Request) -> dict[str, Any]:
        return _userinfo(fake, bearer(request).grant)

    @router.get("/oauth2/v2/userinfo")
    async def userinfo_v2(request: Request) -> dict[str, Any]:
        info = _userinfo(fake, bearer(request).grant)
        return {
            "id": info["sub"],
            "email": info["email"],
            "verified_email": True,
            "name": info["name"],
            "picture": info["picture"],
        }

    @router.get("/oauth2/v3/tokeninfo")
    @router.get("/oauth2/v1/tokeninfo")
    @router.get("/tokeninfo")
    async def tokeninfo(request: Request) -> dict[str, Any]:
        token = fake.oauth.lookup_access_token(request.query_params.get("access_token", ""))
        if token is None:
            raise OAuthError("invalid_token", "Invalid Value")
        grant = token.grant
        left = max(0, int(token.expires_at - time.time()))
        return {
            "azp": grant.client_id,
            "aud": grant.client_id,
            "sub": stable_sub(grant.address),
            "scope": " ".join(grant.scopes),
            "exp": str(int(token.expires_at)),
            "expires_in": str(left),
            "email": grant.address,
            "email_verified": "true",
            "access_type": "offline" if grant.refresh_token else "online",
        }

    return router


def _userinfo(fake: GoogleFake, grant: Grant) -> dict[str, Any]:
    box = fake.mailbox(grant.address)
    name = box.display_name if box else grant.address
    first, _, last = name.partition(" ")
    return {
        "sub": stable_sub(grant.address),
        "name": name,
        "given_name": first,
        "family_name": last,
        "picture": "https://lh3.googleusercontent.com/a/sandbox",
        "email": grant.address,
        "email_verified": True,
    }


def _token_body(fake: GoogleFake, grant: Grant, nonce: str | None) -> dict[str, Any]:
    lifetime = fake.config.access_token_lifetime
    body: dict[str, Any] = {
        "access_token": fake.oauth.issue_access_token(grant, lifetime),
        "expires_in": lifetime,
        "scope": " ".join(grant.scopes),
        "token_type": "Bearer",
    }
    if grant.refresh_token:
        body["refresh_token"] = grant.refresh_token
    if "openid" in grant.scopes:
        body["id_token"] = fake.signer.id_token(
            grant.client_id, stable_sub(grant.address), grant.address, nonce
        )
    return body
