"""Login throttling per username, per address and globally, in Postgres; argon2 on
its own bounded executor; forwarded addresses trusted from the gateway only."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import httpx
import pytest

from leadwire_oauth.testing import ADMIN_PASSWORD, OAuthHarness, running_oauth

pytestmark = pytest.mark.integration


async def attempt(
    api: httpx.AsyncClient, username: str, password: str, ip: str | None = None
) -> int:
    headers = {"X-Forwarded-For": ip} if ip else {}
    answer = await api.post(
        "/admin/login", json={"username": username, "password": password}, headers=headers
    )
    return answer.status_code


def guess() -> str:
    return f"guess-{uuid.uuid4().hex[:12]}"


async def test_one_address_trying_many_usernames_is_throttled(oauth: OAuthHarness):
    async with httpx.AsyncClient(base_url=oauth.base_url, timeout=30) as api:
        codes = [await attempt(api, guess(), "wrong", "203.0.113.5") for _ in range(25)]

    assert codes[:20] == [401] * 20
    assert set(codes[21:]) == {429}


async def test_many_addresses_trying_one_username_cannot_lock_out_its_owner(
    oauth: OAuthHarness,
):
    async with httpx.AsyncClient(base_url=oauth.base_url, timeout=30) as api:
        assert await attempt(api, "admin", ADMIN_PASSWORD, "198.51.100.7") == 200
        attacks = [await attempt(api, "admin", "wrong", f"203.0.113.{i}") for i in range(25)]
        from_elsewhere = await attempt(api, "admin", ADMIN_PASSWORD, "192.0.2.99")
        from_home = await attempt(api, "admin", ADMIN_PASSWORD, "198.51.100.7")

    assert attacks[-1] == 429  # the username is under attack: unknown addresses wait
    assert from_elsewhere == 429
    assert from_home == 200


async def test_throttle_is_shared_by_replicas(
    oauth: OAuthHarness, sandbox, postgres_dsn: str, rabbit_url: str
):
    async with httpx.AsyncClient(base_url=oauth.base_url, timeout=30) as api:
        for _ in range(12):  # locks the pair for minutes, outlasting a replica's start
            await attempt(api, "admin", "wrong", "203.0.113.77")
    async with (
        running_oauth(sandbox, postgres_dsn, rabbit_url, oauth.settings.database_schema) as replica,
        httpx.AsyncClient(base_url=replica.base_url, timeout=30) as other,
    ):
        code = await attempt(other, "admin", "wrong", "203.0.113.77")

    assert code == 429


async def test_a_login_flood_is_refused_beyond_the_hashing_backlog(oauth: OAuthHarness):
    limits = httpx.Limits(max_connections=100)
    async with httpx.AsyncClient(base_url=oauth.base_url, timeout=60, limits=limits) as api:
        codes = await asyncio.gather(
            *(attempt(api, guess(), "wrong", f"10.9.{i // 250}.{i % 250}") for i in range(100))
        )

    counts = Counter(codes)
    assert set(counts) <= {401, 429}, counts
    assert counts[429] > 0 and counts[401] > 0


@pytest.fixture
def trust_the_gateway_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # The gateway connects from 127.0.0.2 (proxy_bind); other local processes do not.
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "127.0.0.2")


async def test_forwarded_for_from_anyone_but_the_gateway_is_ignored(
    trust_the_gateway_only: None, oauth: OAuthHarness
):
    async with httpx.AsyncClient(base_url=oauth.base_url, timeout=30) as api:
        codes = [await attempt(api, guess(), "wrong", f"203.0.113.{i}") for i in range(25)]

    assert set(codes[21:]) == {429}  # all counted against 127.0.0.1, not the rotated ips
