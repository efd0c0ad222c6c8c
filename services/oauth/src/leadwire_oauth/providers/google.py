"""Google OAuth 2.0 web flow (PKCE, offline access) and Gmail identity.

The code exchange and the refresh are plain form POSTs to the token endpoint
(RFC 6749 §5): one attempt each, no client-side retry, a short timeout. The caller
(a token RPC or a browser) is waiting, and retrying is the circuit breaker's job.
google-auth's refresh was dropped: it retries 5xx with its own backoff for up to
minutes and ignores Retry-After.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from leadwire.http import create_async_client
from leadwire.retry import parse_retry_after
from leadwire_oauth.domain.grants import (
    GMAIL_MODIFY,
    GMAIL_SEND,
    ConnectError,
    Identity,
    ProviderMisconfigured,
    ProviderUnavailable,
    TokenGrant,
    classify_refresh_error,
    expires_at_from,
    new_pkce,
    refresh_error,
)
from leadwire_oauth.providers.base import AuthStart, token_endpoint_answers

SCOPES = (GMAIL_MODIFY, GMAIL_SEND, "openid", "email", "profile")


class GoogleProvider:
    name = "google"

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        auth_uri: str,
        token_uri: str,
        revoke_uri: str,
        gmail_base_url: str,
        userinfo_uri: str = "https://openidconnect.googleapis.com/v1/userinfo",
        ca_bundle: str = "",
        timeout: float = 3.0,
    ) -> None:
        self._userinfo_uri = userinfo_uri
        self._client_id = client_id
        self._client_secret = client_secret
        self._auth_uri = auth_uri
        self._token_uri = token_uri
        self._revoke_uri = revoke_uri
        self._gmail = gmail_base_url.rstrip("/")
        self._ca_bundle = ca_bundle
        self._http = create_async_client(timeout=15.0, ca_bundle=ca_bundle)
        self._token_http = create_async_client(timeout=timeout, ca_bundle=ca_bundle, max_retries=0)

    @property
    def configured(self) -> bool:
        return bool(self._client_id and self._client_secret)

    async def begin(self, *, state: str, redirect_uri: str, login_hint: str | None) -> AuthStart:
        pkce = new_pkce()
        params = {
            "client_id": self._client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": " ".join(SCOPES),
            "state": state,
            "access_type": "offline",
            "prompt": "consent",
            "include_granted_scopes": "true",
            "code_challenge": pkce.challenge,
            "code_challenge_method": "S256",
        }
        if login_hint:
            params["login_hint"] = login_hint
        return AuthStart(f"{self._auth_uri}?{urlencode(params)}", {"code_verifier": pkce.verifier})

    async def complete(
        self, *, flow_secret: dict[str, Any], query: Mapping[str, str], redirect_uri: str
    ) -> TokenGrant:
        code = query.get("code")
        if not code:
            raise ConnectError("missing_code", "Google did not return an authorization code.")
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "code_verifier": flow_secret["code_verifier"],
        }
        body = await self._post_token(form)
        return TokenGrant(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token"),
            expires_at=expires_at_from(body.get("expires_in", 3600)),
            scopes=frozenset(str(body.get("scope", "")).split()),
        )

    async def _post_token(self, form: dict[str, str]) -> dict[str, Any]:
        """One POST to the token endpoint; raises what a refusal means for us."""
        try:
            response = await self._token_http.post(self._token_uri, data=form)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(
                f"Google token endpoint unreachable: {type(exc).__name__}"
            ) from None
        body = _json(response)
        if response.status_code >= 500 or response.status_code == 429:
            raise ProviderUnavailable(
                f"Google token endpoint answered {response.status_code}",
                retry_after=parse_retry_after(
                    response.headers.get("Retry-After"), datetime.now(UTC)
                ),
            )
        if response.status_code >= 400 or "access_token" not in body:
            error = body.get("error")
            code = error if isinstance(error, str) else "invalid_response"
            description = str(body.get("error_description", ""))[:300]
            if form["grant_type"] == "refresh_token":
                raise refresh_error(code, description)
            if classify_refresh_error(code) == "client":
                raise ProviderMisconfigured(code, description)
            raise ConnectError(code, f"Google refused the code exchange: {code}.")
        return body

    async def identify(self, access_token: str) -> Identity:
        headers = {"Authorization": f"Bearer {access_token}"}
        try:
            profile = await self._http.get(
                f"{self._gmail}/gmail/v1/users/me/profile", headers=headers
            )
        except httpx.HTTPError:
            raise ProviderUnavailable("Gmail API unreachable") from None
        if profile.status_code >= 500 or profile.status_code == 429:
            raise ProviderUnavailable(f"Gmail answered {profile.status_code}")
        if profile.status_code != 200:
            raise ConnectError(
                "profile_failed", f"Gmail refused the profile request ({profile.status_code})."
            )
        address = str(_json(profile).get("emailAddress", "")).lower()
        return Identity(address=address, display_name=await self._display_name(headers))

    async def _display_name(self, headers: dict[str, str]) -> str:
        """The account's name from OpenID userinfo; a nicety, so failures are ignored."""
        try:
            info = await self._http.get(self._userinfo_uri, headers=headers)
        except httpx.HTTPError:
            return ""
        return str(_json(info).get("name", "")) if info.status_code == 200 else ""

    async def refresh(self, refresh_token: str) -> TokenGrant:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        body = await self._post_token(form)
        return TokenGrant(
            access_token=str(body["access_token"]),
            # Google keeps the refresh token unless it sends a new one.
            refresh_token=body.get("refresh_token") or refresh_token,
            expires_at=expires_at_from(body.get("expires_in", 3600)),
            scopes=frozenset(str(body.get("scope", "")).split()),
        )

    async def revoke(self, token: str) -> bool:
        try:
            response = await self._http.post(self._revoke_uri, data={"token": token})
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def probe(self) -> bool:
        return await token_endpoint_answers(self._http, self._token_uri)

    async def aclose(self) -> None:
        await self._http.aclose()
        await self._token_http.aclose()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
