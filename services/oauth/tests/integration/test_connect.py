"""Connecting mailboxes the way a browser does, against the sandbox providers."""

from __future__ import annotations

import uuid

import httpx
import pytest

from leadwire_oauth.testing import OAuthHarness, query_of

pytestmark = pytest.mark.integration

GMAIL = "owner@acme-mail.example"
OUTLOOK = "sales@acme-outlook.example"


async def test_google_connect_stores_mailbox_and_publishes_connected(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("google", GMAIL, display_name="Acme Owner")
    client = await oauth.create_client()

    result = await oauth.connect(client["id"], "google", GMAIL)

    assert result["ok"] is True and result["address"] == GMAIL
    assert "https://www.googleapis.com/auth/gmail.send" in result["scopes"]
    status = (await oauth.api.get(f"/admin/clients/{client['id']}/connection-status")).json()
    google = [s for s in status if s["provider"] == "google"]
    assert google[0]["status"] == "connected" and google[0]["address"] == GMAIL
    async with oauth.ctx.pool.acquire() as conn:
        assert await conn.fetchval("SELECT display_name FROM mailboxes") == "Acme Owner"
    events = await oauth.events.of_type(client["id"], "mailbox.connected")
    assert [e["payload"]["address"] for e in events] == [GMAIL]
    assert events[0]["payload"]["reconnected"] is False


async def test_microsoft_connect_through_msal_stores_mailbox(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("microsoft", OUTLOOK, display_name="Acme Sales")
    client = await oauth.create_client()

    result = await oauth.connect(client["id"], "microsoft", OUTLOOK)

    assert result["ok"] is True and result["address"] == OUTLOOK
    status = (await oauth.api.get(f"/admin/clients/{client['id']}/connection-status")).json()
    assert {s["provider"]: s["status"] for s in status} == {
        "microsoft": "connected",
        "google": "not_configured",
    }
    events = await oauth.events.of_type(client["id"], "mailbox.connected")
    assert events[0]["payload"]["provider"] == "microsoft"


async def test_reconnecting_the_same_address_updates_the_mailbox(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("google", GMAIL)
    client = await oauth.create_client()
    first = await oauth.connect(client["id"], "google", GMAIL)

    second = await oauth.connect(client["id"], "google", GMAIL)

    assert second["mailbox_id"] == first["mailbox_id"] and second["reconnected"] is True
    events = await oauth.events.of_type(client["id"], "mailbox.connected", at_least=2)
    assert [e["payload"]["reconnected"] for e in events] == [False, True]


async def test_consent_without_gmail_send_is_refused_and_nothing_stored(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox(
        "google", GMAIL, grant_scopes=["https://www.googleapis.com/auth/gmail.modify"]
    )
    client = await oauth.create_client()

    landed = await oauth.follow(await oauth.start_connect(client["id"], "google", GMAIL))

    assert landed.status_code == 400
    assert landed.json()["error"] == "missing_scopes"
    assert "gmail.send" in landed.json()["message"]
    async with oauth.ctx.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM mailboxes") == 0


async def test_replayed_state_is_rejected(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("google", GMAIL)
    client = await oauth.create_client()
    callback = await oauth.provider_redirect(
        await oauth.start_connect(client["id"], "google", GMAIL)
    )
    async with httpx.AsyncClient(
        cookies=oauth.api.cookies, headers={"Accept": "application/json"}
    ) as browser:
        first = await browser.get(callback)
        replay = await browser.get(callback)

    assert first.status_code == 200
    assert replay.status_code == 400 and "already used" in replay.json()["message"]


async def test_tampered_state_is_rejected_and_nothing_stored(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("google", GMAIL)
    client = await oauth.create_client()
    callback = await oauth.provider_redirect(
        await oauth.start_connect(client["id"], "google", GMAIL)
    )
    query = query_of(callback)
    body, signature = query["state"].split(".")
    forged = f"{oauth.base_url}/oauth/google/callback"
    async with httpx.AsyncClient(
        cookies=oauth.api.cookies, headers={"Accept": "application/json"}
    ) as browser:
        answer = await browser.get(forged, params={**query, "state": f"{body}x.{signature}"})

    assert answer.status_code == 400 and answer.json()["error"] == "invalid_state"
    async with oauth.ctx.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM mailboxes") == 0


async def test_unknown_state_nonce_is_rejected(oauth: OAuthHarness):
    state = oauth.ctx.state_signer.sign(
        {"client_id": str(uuid.uuid4()), "provider": "google", "nonce": "never-issued"}, 600
    )
    async with httpx.AsyncClient(headers={"Accept": "application/json"}) as browser:
        answer = await browser.get(
            f"{oauth.base_url}/oauth/google/callback", params={"state": state, "code": "x"}
        )
    assert answer.status_code == 400 and "unknown" in answer.json()["message"]


async def test_expired_state_is_rejected(oauth: OAuthHarness):
    state = oauth.ctx.state_signer.sign(
        {"client_id": str(uuid.uuid4()), "provider": "google", "nonce": "n"}, 600, now=0
    )
    async with httpx.AsyncClient(headers={"Accept": "application/json"}) as browser:
        answer = await browser.get(
            f"{oauth.base_url}/oauth/google/callback", params={"state": state, "code": "x"}
        )
    assert answer.status_code == 400 and "expired" in answer.json()["message"]


async def test_callback_in_another_browser_is_rejected(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("google", GMAIL)
    client = await oauth.create_client()
    auth_url = await oauth.start_connect(client["id"], "google", GMAIL)

    landed = await oauth.follow(auth_url, cookies=httpx.Cookies())

    assert landed.status_code == 400 and "another browser" in landed.json()["message"]


async def test_denied_consent_ends_in_a_clear_message(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("google", GMAIL, deny_consent=True)
    client = await oauth.create_client()

    landed = await oauth.follow(await oauth.start_connect(client["id"], "google", GMAIL))

    assert landed.status_code == 400
    assert landed.json()["error"] == "access_denied"
    assert "not granted" in landed.json()["message"]


async def test_callback_page_is_html_for_a_person(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("google", GMAIL)
    client = await oauth.create_client()
    callback = await oauth.provider_redirect(
        await oauth.start_connect(client["id"], "google", GMAIL)
    )
    async with httpx.AsyncClient(cookies=oauth.api.cookies) as browser:
        page = await browser.get(callback, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert GMAIL in page.text and "connected" in page.text


async def test_address_owned_by_another_client_is_refused(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("google", GMAIL)
    first, second = await oauth.create_client(), await oauth.create_client()
    await oauth.connect(first["id"], "google", GMAIL)

    landed = await oauth.follow(await oauth.start_connect(second["id"], "google", GMAIL))

    assert landed.status_code == 409 and landed.json()["error"] == "address_taken"


async def test_disconnect_revokes_at_google_wipes_tokens_and_publishes(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("google", GMAIL)
    client = await oauth.create_client()
    mailbox_id = (await oauth.connect(client["id"], "google", GMAIL))["mailbox_id"]
    refresh_token = await oauth.stored_refresh_token(mailbox_id)

    answer = await oauth.api.delete(f"/admin/mailboxes/{mailbox_id}")

    assert answer.status_code == 200 and answer.json()["status"] == "disconnected"
    async with oauth.ctx.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM mailboxes WHERE id = $1", uuid.UUID(mailbox_id))
    assert row["access_token_enc"] is None and row["refresh_token_enc"] is None
    assert (await oauth.token(mailbox_id))["error"] == "not_found"
    events = await oauth.events.of_type(client["id"], "mailbox.disconnected")
    assert len(events) == 1
    refresh = oauth.sandbox.control.post(
        "/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": oauth.settings.google_client_id,
            "client_secret": oauth.settings.google_client_secret.get_secret_value(),
        },
    )
    assert refresh.status_code == 400 and refresh.json()["error"] == "invalid_grant"


async def test_outlook_consent_without_mail_send_is_refused(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("microsoft", OUTLOOK, denied_scopes=["Mail.Send"])
    client = await oauth.create_client()

    landed = await oauth.follow(await oauth.start_connect(client["id"], "microsoft", OUTLOOK))

    assert landed.status_code == 400 and landed.json()["error"] == "missing_scopes"
    assert "mail.send" in landed.json()["message"].lower()
    async with oauth.ctx.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM mailboxes") == 0
