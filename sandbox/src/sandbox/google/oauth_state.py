"""Google OAuth state: authorization codes, grants (refresh tokens), access tokens."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field

IDENTITY_SCOPES = {
    "openid",
    "email",
    "profile",
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/userinfo.profile",
}
_G = "https://www.googleapis.com/auth/"
READ_SCOPES = {f"{_G}gmail.readonly", f"{_G}gmail.modify", "https://mail.google.com/"}
SEND_SCOPES = {
    f"{_G}gmail.send",
    f"{_G}gmail.compose",
    f"{_G}gmail.modify",
    "https://mail.google.com/",
}
MODIFY_SCOPES = {f"{_G}gmail.modify", "https://mail.google.com/"}
FULL_SCOPES = {"https://mail.google.com/"}  # messages.delete needs full access


class OAuthError(Exception):
    """An RFC 6749 error answer: {"error": code, "error_description": description}."""

    def __init__(self, code: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.code, self.description, self.status = code, description, status


def stable_sub(email: str) -> str:
    """A numeric Google-style subject id, stable for an address across runs."""
    return str(int(hashlib.sha256(email.lower().encode()).hexdigest()[:15], 16))


@dataclass
class AuthCode:
    client_id: str
    redirect_uri: str
    address: str
    scopes: list[str]
    challenge: str | None
    challenge_method: str
    offline: bool
    force_consent: bool
    nonce: str | None
    expires_at: float


@dataclass
class Grant:
    address: str
    client_id: str
    scopes: list[str]
    refresh_token: str | None
    revoked: bool = False


@dataclass
class AccessToken:
    grant: Grant
    expires_at: float


@dataclass
class OAuthState:
    codes: dict[str, AuthCode] = field(default_factory=dict)
    grants_by_refresh: dict[str, Grant] = field(default_factory=dict)
    grants: list[Grant] = field(default_factory=list)
    tokens: dict[str, AccessToken] = field(default_factory=dict)

    def issue_code(self, code: AuthCode) -> str:
        value = "4/0Sbx" + secrets.token_urlsafe(32)
        self.codes[value] = code
        return value

    def redeem_code(
        self, value: str, client_id: str, redirect_uri: str | None, verifier: str | None
    ) -> AuthCode:
        code = self.codes.pop(value, None)  # single use, even when the exchange fails
        if code is None or code.expires_at < time.time():
            raise OAuthError("invalid_grant", "Malformed auth code.")
        if code.client_id != client_id:
            raise OAuthError("invalid_grant", "The auth code was issued to another client.")
        if redirect_uri != code.redirect_uri:
            raise OAuthError("redirect_uri_mismatch", "Bad Request")
        _check_pkce(code, verifier)
        return code

    def new_grant(self, code: AuthCode) -> Grant:
        # Google sends a refresh token on the first offline consent, or again with prompt=consent.
        earlier = any(
            g.address == code.address and g.client_id == code.client_id and not g.revoked
            for g in self.grants
        )
        refresh = None
        if code.offline and (code.force_consent or not earlier):
            refresh = "1//0sbx" + secrets.token_urlsafe(48)
        grant = Grant(code.address, code.client_id, code.scopes, refresh)
        self.grants.append(grant)
        if refresh:
            self.grants_by_refresh[refresh] = grant
        return grant

    def grant_for_refresh(self, refresh_token: str, client_id: str) -> Grant:
        grant = self.grants_by_refresh.get(refresh_token)
        if grant is None or grant.revoked:
            raise OAuthError("invalid_grant", "Token has been expired or revoked.")
        if grant.client_id != client_id:
            raise OAuthError("unauthorized_client", "Unauthorized")
        return grant

    def issue_access_token(self, grant: Grant, lifetime: int) -> str:
        value = "ya29.sbx" + secrets.token_urlsafe(40)
        self.tokens[value] = AccessToken(grant, time.time() + lifetime)
        return value

    def lookup_access_token(self, value: str) -> AccessToken | None:
        token = self.tokens.get(value)
        if token is None or token.grant.revoked:
            return None
        if token.expires_at < time.time():
            self.tokens.pop(value, None)
            return None
        return token

    def revoke_token(self, value: str) -> bool:
        """POST /revoke: either token kills the whole grant, as at Google."""
        grant = self.grants_by_refresh.get(value)
        if grant is None and value in self.tokens:
            grant = self.tokens[value].grant
        if grant is None:
            return False
        grant.revoked = True
        return True

    def revoke_address(self, address: str) -> int:
        hit = [g for g in self.grants if g.address.lower() == address.lower()]
        for grant in hit:
            grant.revoked = True
        return len(hit)


def _check_pkce(code: AuthCode, verifier: str | None) -> None:
    if code.challenge is None:
        return
    if not verifier:
        raise OAuthError("invalid_grant", "Missing code verifier.")
    if code.challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    else:
        computed = verifier
    if not secrets.compare_digest(computed, code.challenge):
        raise OAuthError("invalid_grant", "Invalid code verifier.")
