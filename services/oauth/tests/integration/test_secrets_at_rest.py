"""Tokens and webhook URLs are ciphertext at rest, survive key rotation, and
never reach the logs."""

from __future__ import annotations

import base64
import io
import os
import re
import uuid

import pytest

from leadwire.crypto import KeyRing
from leadwire.logging import configure_logging
from leadwire_oauth.rotate_keys import rotate_all
from leadwire_oauth.testing import OAuthHarness

pytestmark = pytest.mark.integration

GMAIL = "secrets@acme-mail.example"
WEBHOOK = "https://hooks.slack.com/services/T0009/B0009/zyxwvutsrqponmlkjihgfedc"


async def schema_bytes(oauth: OAuthHarness) -> bytes:
    """Every row of every table in the schema, as Postgres prints it."""
    dump = io.BytesIO()
    async with oauth.ctx.pool.acquire() as conn:
        tables = await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
            oauth.settings.database_schema,
        )
        for table in tables:
            rows = await conn.fetch(f'SELECT t::text AS row FROM "{table["table_name"]}" t')
            for row in rows:
                dump.write(row["row"].encode() + b"\n")
    return dump.getvalue()


async def test_no_plaintext_token_or_webhook_in_the_schema(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("google", GMAIL)
    client = await oauth.create_client(slack_webhook_url=WEBHOOK)
    mailbox_id = (await oauth.connect(client["id"], "google", GMAIL))["mailbox_id"]
    token = (await oauth.token(mailbox_id))["access_token"]

    raw = await schema_bytes(oauth)

    assert GMAIL.encode() in raw  # the scan sees the rows
    for secret in (token, WEBHOOK, "zyxwvutsrqponmlkjihgfedc"):
        assert secret.encode() not in raw
        assert secret.encode().hex().encode() not in raw  # bytea prints as hex


async def test_rotation_re_encrypts_under_the_new_key(oauth: OAuthHarness):
    oauth.sandbox.create_mailbox("google", GMAIL)
    client = await oauth.create_client(slack_webhook_url=WEBHOOK)
    mailbox_id = (await oauth.connect(client["id"], "google", GMAIL))["mailbox_id"]
    before = (await oauth.token(mailbox_id))["access_token"]
    old = oauth.settings.encryption_keys.get_secret_value()
    new_key = f"k2:{base64.b64encode(os.urandom(32)).decode()}"
    new_ring = KeyRing.from_string(f"{new_key},{old}")

    oauth.ctx.keys = new_ring
    report = await rotate_all(oauth.ctx.pool, new_ring)

    assert report.mailboxes == 1 and report.clients == 1
    async with oauth.ctx.pool.acquire() as conn:
        blobs = await conn.fetchrow(
            "SELECT access_token_enc, refresh_token_enc FROM mailboxes WHERE id = $1",
            uuid.UUID(mailbox_id),
        )
    assert not any(new_ring.needs_rotation(bytes(b)) for b in blobs.values())
    oauth.ctx.keys = KeyRing.from_string(new_key)  # the old key can go once rotated
    assert (await oauth.token(mailbox_id))["access_token"] == before
    assert (await rotate_all(oauth.ctx.pool, oauth.ctx.keys)).mailboxes == 0


async def test_logs_of_a_connect_and_refresh_contain_no_token(oauth: OAuthHarness):
    captured = io.StringIO()
    configure_logging("oauth", "DEBUG", json=True, stream=captured)
    try:
        oauth.sandbox.create_mailbox("google", GMAIL)
        client = await oauth.create_client(slack_webhook_url=WEBHOOK)
        mailbox_id = (await oauth.connect(client["id"], "google", GMAIL))["mailbox_id"]
        refreshed = await oauth.token(mailbox_id, force_refresh=True)
    finally:
        configure_logging("oauth", "WARNING", json=True)
    logs = captured.getvalue()

    assert "oauth/google/callback" in logs  # the access log was captured
    assert "mailbox_token_refreshed" in logs
    assert refreshed["access_token"] not in logs
    assert "zyxwvutsrqponmlkjihgfedc" not in logs
    assert not re.search(r"[?&]code=(?!\[REDACTED|%5BREDACTED)[\w\-.~]{6,}", logs)
