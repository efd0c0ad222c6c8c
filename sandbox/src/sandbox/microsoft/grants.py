"""The token endpoint's grants: authorization_code (with PKCE) and refresh_token."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any

from sandbox.microsoft.aad import AadError, TokenIssuer, short_scope
from sandbox.microsoft.store import AuthCode


def pkce_ok(code: AuthCode, verifier: str | None) -> bool:
    if code.code_challenge is None:
        return True
    if not verifier:
        return False
    if code.code_challenge_method.upper() == "PLAIN":
        return secrets.compare_digest(verifier, code.code_challenge)
    digest = hashlib.sha256(verifier.encode()).digest()
    computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return secrets.compare_digest(computed, code.code_challenge)


def grant_tokens(
    tokens: TokenIssuer, form: dict[str, str], client_id: str, issuer: str
) -> dict[str, Any]:
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        return _redeem_code(tokens, form, client_id, issuer)
    if grant_type == "refresh_token":
        return _refresh(tokens, form, client_id, issuer)
    raise AadError(
        "unsupported_grant_type",
        70003,
        f"The app requested an unsupported grant type '{grant_type}'.",
    )


def _redeem_code(
    tokens: TokenIssuer, form: dict[str, str], client_id: str, issuer: str
) -> dict[str, Any]:
    code = tokens.store.auth_codes.pop(form.get("code", ""), None)  # single use
    if code is None or code.expires_at < time.time():
        raise AadError(
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, "
            "please retry with a new valid code or use an existing refresh token.",
        )
    if code.client_id != client_id:
        raise AadError(
            "invalid_grant",
            70000,
            "Provided grant is invalid or malformed: the code was issued to another client.",
        )
    if form.get("redirect_uri") != code.redirect_uri:
        raise AadError(
            "invalid_grant",
            50148,
            "The redirect URI does not match the one used in the authorization request.",
        )
    if not pkce_ok(code, form.get("code_verifier")):
        raise AadError(
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the "
            "code_challenge supplied in the authorization request.",
        )
    grant = tokens.store.new_grant(code.address, client_id, code.scopes)
    return tokens.issue(grant, code.scopes, issuer, code.nonce)


def _refresh(
    tokens: TokenIssuer, form: dict[str, str], client_id: str, issuer: str
) -> dict[str, Any]:
    grant = tokens.redeem_refresh_token(form.get("refresh_token", ""), client_id)
    requested = form.get("scope", "").split() or grant.scopes
    have = {short_scope(s) for s in grant.scopes}
    missing = [
        s
        for s in requested
        if short_scope(s) not in have | {"openid", "profile", "offline_access", "email"}
    ]
    if missing:
        raise AadError(
            "invalid_grant",
            65001,
            f"The user or administrator has not consented to "
            f"use the application with ID '{client_id}' for {' '.join(missing)}. Send "
            "an interactive authorization request for this user and resource.",
        )
    return tokens.issue(grant, requested, issuer, None)
