"""Google's OIDC signing side: RSA keys, certs endpoints, RS256 ID tokens.

/oauth2/v3/certs serves a JWKS, /oauth2/v1/certs the {kid: PEM certificate}
mapping; google-auth's `id_token.verify_token(certs_url=...)` reads either.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import time
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from sandbox.google.oauth_state import stable_sub

ISSUER = "https://accounts.google.com"


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class SigningKey:
    def __init__(self) -> None:
        self.kid = secrets.token_hex(20)
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict[str, str]:
        numbers = self.private.public_key().public_numbers()
        return {
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": self.kid,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
        }

    def certificate_pem(self) -> str:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sandbox-oidc")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.private.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .sign(self.private, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.PEM).decode()

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": self.kid})


class OidcSigner:
    """The published key signs; `rogue` has the same kid shape but is never published."""

    def __init__(self, lifetime: int) -> None:
        self.key = SigningKey()
        self.rogue = SigningKey()
        self.lifetime = lifetime
        self._cert_pem = self.key.certificate_pem()

    def mint(self, claims: dict[str, Any], wrong_key: bool = False) -> str:
        now = int(time.time())
        full = {"iss": ISSUER, "iat": now, "exp": now + self.lifetime, **claims}
        key = self.rogue if wrong_key else self.key
        if wrong_key:  # claim the published kid so verifiers reach the signature check
            return jwt.encode(full, key.private, algorithm="RS256", headers={"kid": self.key.kid})
        return key.sign(full)

    def push_token(self, audience: str, email: str) -> str:
        """What Pub/Sub puts in a push request's Authorization header."""
        return self.mint(
            {
                "aud": audience,
                "azp": "sandbox-pubsub",
                "email": email,
                "email_verified": True,
                "sub": stable_sub(email),
            }
        )

    def id_token(self, client_id: str, sub: str, email: str, nonce: str | None) -> str:
        claims: dict[str, Any] = {
            "aud": client_id,
            "azp": client_id,
            "sub": sub,
            "email": email,
            "email_verified": True,
        }
        if nonce:
            claims["nonce"] = nonce
        return self.mint(claims)

    def router(self, base_url_of: Any) -> APIRouter:
        router = APIRouter(tags=["google-oidc"])
        cache = {"Cache-Control": "public, max-age=3600"}

        @router.get("/oauth2/v3/certs")
        def jwks() -> JSONResponse:
            return JSONResponse({"keys": [self.key.jwk()]}, headers=cache)

        @router.get("/oauth2/v1/certs")
        def pem_certs() -> JSONResponse:
            return JSONResponse({self.key.kid: self._cert_pem}, headers=cache)

        @router.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, Any]:
            base = base_url_of()
            return {
                "issuer": ISSUER,
                "authorization_endpoint": f"{base}/o/oauth2/v2/auth",
                "token_endpoint": f"{base}/token",
                "userinfo_endpoint": f"{base}/v1/userinfo",
                "revocation_endpoint": f"{base}/revoke",
                "jwks_uri": f"{base}/oauth2/v3/certs",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["plain", "S256"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
            }

        return router
