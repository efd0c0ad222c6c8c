"""Input that Postgres or UTF-8 cannot take is a 422 naming the field, never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from leadwire_oauth.testing import OAuthHarness

pytestmark = pytest.mark.integration


def named(answer: httpx.Response) -> str:
    return str(answer.json()["detail"])


async def post_raw(oauth: OAuthHarness, path: str, text: str) -> httpx.Response:
    """A JSON body written by hand, so escapes like a lone surrogate survive."""
    headers = {"Content-Type": "application/json"}
    return await oauth.api.post(path, content=text.encode(), headers=headers)


async def test_nul_byte_in_login_username_is_422(oauth: OAuthHarness):
    async with httpx.AsyncClient(base_url=oauth.base_url) as anonymous:
        answer = await anonymous.post(
            "/admin/login", json={"username": "ad\x00min", "password": "whatever"}
        )

    assert answer.status_code == 422 and "username" in named(answer)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "Acme\x00"}, "name"),
        ({"profile": {"offer": "we\x00sell"}}, "offer"),
        ({"profile": {"signature": "x\x00"}}, "signature"),
    ],
)
async def test_nul_byte_in_client_fields_is_422(
    oauth: OAuthHarness, fields: dict[str, Any], field: str
):
    body = {"name": "Acme", "slug": "acme-nul", **fields}

    created = await oauth.api.post("/admin/clients", json=body)
    existing = await oauth.create_client()
    patched = await oauth.api.patch(f"/admin/clients/{existing['id']}", json=fields)

    assert created.status_code == 422 and field in named(created)
    assert patched.status_code == 422 and field in named(patched)


async def test_lone_surrogate_is_422(oauth: OAuthHarness):
    answer = await post_raw(oauth, "/admin/clients", '{"name": "Acme \\ud800", "slug": "acme-sur"}')
    in_profile = await post_raw(
        oauth,
        "/admin/clients",
        '{"name": "Acme", "slug": "acme-sur", "profile": {"tone": "\\udfff"}}',
    )

    assert answer.status_code == 422 and "name" in named(answer)
    assert in_profile.status_code == 422 and "tone" in named(in_profile)


@pytest.mark.parametrize("offset", [2**63, 2**64 + 5, 10**30])
async def test_huge_offset_is_422(oauth: OAuthHarness, offset: int):
    answer = await oauth.api.get("/admin/clients", params={"offset": offset})

    assert answer.status_code == 422 and "offset" in named(answer)


@pytest.mark.parametrize(
    "url",
    [
        "https://user:secret@hooks.slack.com/services/T1/B1/x",
        "https://169.254.169.254/services/T1/B1/x",
        "https://10.0.0.7/services/T1/B1/x",
        "https://192.168.1.1/services/T1/B1/x",
        "https://evil.example/services/T1/B1/x",
        "https://hooks.slack.com/other/T1/B1/x",
    ],
)
async def test_slack_webhook_outside_the_allow_list_is_422(oauth: OAuthHarness, url: str):
    answer = await oauth.api.post(
        "/admin/clients", json={"name": "Acme", "slug": "acme-hook", "slack_webhook_url": url}
    )

    assert answer.status_code == 422 and "slack_webhook_url" in named(answer)


async def test_the_sandbox_webhook_is_accepted_in_development(oauth: OAuthHarness):
    hook = oauth.sandbox.control.post(
        "/_sandbox/slack/webhooks", json={"client": "acme", "name": "leads"}
    )
    hook.raise_for_status()

    created = await oauth.create_client(slack_webhook_url=hook.json()["url"])

    assert created["slack_webhook"]
