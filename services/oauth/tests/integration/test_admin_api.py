"""Admin login and the clients resource: every bad input gets a clear answer."""

from __future__ import annotations

import uuid

import httpx
import pytest

from leadwire_oauth.testing import ADMIN_PASSWORD, OAuthHarness

pytestmark = pytest.mark.integration

WEBHOOK = "https://hooks.slack.com/services/T0001/B0001/abcdefghijklmnopqrstuvwx"


async def test_login_with_wrong_password_is_401(oauth: OAuthHarness):
    async with httpx.AsyncClient(base_url=oauth.base_url) as anonymous:
        answer = await anonymous.post(
            "/admin/login", json={"username": "admin", "password": "nope"}
        )
    assert answer.status_code == 401 and "Wrong username or password" in answer.json()["detail"]


async def test_repeated_login_failures_are_slowed_down(oauth: OAuthHarness):
    async with httpx.AsyncClient(base_url=oauth.base_url) as anonymous:
        codes = [
            (
                await anonymous.post("/admin/login", json={"username": "admin", "password": "bad"})
            ).status_code
            for _ in range(7)
        ]
        locked = await anonymous.post(
            "/admin/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
    assert codes[:5] == [401] * 5
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) >= 1


async def test_admin_routes_need_a_valid_token(oauth: OAuthHarness):
    async with httpx.AsyncClient(base_url=oauth.base_url) as anonymous:
        missing = await anonymous.get("/admin/clients")
        forged = await anonymous.get(
            "/admin/clients", headers={"Authorization": "Bearer abc.def.ghi"}
        )
    assert missing.status_code == 401 and "missing bearer token" in missing.json()["detail"]
    assert forged.status_code == 401


async def test_client_round_trip_never_returns_the_slack_url(oauth: OAuthHarness):
    created = await oauth.create_client(
        slack_webhook_url=WEBHOOK,
        auto_send="guarded",
        reply_delay_seconds=60,
        business_hours={
            "timezone": "Europe/Berlin",
            "days": ["mon"],
            "start": "09:00",
            "end": "17:00",
        },
        profile={"offer": "Web design", "tone": "warm", "booking_link": "https://cal.example/x"},
        allowed_origins=["https://Acme.example"],
    )
    fetched = (await oauth.api.get(f"/admin/clients/{created['id']}")).json()
    listed = (await oauth.api.get("/admin/clients")).text

    assert fetched["slack_webhook"].endswith("uvwx") and WEBHOOK not in str(fetched)
    assert WEBHOOK not in listed and "abcdefghijklmnop" not in listed
    assert fetched["allowed_origins"] == ["https://acme.example"]
    assert fetched["business_hours"]["timezone"] == "Europe/Berlin"


async def test_client_changed_events_carry_no_secret(oauth: OAuthHarness):
    created = await oauth.create_client(slack_webhook_url=WEBHOOK)
    patched = await oauth.api.patch(f"/admin/clients/{created['id']}", json={"auto_send": "always"})

    events = await oauth.events.of_type(created["id"], "client.changed", at_least=2)

    assert patched.status_code == 200 and patched.json()["auto_send"] == "always"
    assert [e["payload"]["auto_send"] for e in events] == ["off", "always"]
    assert [e["payload"]["revision"] for e in events] == [0, 1]
    assert all(e["payload"]["has_slack_webhook"] for e in events)
    assert WEBHOOK not in str(events) and "abcdefghijklmnop" not in str(events)


async def test_duplicate_slug_is_409(oauth: OAuthHarness):
    first = await oauth.create_client()
    again = await oauth.api.post("/admin/clients", json={"name": "Other", "slug": first["slug"]})
    assert again.status_code == 409 and first["slug"] in again.json()["detail"]


async def test_invalid_fields_are_422_and_named(oauth: OAuthHarness):
    answer = await oauth.api.post(
        "/admin/clients",
        json={
            "name": "",
            "slug": "Not A Slug",
            "auto_send": "sometimes",
            "business_hours": {"timezone": "Mars/Base"},
            "slack_webhook_url": "http://insecure",
        },
    )
    assert answer.status_code == 422
    named = {tuple(e["loc"][1:2]) for e in answer.json()["detail"]}
    assert {
        ("name",),
        ("slug",),
        ("auto_send",),
        ("business_hours",),
        ("slack_webhook_url",),
    } <= named


async def test_unknown_client_is_404(oauth: OAuthHarness):
    missing = uuid.uuid4()
    assert (await oauth.api.get(f"/admin/clients/{missing}")).status_code == 404
    assert (
        await oauth.api.patch(f"/admin/clients/{missing}", json={"name": "x"})
    ).status_code == 404
    assert (await oauth.api.get(f"/admin/clients/{missing}/connection-status")).status_code == 404
    assert (await oauth.api.delete(f"/admin/mailboxes/{missing}")).status_code == 404


async def test_client_secrets_rpc_gives_the_slack_url_to_the_notifier(oauth: OAuthHarness):
    from leadwire.mailbox_tokens import CLIENT_SECRETS_QUEUE
    from leadwire.rpc import rpc_call

    created = await oauth.create_client(slack_webhook_url=WEBHOOK)
    queue = oauth.settings.queue_prefix + CLIENT_SECRETS_QUEUE
    reply = await rpc_call(oauth.rpc_broker, queue, {"client_id": created["id"]}, timeout=10)
    unknown = await rpc_call(oauth.rpc_broker, queue, {"client_id": str(uuid.uuid4())}, timeout=10)

    assert reply == {**reply, "ok": True, "slack_webhook_url": WEBHOOK}
    assert unknown["ok"] is False and unknown["error"] == "not_found"


async def test_provider_health_reports_configured_and_reachable(oauth: OAuthHarness):
    async with httpx.AsyncClient(base_url=oauth.base_url) as anonymous:
        health = (await anonymous.get("/health/providers")).json()
        ready = await anonymous.get("/health/ready")
    assert {h["provider"]: (h["status"], h["token_endpoint_reachable"]) for h in health} == {
        "google": ("configured", True),
        "microsoft": ("configured", True),
    }
    assert ready.status_code == 200
