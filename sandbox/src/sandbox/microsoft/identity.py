"""Identity platform v2.0: OpenID configuration, authorize, token, keys.

Enough of login.microsoftonline.com for msal.ConfidentialClientApplication with
instance_discovery=False: the auth-code flow (PKCE, nonce, client_info) and the
refresh_token grant (used tokens stay valid; rotation is an option). One tenant;
"common" and "organizations" work too.
"""

from __future__ import annotations

import html
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from sandbox.config import SandboxConfig
from sandbox.microsoft.aad import (
    AadError,
    SigningKey,
    TokenIssuer,
    client_info,
    short_scope,
)
from sandbox.microsoft.grants import grant_tokens
from sandbox.microsoft.store import AuthCode, Mailbox, MicrosoftStore

_ALIASES = {"common", "organizations", "consumers"}
_CODE_LIFETIME = 600


class Identity:
    def __init__(self, config: SandboxConfig, store: MicrosoftStore, tid: str) -> None:
        self.config, self.store, self.tid = config, store, tid
        self.key = SigningKey()
        self.issuer_tokens = TokenIssuer(store, self.key, tid, config)

    def known_tenant(self, tenant: str) -> bool:
        return tenant.lower() in _ALIASES | {self.config.microsoft_tenant.lower(), self.tid}

    def issuer(self, request: Request) -> str:
        return f"{_base(request)}/{self.tid}/v2.0"

    def check_client(self, form: dict[str, Any]) -> str:
        client_id = form.get("client_id") or ""
        if client_id != self.config.microsoft_client_id:
            raise AadError(
                "unauthorized_client",
                700016,
                f"Application with identifier "
                f"'{client_id}' was not found in the directory 'Sandbox'.",
            )
        secret = form.get("client_secret")
        if not secret:
            raise AadError(
                "invalid_client",
                7000218,
                "The request body must contain the "
                "following parameter: 'client_assertion' or 'client_secret'.",
                401,
            )
        if not secrets.compare_digest(secret, self.config.microsoft_client_secret):
            raise AadError(
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure "
                "the secret being sent in the request is the client secret value, "
                "not the client secret ID.",
                401,
            )
        return client_id


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _redirect(redirect_uri: str, params: dict[str, str], mode: str) -> Response:
    sep = "#" if mode == "fragment" else ("&" if "?" in redirect_uri else "?")
    return RedirectResponse(f"{redirect_uri}{sep}{urlencode(params)}", status_code=302)


def _account_picker(request: Request, mailboxes: list[Mailbox]) -> HTMLResponse:
    rows = []
    for mb in mailboxes:
        query = urlencode({**dict(request.query_params), "login_hint": mb.address})
        href = html.escape(f"{request.url.path}?{query}")
        rows.append(
            f'<li><a href="{href}">{html.escape(mb.display_name)} '
            f"&lt;{html.escape(mb.address)}&gt;</a></li>"
        )
    body = "".join(rows) or "<li>No accounts: create a Microsoft mailbox first.</li>"
    return HTMLResponse(
        f"<!doctype html><title>Pick an account</title>"
        f"<h1>Sandbox Microsoft sign-in</h1><ul>{body}</ul>"
    )


def identity_router(idp: Identity) -> APIRouter:
    router = APIRouter(tags=["microsoft-identity"])

    def tenant_or_error(tenant: str) -> JSONResponse | None:
        if idp.known_tenant(tenant):
            return None
        err = AadError(
            "invalid_tenant",
            90002,
            f"Tenant '{tenant}' not found. Check to make "
            "sure you have the correct tenant ID and are signing into the correct "
            "cloud.",
        )
        return err.response()

    @router.get("/{tenant}/v2.0/.well-known/openid-configuration")
    async def openid_configuration(tenant: str, request: Request) -> Response:
        if (bad := tenant_or_error(tenant)) is not None:
            return bad
        base = _base(request)
        return JSONResponse(
            {
                "token_endpoint": f"{base}/{tenant}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
                "jwks_uri": f"{base}/{tenant}/discovery/v2.0/keys",
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": idp.issuer(request)
                if tenant.lower() not in _ALIASES
                else f"{base}/{{tenantid}}/v2.0",
                "request_uri_parameter_supported": False,
                "userinfo_endpoint": f"{base}/oidc/userinfo",
                "authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/devicecode",
                "http_logout_supported": True,
                "frontchannel_logout_supported": True,
                "end_session_endpoint": f"{base}/{tenant}/oauth2/v2.0/logout",
                "claims_supported": [
                    "sub",
                    "iss",
                    "aud",
                    "exp",
                    "iat",
                    "nonce",
                    "name",
                    "tid",
                    "oid",
                    "preferred_username",
                    "email",
                    "ver",
                ],
                "tenant_region_scope": "EU",
                "cloud_instance_name": "sandbox.local",
                "msgraph_host": "graph.microsoft.com",
            }
        )

    @router.get("/{tenant}/discovery/v2.0/keys")
    async def keys(tenant: str, request: Request) -> Response:
        if (bad := tenant_or_error(tenant)) is not None:
            return bad
        return JSONResponse(idp.key.jwks(idp.issuer(request)))

    @router.get("/{tenant}/oauth2/v2.0/authorize")
    async def authorize(tenant: str, request: Request) -> Response:
        if (bad := tenant_or_error(tenant)) is not None:
            return bad
        q = dict(request.query_params)
        if q.get("client_id") != idp.config.microsoft_client_id or not q.get("redirect_uri"):
            return HTMLResponse(
                "AADSTS700016: Application with identifier "
                f"'{html.escape(q.get('client_id', ''))}' was not found, or no "
                "redirect_uri was given.",
                400,
            )
        mode, state = q.get("response_mode", "query"), q.get("state")
        extra = {"state": state} if state is not None else {}
        if q.get("response_type") != "code":
            return _redirect(
                q["redirect_uri"],
                {
                    "error": "unsupported_response_type",
                    "error_description": "AADSTS70005: response_type is not enabled for "
                    "the client.",
                    **extra,
                },
                mode,
            )
        mailbox = idp.store.mailbox(q.get("login_hint", ""))
        if mailbox is None:
            return _account_picker(request, list(idp.store.mailboxes.values()))
        if mailbox.deny_consent:
            return _redirect(
                q["redirect_uri"],
                {
                    "error": "access_denied",
                    "error_subcode": "cancel",
                    "error_description": "AADSTS65004: User declined to consent to access the app.",
                    **extra,
                },
                mode,
            )
        requested = q.get("scope", "").split()
        granted = [s for s in requested if short_scope(s) not in mailbox.denied_scopes]
        code = secrets.token_urlsafe(96)
        idp.store.auth_codes[code] = AuthCode(
            mailbox.address,
            q["client_id"],
            q["redirect_uri"],
            granted,
            q.get("code_challenge"),
            q.get("code_challenge_method", "plain"),
            q.get("nonce"),
            time.time() + _CODE_LIFETIME,
        )
        params = {
            "code": code,
            "client_info": client_info(mailbox, idp.tid),
            **extra,
            "session_state": secrets.token_hex(16),
        }
        return _redirect(q["redirect_uri"], params, mode)

    @router.post("/{tenant}/oauth2/v2.0/token")
    async def token(tenant: str, request: Request) -> Response:
        if (bad := tenant_or_error(tenant)) is not None:
            return bad
        # python-multipart is not a dependency: token requests are always url-encoded
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        try:
            client_id = idp.check_client(form)
            body = grant_tokens(idp.issuer_tokens, form, client_id, idp.issuer(request))
        except AadError as err:
            return err.response()
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    return router
