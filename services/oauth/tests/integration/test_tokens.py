"""The mailbox.token RPC: cached, refreshed on expiry and on demand, one
refresh per mailbox however many callers, revoked grants stop at once."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from leadwire.mailbox_tokens import MailboxTokenClient, MailboxTokenError
from leadwire.rpc import rpc_caller
from leadwire_oauth.testing import OAuthHarness
from leadwire_oauth.tokens import TokenService

pytestmark = pytest.mark.integration

GMAIL = "token-owner@acme-mail.example"
OUTLOOK = "token-owner@acme-outlook.example"


async def connected(oauth: OAuthHarness, provider: str, address: str) -> tuple[dict, str]:
    oauth.sandbox.create_mailbox(provider, address)
    client = await oauth.create_client()
    result = await oauth.connect(client["id"], provider, address)
    return client, result["mailbox_id"]


async def test_fresh_token_is_served_without_refreshing(oauth: OAuthHarness):
    _, mailbox_id = await connected(oauth, "google", GMAIL)

    first = await oauth.token(mailbox_id)
    second = await oauth.token(mailbox_id)

    assert first["ok"] and first["access_token"] == second["access_token"]
    assert first["provider"] == "google" and first["address"] == GMAIL
    assert oauth.tokens.refresh_count == 0


async def test_expired_token_is_refreshed_and_works_at_gmail(oauth: OAuthHarness):
    _, mailbox_id = await connected(oauth, "google", GMAIL)
    before = await oauth.token(mailbox_id)
    await oauth.expire_access_token(mailbox_id)

    after = await oauth.token(mailbox_id)

    assert after["ok"] and after["access_token"] != before["access_token"]
    assert oauth.tokens.refresh_count == 1
    profile = oauth.sandbox.control.get(
        "/gmail/v1/users/me/profile", headers={"Authorization": f"Bearer {after['access_token']}"}
    )
    assert profile.status_code == 200 and profile.json()["emailAddress"] == GMAIL


async def test_force_refresh_gets_a_new_token(oauth: OAuthHarness):
    _, mailbox_id = await connected(oauth, "google", GMAIL)
    before = await oauth.token(mailbox_id)
    await asyncio.sleep(0.01)

    forced = await oauth.token(mailbox_id, force_refresh=True)

    assert forced["ok"] and forced["access_token"] != before["access_token"]
    assert oauth.tokens.refresh_count == 1


async def test_concurrent_requests_cause_one_refresh(oauth: OAuthHarness):
    _, mailbox_id = await connected(oauth, "google", GMAIL)
    await oauth.expire_access_token(mailbox_id)

    replies = await asyncio.gather(*(oauth.token(mailbox_id) for _ in range(20)))

    assert all(r["ok"] for r in replies)
    assert len({r["access_token"] for r in replies}) == 1
    assert oauth.tokens.refresh_count == 1


async def test_two_replicas_refresh_a_mailbox_once(oauth: OAuthHarness):
    _, mailbox_id = await connected(oauth, "google", GMAIL)
    await oauth.expire_access_token(mailbox_id)
    other_replica = TokenService(oauth.ctx)  # own in-process locks, shared database
    target = uuid.UUID(mailbox_id)

    replies = await asyncio.gather(
        *(oauth.tokens.mailbox_token(target, force_refresh=True) for _ in range(5)),
        *(other_replica.mailbox_token(target, force_refresh=True) for _ in range(5)),
    )

    assert all(r.ok for r in replies)
    assert oauth.tokens.refresh_count + other_replica.refresh_count == 1


async def test_revoked_grant_marks_mailbox_revoked_and_publishes_once(oauth: OAuthHarness):
    client, mailbox_id = await connected(oauth, "google", GMAIL)
    oauth.sandbox.control.post(f"/_sandbox/mailboxes/{GMAIL}/revoke").raise_for_status()
    await oauth.expire_access_token(mailbox_id)

    replies = await asyncio.gather(*(oauth.token(mailbox_id) for _ in range(5)))
    later = await oauth.token(mailbox_id, force_refresh=True)

    assert {r["error"] for r in [*replies, later]} == {"revoked"}
    assert oauth.tokens.refresh_count == 0
    events = await oauth.events.of_type(client["id"], "mailbox.revoked")
    assert len(events) == 1 and events[0]["payload"]["error_code"] == "invalid_grant"
    status = (await oauth.api.get(f"/admin/clients/{client['id']}/connection-status")).json()
    google = next(s for s in status if s["provider"] == "google")
    assert google["status"] == "revoked" and "invalid_grant" in google["last_error"]


async def test_microsoft_rotated_refresh_token_is_saved(oauth: OAuthHarness):
    _, mailbox_id = await connected(oauth, "microsoft", OUTLOOK)
    before = await oauth.stored_refresh_token(mailbox_id)

    first = await oauth.token(mailbox_id, force_refresh=True)
    rotated = await oauth.stored_refresh_token(mailbox_id)
    second = await oauth.token(mailbox_id, force_refresh=True)

    assert first["ok"] and second["ok"], (first, second)
    assert rotated != before  # the sandbox rotates, as Entra does; the old one is dead
    assert await oauth.stored_refresh_token(mailbox_id) != rotated
    graph = oauth.sandbox.control.get(
        "/v1.0/me", headers={"Authorization": f"Bearer {second['access_token']}"}
    )
    assert graph.status_code == 200


async def test_unknown_mailbox_is_not_found(oauth: OAuthHarness):
    reply = await oauth.token(str(uuid.uuid4()))
    assert reply == {**reply, "ok": False, "error": "not_found"}


async def test_provider_outage_is_provider_unavailable_not_revoked(oauth: OAuthHarness):
    _, mailbox_id = await connected(oauth, "google", GMAIL)
    await oauth.expire_access_token(mailbox_id)
    oauth.sandbox.add_fault(path="/token", status=503, count=50)

    reply = await oauth.token(mailbox_id)

    assert reply["ok"] is False and reply["error"] == "provider_unavailable"
    oauth.sandbox.control.delete("/_sandbox/faults")
    assert (await oauth.token(mailbox_id))["ok"] is True


async def test_token_client_caches_until_near_expiry(oauth: OAuthHarness):
    _, mailbox_id = await connected(oauth, "google", GMAIL)
    calls: list[str] = []
    rpc = rpc_caller(oauth.rpc_broker, timeout=10)

    async def counting(queue: str, body: dict) -> dict:
        calls.append(queue)
        return await rpc(oauth.settings.queue_prefix + queue, body)

    client = MailboxTokenClient(counting)
    first = await client.get(uuid.UUID(mailbox_id))
    second = await client.get(uuid.UUID(mailbox_id))
    forced = await client.get(uuid.UUID(mailbox_id), force_refresh=True)

    assert first is second and len(calls) == 2
    assert forced.token.get_secret_value() != first.token.get_secret_value()
    with pytest.raises(MailboxTokenError) as missing:
        await client.get(uuid.uuid4())
    assert missing.value.code == "not_found"
