"""What the oauth service needs from an identity provider."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from leadwire_oauth.domain.grants import Identity, TokenGrant


@dataclass(frozen=True)
class AuthStart:
    auth_url: str
    # Kept server-side (encrypted) until the callback: PKCE verifier, msal flow.
    flow_secret: dict[str, Any]


class OAuthProvider(Protocol):
    name: str

    @property
    def configured(self) -> bool: ...

    async def begin(
        self, *, state: str, redirect_uri: str, login_hint: str | None
    ) -> AuthStart: ...

    async def complete(
        self, *, flow_secret: dict[str, Any], query: Mapping[str, str], redirect_uri: str
    ) -> TokenGrant: ...

    async def identify(self, access_token: str) -> Identity: ...

    async def refresh(self, refresh_token: str) -> TokenGrant: ...

    async def revoke(self, token: str) -> bool: ...

    async def probe(self) -> bool: ...


async def token_endpoint_answers(http: httpx.AsyncClient, token_uri: str) -> bool:
    """Whether a token endpoint answers at all: an empty grant earns a 4xx when it is up."""
    try:
        response = await http.post(token_uri, data={"grant_type": "refresh_token"})
    except httpx.HTTPError:
        return False
    return response.status_code < 500
