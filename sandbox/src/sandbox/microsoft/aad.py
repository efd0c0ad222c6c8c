"""Microsoft identity platform pieces: AADSTS errors, scopes, signing key, token responses."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.responses import JSONResponse

from sandbox.microsoft.store import Grant, Mailbox, MicrosoftStore

GRAPH_RESOURCE = "https://graph.microsoft.com/"
OIDC_SCOPES = {"openid", "profile", "email", "offline_access"}


class AadError(Exception):
    """An error the token endpoint answers in AAD's JSON shape."""

    def __init__(self, error: str, code: int, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.code, self.description, self.status = error, code, description, status

    def response(self) -> JSONResponse:
        return JSONResponse(aad_error_body(self.error, self.code, self.description), self.status)


def aad_error_body(error: str, code: int, description: str) -> dict[str, Any]:
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return {
        "error": error,
        "error_description": f"AADSTS{code}: {description} Trace ID: {trace} "
        f"Correlation ID: {correlation} Timestamp: {now}",
        "error_codes": [code],
        "timestamp": now,
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": f"https://login.microsoftonline.com/error?code={code}",
    }


def short_scope(scope: str) -> str:
    """'https://graph.microsoft.com/Mail.Read' and 'Mail.Read' name the same permission."""
    low = scope.lower()
    return low[len(GRAPH_RESOURCE) :] if low.startswith(GRAPH_RESOURCE) else low


def resource_scopes(scopes: list[str]) -> list[str]:
    return [s for s in scopes if short_scope(s) not in OIDC_SCOPES]


def tenant_guid(tenant: str) -> str:
    """The sandbox's single tenant has a stable GUID, as real tenants do."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox-tenant:{tenant}"))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def client_info(mailbox: Mailbox, tid: str) -> str:
    return b64url(json.dumps({"uid": mailbox.user_id, "utid": tid}).encode())


class SigningKey:
    """The RS256 key ID tokens are signed with, published at the JWKS URL."""

    def __init__(self) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = b64url(uuid.uuid4().bytes)

    def jwks(self, issuer: str) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "issuer": issuer}]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": self.kid})


class TokenIssuer:
    """Builds token responses; owns rotation of refresh tokens."""

    def __init__(self, store: MicrosoftStore, key: SigningKey, tid: str, config: Any) -> None:
        self.store, self.key, self.tid, self.config = store, key, tid, config
        # Microsoft does not revoke a refresh token when it is used (a new one is returned
        # and both stay valid until their lifetime ends); strict rotation is a test option.
        self.rotate_refresh_tokens = False

    @property
    def lifetime(self) -> int:
        return int(self.config.access_token_lifetime)

    def issue(
        self, grant: Grant, scopes: list[str], issuer: str, nonce: str | None
    ) -> dict[str, Any]:
        mailbox = self.store.mailbox(grant.address)
        if mailbox is None:
            raise AadError(
                "invalid_grant", 50034, "The user account does not exist in the directory."
            )
        lowered = {short_scope(s) for s in scopes}
        granted = resource_scopes(scopes) or resource_scopes(grant.scopes)
        access = self.store.new_access_token(
            mailbox.address,
            grant.client_id,
            frozenset(short_scope(s) for s in granted),
            time.time() + self.lifetime,
        )
        echoed = granted + [s for s in ("openid", "profile", "email") if s in lowered]
        body: dict[str, Any] = {
            "token_type": "Bearer",
            "scope": " ".join(echoed),
            "expires_in": self.lifetime,
            "ext_expires_in": self.lifetime,
            "access_token": access,
            "client_info": client_info(mailbox, self.tid),
        }
        if "offline_access" in lowered:
            body["refresh_token"] = self.store.new_refresh_token(grant)
        if "openid" in lowered:
            body["id_token"] = self.id_token(mailbox, grant.client_id, issuer, nonce)
        return body

    def id_token(self, mailbox: Mailbox, client_id: str, issuer: str, nonce: str | None) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "aud": client_id,
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "name": mailbox.display_name,
            "oid": mailbox.user_id,
            "preferred_username": mailbox.address,
            "email": mailbox.address,
            "sub": b64url(f"{client_id}:{mailbox.user_id}".encode())[:43],
            "tid": self.tid,
            "uti": b64url(uuid.uuid4().bytes),
            "ver": "2.0",
        }
        if nonce:
            claims["nonce"] = nonce
        return self.key.sign(claims)

    def redeem_refresh_token(self, token: str, client_id: str) -> Grant:
        """The grant behind a live refresh token; with rotation the token dies here."""
        with self.store.lock:
            grant_id = self.store.refresh_tokens.get(token)
            if grant_id is None:
                raise AadError(
                    "invalid_grant",
                    70000,
                    "Provided grant is invalid or malformed. "
                    "The refresh token is unknown or was already redeemed.",
                )
            grant = self.store.grants[grant_id]
            if grant.revoked:
                raise AadError(
                    "invalid_grant",
                    50173,
                    "The provided grant has expired due to it "
                    "being revoked, a fresh auth token is needed. The user might have "
                    "changed or reset their password.",
                )
            if grant.client_id != client_id:
                raise AadError(
                    "invalid_grant",
                    70000,
                    "Provided grant is invalid or malformed. "
                    "The refresh token was issued to a different client.",
                )
            if self.rotate_refresh_tokens:
                del self.store.refresh_tokens[token]
            return grant
