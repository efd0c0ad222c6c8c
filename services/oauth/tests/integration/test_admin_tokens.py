"""Admin tokens: EdDSA signed by oauth only, revoked by logout, password change and
deletion; admins managed over the API."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from leadwire.auth import (
    ADMIN_AUDIENCE,
    ADMIN_ISSUER,
    load_public_key,
    public_key_text,
    verify_admin_token,
)
from leadwire_oauth.testing import ADMIN_PASSWORD, OAuthHarness

pytestmark = pytest.mark.integration

NEW_PASSWORD = "a much longer passphrase for bob"


async def login(oauth: OAuthHarness, username: str, password: str) -> httpx.AsyncClient:
    """An API client with `username`'s token (closed by `async with`)."""
    async with httpx.AsyncClient(base_url=oauth.base_url, timeout=20) as anonymous:
        answer = await anonymous.post(
            "/admin/login", json={"username": username, "password": password}
        )
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    return httpx.AsyncClient(
        base_url=oauth.base_url, timeout=20, headers={"Authorization": f"Bearer {token}"}
    )


async def test_tokens_are_eddsa_and_a_shared_secret_cannot_mint_one(oauth: OAuthHarness):
    token = oauth.api.headers["Authorization"].removeprefix("Bearer ")
    now = int(time.time())
    claims = {"iss": ADMIN_ISSUER, "aud": ADMIN_AUDIENCE, "sub": "admin", "jti": "forged"}
    secret = oauth.settings.jwt_secret.get_secret_value()
    forged = jwt.encode({**claims, "iat": now, "exp": now + 600}, secret, algorithm="HS256")

    answer = await oauth.api.get("/admin/clients", headers={"Authorization": f"Bearer {forged}"})

    assert jwt.get_unverified_header(token)["alg"] == "EdDSA"
    assert answer.status_code == 401
    # Another service verifies with the public key alone.
    public = load_public_key(public_key_text(oauth.app.state.admin_public_key))
    assert verify_admin_token(public, token).subject == "admin"


async def test_logout_revokes_the_token(oauth: OAuthHarness):
    api = await login(oauth, "admin", ADMIN_PASSWORD)
    async with api:
        assert (await api.get("/admin/clients")).status_code == 200
        assert (await api.post("/admin/logout")).status_code == 204

        after = await api.get("/admin/clients")

    assert after.status_code == 401 and "revoked" in after.json()["detail"]
    assert (await oauth.api.get("/admin/clients")).status_code == 200  # other tokens live


async def test_admins_are_managed_and_a_deleted_admins_token_dies(oauth: OAuthHarness):
    created = await oauth.api.post(
        "/admin/admins", json={"username": "bob", "password": "bobs long password"}
    )
    assert created.status_code == 201, created.text
    bob = await login(oauth, "bob", "bobs long password")
    async with bob:
        listed = (await bob.get("/admin/admins")).json()
        assert {a["username"] for a in listed} == {"admin", "bob"}
        assert (await bob.delete(f"/admin/admins/{created.json()['id']}")).status_code == 409

        deleted = await oauth.api.delete(f"/admin/admins/{created.json()['id']}")
        after = await bob.get("/admin/clients")

    assert deleted.status_code == 204
    assert after.status_code == 401


async def test_password_change_revokes_older_tokens(oauth: OAuthHarness):
    await oauth.api.post(
        "/admin/admins", json={"username": "bob", "password": "bobs long password"}
    )
    first = await login(oauth, "bob", "bobs long password")
    second = await login(oauth, "bob", "bobs long password")
    async with first, second:
        changed = await first.put(
            "/admin/admins/me/password",
            json={"current_password": "bobs long password", "new_password": NEW_PASSWORD},
        )
        assert changed.status_code == 200, changed.text
        fresh = changed.json()["access_token"]

        old_first = await first.get("/admin/clients")
        old_second = await second.get("/admin/clients")
        with_fresh = await first.get("/admin/clients", headers={"Authorization": f"Bearer {fresh}"})

    assert old_first.status_code == old_second.status_code == 401
    assert with_fresh.status_code == 200
    refused = await oauth.api.post(
        "/admin/login", json={"username": "bob", "password": "bobs long password"}
    )
    assert refused.status_code == 401
    async with await login(oauth, "bob", NEW_PASSWORD) as again:
        assert (await again.get("/admin/clients")).status_code == 200


async def test_wrong_current_password_changes_nothing(oauth: OAuthHarness):
    answer = await oauth.api.put(
        "/admin/admins/me/password",
        json={"current_password": "not it", "new_password": NEW_PASSWORD},
    )

    assert answer.status_code == 403
    assert (await oauth.api.get("/admin/clients")).status_code == 200
