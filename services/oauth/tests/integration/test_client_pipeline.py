"""A client's pipeline settings: validated, stored, published on client.changed; the first
connected mailbox becomes the primary one."""

from __future__ import annotations

import uuid

import pytest

from leadwire_oauth.testing import OAuthHarness

pytestmark = pytest.mark.integration

PIPELINE = {
    "notification_kinds": ["lead.received", "draft.created"],
    "follow_up": {"enabled": True, "delays_business_days": [2, 5]},
    "qualification_threshold": 65,
    "own_domains": ["Acme.test", "@acme-mail.test"],
    "denied_domains": ["competitor.test"],
}


async def test_pipeline_settings_are_published_on_client_changed(oauth: OAuthHarness):
    client = await oauth.create_client(pipeline=PIPELINE)

    assert client["pipeline"]["own_domains"] == ["acme-mail.test", "acme.test"]
    [event] = await oauth.events.of_type(client["id"], "client.changed")
    payload = event["payload"]
    assert payload["notification_kinds"] == ["lead.received", "draft.created"]
    assert payload["follow_up"]["enabled"] is True
    assert payload["qualification_threshold"] == 65
    assert payload["denied_domains"] == ["competitor.test"]
    assert payload["primary_mailbox_id"] is None


async def test_the_first_connected_mailbox_becomes_primary(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("google", "first@acme.test")
    oauth.sandbox.create_mailbox("microsoft", "second@acme.test")
    client = await oauth.create_client()

    first = await oauth.connect(client["id"], "google", "first@acme.test")
    await oauth.connect(client["id"], "microsoft", "second@acme.test")

    changed = await oauth.events.of_type(client["id"], "client.changed", at_least=2)
    assert changed[-1]["payload"]["primary_mailbox_id"] == first["mailbox_id"]
    assert len(changed) == 2  # created, then the primary set once — not on the second connect
    shown = (await oauth.api.get(f"/admin/clients/{client['id']}")).json()
    assert shown["pipeline"]["primary_mailbox_id"] == first["mailbox_id"]


async def test_a_primary_mailbox_of_another_client_is_refused(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("google", "theirs@other.test")
    other = await oauth.create_client()
    theirs = await oauth.connect(other["id"], "google", "theirs@other.test")
    client = await oauth.create_client()

    answer = await oauth.api.patch(
        f"/admin/clients/{client['id']}",
        json={"pipeline": {"primary_mailbox_id": theirs["mailbox_id"]}},
    )
    unknown = await oauth.api.patch(
        f"/admin/clients/{client['id']}",
        json={"pipeline": {"primary_mailbox_id": str(uuid.uuid4())}},
    )

    assert answer.status_code == 422 and "primary_mailbox_id" in answer.text
    assert unknown.status_code == 422


@pytest.mark.parametrize(
    "pipeline",
    [
        {"own_domains": ["not a domain"]},
        {"qualification_threshold": 101},
        {"notification_kinds": ["lead.exploded"]},
        {"follow_up": {"enabled": True, "delays_business_days": [0]}},
    ],
)
async def test_bad_pipeline_settings_are_422(oauth: OAuthHarness, pipeline):
    client = await oauth.create_client()
    answer = await oauth.api.patch(f"/admin/clients/{client['id']}", json={"pipeline": pipeline})
    assert answer.status_code == 422, answer.text
