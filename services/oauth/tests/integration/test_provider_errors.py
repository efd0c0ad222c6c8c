"""Provider failures on the token path: our own app's credentials refused, outages,
timeouts and rate limits. None of them may wipe a grant or leave a caller waiting."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from leadwire_oauth.testing import OAuthHarness

pytestmark = pytest.mark.integration

ADDRESSES = {"google": "errors@acme-mail.example", "microsoft": "errors@acme-outlook.example"}
# AADSTS7000215: invalid client secret; Google answers the same error without a code.
MISCONFIGURED = {
    "google": {"error": "invalid_client", "error_description": "The OAuth client was not found."},
    "microsoft": {
        "error": "invalid_client",
        "error_description": "AADSTS7000215: Invalid client secret provided.",
        "error_codes": [7000215],
    },
}


def token_path(oauth: OAuthHarness, provider: str) -> str:
    if provider == "google":
        return "/token"
    return f"/{oauth.sandbox.config.microsoft_tenant}/oauth2/v2.0/token"


async def connected(oauth: OAuthHarness, provider: str) -> tuple[dict[str, Any], str]:
    address = ADDRESSES[provider]
    oauth.sandbox.create_mailbox(provider, address)
    client = await oauth.create_client()
    result = await oauth.connect(client["id"], provider, address)
    return client, result["mailbox_id"]


async def provider_health(oauth: OAuthHarness, provider: str) -> dict[str, Any]:
    answer = await oauth.api.get("/health/providers")
    return dict(next(p for p in answer.json() if p["provider"] == provider))


async def mailbox_status(oauth: OAuthHarness, client_id: str, provider: str) -> dict[str, Any]:
    answer = await oauth.api.get(f"/admin/clients/{client_id}/connection-status")
    return dict(next(s for s in answer.json() if s["provider"] == provider))


@pytest.mark.parametrize("provider", ["google", "microsoft"])
async def test_invalid_client_keeps_tokens_and_marks_provider_misconfigured(
    oauth: OAuthHarness, provider: str
):
    client, mailbox_id = await connected(oauth, provider)
    before = await oauth.stored_refresh_token(mailbox_id)
    oauth.sandbox.add_fault(
        path=token_path(oauth, provider), status=401, body=MISCONFIGURED[provider]
    )

    reply = await oauth.token(mailbox_id, force_refresh=True)

    assert reply["ok"] is False and reply["error"] == "provider_unavailable"
    assert await oauth.stored_refresh_token(mailbox_id) == before
    assert (await provider_health(oauth, provider))["status"] == "misconfigured"
    status = await mailbox_status(oauth, client["id"], provider)
    assert status["status"] == "error" and "invalid_client" in status["last_error"]
    assert await oauth.events.of_type(client["id"], "mailbox.revoked", wait=0.5) == []

    # Fixed deployment: once the retry interval has passed the same grant works again.
    oauth.sandbox.control.delete("/_sandbox/faults").raise_for_status()
    oauth.ctx.guards[provider].skip_wait()
    again = await oauth.token(mailbox_id, force_refresh=True)
    assert again["ok"] is True, again
    assert (await provider_health(oauth, provider))["status"] == "configured"


@pytest.mark.parametrize("provider", ["google", "microsoft"])
@pytest.mark.parametrize("fault", [{"status": 500}, {"status": 503}, {"status": 429}])
async def test_provider_error_answers_provider_unavailable(
    oauth: OAuthHarness, provider: str, fault: dict[str, Any]
):
    client, mailbox_id = await connected(oauth, provider)
    oauth.sandbox.add_fault(path=token_path(oauth, provider), **fault)

    reply = await oauth.token(mailbox_id, force_refresh=True)

    assert reply["ok"] is False and reply["error"] == "provider_unavailable", reply
    status = await mailbox_status(oauth, client["id"], provider)
    assert status["status"] == "error" and status["last_error"]
    assert await oauth.stored_refresh_token(mailbox_id)


@pytest.mark.parametrize("provider", ["google", "microsoft"])
async def test_hanging_token_endpoint_answers_before_the_caller_gives_up(
    oauth: OAuthHarness, provider: str
):
    _, mailbox_id = await connected(oauth, provider)
    oauth.sandbox.add_fault(path=token_path(oauth, provider), timeout_seconds=30)

    # The harness waits 10 s; the service's own provider deadline must come first.
    reply = await oauth.token(mailbox_id, force_refresh=True)

    assert reply["ok"] is False and reply["error"] == "provider_unavailable"


async def test_outage_opens_the_circuit_so_the_provider_is_not_hammered(oauth: OAuthHarness):
    _, mailbox_id = await connected(oauth, "google")
    rule = oauth.sandbox.add_fault(path="/token", status=503)

    replies = [await oauth.token(mailbox_id, force_refresh=True) for _ in range(10)]

    assert {r["error"] for r in replies} == {"provider_unavailable"}
    hits = next(f["hits"] for f in oauth.sandbox.control.get("/_sandbox/faults").json())
    assert rule["id"] and hits == oauth.ctx.guards["google"].failure_threshold
    assert (await provider_health(oauth, "google"))["circuit"] == "open"


async def test_retry_after_keeps_the_circuit_open_that_long(oauth: OAuthHarness):
    _, mailbox_id = await connected(oauth, "google")
    oauth.sandbox.add_fault(path="/token", status=429, retry_after=120, count=1)

    first = await oauth.token(mailbox_id, force_refresh=True)
    second = await oauth.token(mailbox_id, force_refresh=True)

    assert first["error"] == second["error"] == "provider_unavailable"
    assert "retry" in second["message"].lower()
    assert oauth.ctx.guards["google"].seconds_until_allowed() > 100


@pytest.mark.parametrize("provider", ["google", "microsoft"])
async def test_callback_during_outage_is_a_clean_502(oauth: OAuthHarness, provider: str):
    address = ADDRESSES[provider]
    oauth.sandbox.create_mailbox(provider, address)
    client = await oauth.create_client()
    auth_url = await oauth.start_connect(client["id"], provider, address)
    oauth.sandbox.add_fault(path=token_path(oauth, provider), status=503)

    landed = await oauth.follow(auth_url)

    assert landed.status_code == 502, landed.text
    assert landed.json()["error"] == "provider_unavailable"


async def test_concurrent_callers_during_outage_all_get_an_answer(oauth: OAuthHarness):
    _, mailbox_id = await connected(oauth, "microsoft")
    oauth.sandbox.add_fault(path=token_path(oauth, "microsoft"), status=500)

    replies = await asyncio.gather(*(oauth.token(mailbox_id, force_refresh=True) for _ in range(5)))

    assert {r["error"] for r in replies} == {"provider_unavailable"}
