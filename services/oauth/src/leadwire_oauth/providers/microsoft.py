"""Microsoft identity platform through msal, and the Graph identity call.

msal is synchronous and fetches the authority's metadata on construction, so
every call runs in a worker thread. msal's `verify=` loses to REQUESTS_CA_BUNDLE,
hence the explicit requests session (trust_env off) for a private CA bundle; that
session also carries the timeout (msal sets none on a session it is given) and
remembers the last Retry-After, which msal does not pass on.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import msal
import requests

from leadwire.http import create_async_client, requests_session
from leadwire.retry import parse_retry_after
from leadwire_oauth.domain.grants import (
    ConnectError,
    Identity,
    ProviderMisconfigured,
    ProviderUnavailable,
    TokenGrant,
    classify_refresh_error,
    expires_at_from,
    refresh_error,
)
from leadwire_oauth.providers.base import AuthStart, token_endpoint_answers

T = TypeVar("T")

# msal adds openid, profile and offline_access itself and refuses them here.
SCOPES = ["Mail.ReadWrite", "Mail.Send", "User.Read"]


class _DiscardingCache(msal.TokenCache):  # type: ignore[misc]  # msal is untyped
    """Tokens live encrypted in Postgres only; msal's in-memory copy is dropped."""

    def add(self, event: Any, **kwargs: Any) -> None:
        return None


class MicrosoftProvider:
    name = "microsoft"

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        tenant: str,
        authority_host: str,
        graph_base_url: str,
        ca_bundle: str = "",
        timeout: float = 3.0,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._authority = f"{authority_host.rstrip('/')}/{tenant}"
        self._default_host = authority_host.rstrip("/") == "https://login.microsoftonline.com"
        self._token_endpoint = f"{self._authority}/oauth2/v2.0/token"
        self._graph = graph_base_url.rstrip("/")
        self._session = requests_session(ca_bundle)
        self._session.request = functools.partial(  # type: ignore[method-assign]
            self._session.request, timeout=timeout
        )
        self._last_answer = threading.local()
        self._session.hooks["response"].append(self._remember_retry_after)
        self._http = create_async_client(timeout=15.0, ca_bundle=ca_bundle)
        self._app: msal.ConfidentialClientApplication | None = None
        self._app_lock = threading.Lock()

    @property
    def configured(self) -> bool:
        return bool(self._client_id and self._client_secret)

    def _application(self) -> msal.ConfidentialClientApplication:
        with self._app_lock:
            if self._app is None:
                try:
                    self._app = msal.ConfidentialClientApplication(
                        self._client_id,
                        client_credential=self._client_secret,
                        authority=self._authority,
                        http_client=self._session,
                        instance_discovery=self._default_host,
                        token_cache=_DiscardingCache(),
                    )
                except (ValueError, OSError) as exc:
                    raise ProviderUnavailable(
                        f"Microsoft authority unreachable: {type(exc).__name__}"
                    ) from None
            return self._app

    def _remember_retry_after(self, response: requests.Response, **_: Any) -> None:
        header = response.headers.get("Retry-After")
        self._last_answer.retry_after = parse_retry_after(header, datetime.now(UTC))

    async def _call(self, work: Callable[[msal.ConfidentialClientApplication], T]) -> T:
        """Run one msal call in a thread; transport failures and 5xx are an outage."""

        def run() -> T:
            self._last_answer.retry_after = None
            try:
                return work(self._application())
            except (msal.exceptions.MsalServiceError, OSError, ValueError) as exc:
                # MsalServiceError: a 5xx; OSError covers requests' errors; ValueError
                # a body that is not JSON.
                raise ProviderUnavailable(
                    f"Microsoft token endpoint failed: {type(exc).__name__}",
                    retry_after=self._last_answer.retry_after,
                ) from None

        return await asyncio.to_thread(run)

    def _unavailable(self, error: str) -> ProviderUnavailable:
        return ProviderUnavailable(
            f"Microsoft token endpoint: {error or 'transient error'}",
            retry_after=getattr(self._last_answer, "retry_after", None),
        )

    async def begin(self, *, state: str, redirect_uri: str, login_hint: str | None) -> AuthStart:
        flow: dict[str, Any] = await self._call(
            lambda app: app.initiate_auth_code_flow(
                SCOPES,
                redirect_uri=redirect_uri,
                state=state,
                login_hint=login_hint,
                prompt="select_account",
            )
        )
        return AuthStart(auth_url=str(flow["auth_uri"]), flow_secret={"msal_flow": flow})

    async def complete(
        self, *, flow_secret: dict[str, Any], query: Mapping[str, str], redirect_uri: str
    ) -> TokenGrant:
        flow = flow_secret["msal_flow"]
        result: dict[str, Any] = await self._call(
            lambda app: app.acquire_token_by_auth_code_flow(flow, dict(query), scopes=SCOPES)
        )
        if "access_token" in result:
            return _grant(result)
        error = str(result.get("error", "invalid_response"))
        kind = classify_refresh_error(error, result.get("error_codes") or ())
        if kind == "client":
            raise ProviderMisconfigured(error, _first_line(result.get("error_description")))
        if error in {"temporarily_unavailable", "server_error"}:
            raise self._unavailable(error)
        raise ConnectError(error, f"Microsoft refused the code exchange: {error}.")

    async def identify(self, access_token: str) -> Identity:
        try:
            me = await self._http.get(
                f"{self._graph}/v1.0/me", headers={"Authorization": f"Bearer {access_token}"}
            )
        except httpx.HTTPError:
            raise ProviderUnavailable("Microsoft Graph unreachable") from None
        if me.status_code >= 500 or me.status_code == 429:
            raise ProviderUnavailable(f"Microsoft Graph answered {me.status_code}")
        if me.status_code != 200:
            raise ConnectError(
                "profile_failed", f"Graph refused the /me request ({me.status_code})."
            )
        body = me.json()
        address = str(body.get("mail") or body.get("userPrincipalName") or "").lower()
        return Identity(address=address, display_name=str(body.get("displayName") or ""))

    async def refresh(self, refresh_token: str) -> TokenGrant:
        result: dict[str, Any] = await self._call(
            lambda app: app.acquire_token_by_refresh_token(refresh_token, scopes=SCOPES)
        )
        if "access_token" in result:
            return _grant(result, previous_refresh_token=refresh_token)
        error = str(result.get("error", ""))
        failure = refresh_error(
            error, _first_line(result.get("error_description")), result.get("error_codes") or ()
        )
        raise self._unavailable(error) if isinstance(failure, ProviderUnavailable) else failure

    async def revoke(self, token: str) -> bool:
        # Entra has no per-token revocation for delegated grants; tokens are wiped locally.
        return False

    async def probe(self) -> bool:
        return await token_endpoint_answers(self._http, self._token_endpoint)

    async def aclose(self) -> None:
        await self._http.aclose()
        self._session.close()


def _grant(result: Mapping[str, Any], previous_refresh_token: str | None = None) -> TokenGrant:
    scope = result.get("scope", "")
    scopes = scope.split() if isinstance(scope, str) else list(scope)
    return TokenGrant(
        access_token=str(result["access_token"]),
        refresh_token=result.get("refresh_token") or previous_refresh_token,
        expires_at=expires_at_from(result.get("expires_in", 3600)),
        scopes=frozenset(scopes),
    )


def _first_line(text: object) -> str:
    return str(text or "").splitlines()[0] if text else ""
