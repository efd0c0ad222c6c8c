"""Verifying the OIDC bearer token Pub/Sub puts on each Gmail push.

Google's signing certs are fetched from the configured URL and cached (honouring
`Cache-Control: max-age`, refetched once when a token names an unknown key id); the
RS256 signature check runs in a worker thread, off the event loop. Then `aud`, `iss`,
`email` and `email_verified` are checked against the settings.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import httpx
from google.auth import jwt

_ISSUERS = {"https://accounts.google.com", "accounts.google.com"}
_MAX_AGE = re.compile(r"max-age=(\d+)")
_DEFAULT_TTL = 3600.0


class PushAuthError(Exception):
    """`status` 401: no or unverifiable token; 403: a valid token for someone else."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class PushTokenVerifier:
    def __init__(
        self, http: httpx.AsyncClient, certs_url: str, audience: str, service_account: str
    ) -> None:
        self._http = http
        self._certs_url = certs_url
        self._audience = audience
        self._service_account = service_account.lower()
        self._certs: dict[str, str] = {}
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def _load_certs(self, force: bool) -> dict[str, str]:
        async with self._lock:
            if force or time.monotonic() >= self._expires or not self._certs:
                response = await self._http.get(self._certs_url)
                response.raise_for_status()
                found = _MAX_AGE.search(response.headers.get("cache-control", ""))
                self._certs = dict(response.json())
                self._expires = time.monotonic() + (
                    float(found.group(1)) if found else _DEFAULT_TTL
                )
            return self._certs

    async def verify(self, authorization: str | None) -> dict[str, Any]:
        """The token's claims, or `PushAuthError` naming why it is refused."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise PushAuthError(401, "missing bearer token")
        token = token.strip()
        try:
            kid = jwt.decode_header(token).get("kid")  # type: ignore[no-untyped-call]
        except ValueError:
            raise PushAuthError(401, "malformed token") from None
        try:
            certs = await self._load_certs(force=False)
            if kid not in certs:  # Google rotated its keys since we cached them
                certs = await self._load_certs(force=True)
        except (httpx.HTTPError, ValueError) as exc:
            raise PushAuthError(401, f"signing certs unavailable: {type(exc).__name__}") from None
        try:
            claims: dict[str, Any] = await asyncio.to_thread(
                jwt.decode, token, certs=certs, audience=self._audience
            )
        except ValueError as exc:
            raise PushAuthError(401, f"token refused: {str(exc)[:120]}") from None
        self._check_claims(claims)
        return claims

    def _check_claims(self, claims: dict[str, Any]) -> None:
        if claims.get("iss") not in _ISSUERS:
            raise PushAuthError(401, "wrong issuer")
        if str(claims.get("email", "")).lower() != self._service_account:
            raise PushAuthError(403, "token is not from the push service account")
        if claims.get("email_verified") is not True:
            raise PushAuthError(403, "push service account email not verified")
