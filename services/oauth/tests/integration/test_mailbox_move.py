"""An address taken by another client is refused and the grant obtained for it is
revoked at the provider; an admin can move the mailbox explicitly."""

from __future__ import annotations

import pytest

from leadwire_oauth.testing import OAuthHarness

pytestmark = pytest.mark.integration

ADDRESS = "moving@acme-mail.example"


def live_google_grants(oauth: OAuthHarness) -> int:
    grants = oauth.sandbox.state.provider("google").oauth.grants
    return sum(1 for g in grants if g.address.lower() == ADDRESS and not g.revoked)


async def connect_elsewhere(oauth: OAuthHarness, client_id: str) -> tuple[int, dict]:
    auth_url = await oauth.start_connect(client_id, "google", ADDRESS)
    landed = await oauth.follow(auth_url)
    return landed.status_code, landed.json()


async def test_refused_address_leaves_no_live_grant_and_an_admin_can_move_it(
    oauth: OAuthHarness,
):
    oauth.sandbox.create_mailbox("google", ADDRESS)
    first = await oauth.create_client()
    second = await oauth.create_client()
    mailbox_id = (await oauth.connect(first["id"], "google", ADDRESS))["mailbox_id"]
    await oauth.api.delete(f"/admin/mailboxes/{mailbox_id}")
    assert live_google_grants(oauth) == 0

    status, refused = await connect_elsewhere(oauth, second["id"])

    assert status == 409 and refused["error"] == "address_taken"
    assert live_google_grants(oauth) == 0

    moved = await oauth.api.post(
        f"/admin/mailboxes/{mailbox_id}/move", json={"client_id": second["id"]}
    )
    assert moved.status_code == 200, moved.text
    status, connected = await connect_elsewhere(oauth, second["id"])
    assert status == 200 and connected["client_id"] == second["id"]
    assert connected["mailbox_id"] == mailbox_id


async def test_moving_a_connected_mailbox_tells_both_clients(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("google", ADDRESS)
    first = await oauth.create_client()
    second = await oauth.create_client()
    mailbox_id = (await oauth.connect(first["id"], "google", ADDRESS))["mailbox_id"]

    moved = await oauth.api.post(
        f"/admin/mailboxes/{mailbox_id}/move", json={"client_id": second["id"]}
    )

    assert moved.status_code == 200 and moved.json()["status"] == "connected"
    gone = await oauth.events.of_type(first["id"], "mailbox.disconnected")
    arrived = await oauth.events.of_type(second["id"], "mailbox.connected")
    assert gone[0]["payload"]["reason"] == "moved"
    assert arrived[0]["payload"]["mailbox_id"] == mailbox_id
    token = await oauth.token(mailbox_id, force_refresh=True)
    assert token["ok"] is True
    first_client = (await oauth.api.get(f"/admin/clients/{first['id']}")).json()
    assert str(mailbox_id) not in str(first_client.get("pipeline", {}).get("primary_mailbox_id"))


async def test_move_to_an_unknown_client_or_onto_itself_is_409(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("google", ADDRESS)
    first = await oauth.create_client()
    mailbox_id = (await oauth.connect(first["id"], "google", ADDRESS))["mailbox_id"]

    same = await oauth.api.post(
        f"/admin/mailboxes/{mailbox_id}/move", json={"client_id": first["id"]}
    )
    unknown = await oauth.api.post(
        f"/admin/mailboxes/{mailbox_id}/move",
        json={"client_id": "00000000-0000-0000-0000-000000000000"},
    )

    assert same.status_code == unknown.status_code == 409
