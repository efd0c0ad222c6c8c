"""`make rotate-keys`: re-encrypt every stored secret under the active key.

Old keys must stay in ENCRYPTION_KEYS until this has run; afterwards they
can be removed. Each row is rewritten in its own short transaction.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass

import asyncpg

from leadwire.crypto import KeyRing
from leadwire.db import create_pool
from leadwire.settings import load_settings
from leadwire_oauth import store
from leadwire_oauth.domain.sealed import flow_secret_aad, mailbox_token_aad, slack_webhook_aad
from leadwire_oauth.settings import OAuthSettings


@dataclass
class RotationReport:
    mailboxes: int = 0
    clients: int = 0
    flows: int = 0


def _rotated(keys: KeyRing, blob: bytes | None, aad: bytes) -> bytes | None:
    if blob is None or not keys.needs_rotation(bytes(blob)):
        return None
    return keys.rotate(bytes(blob), aad)


async def rotate_all(pool: asyncpg.Pool, keys: KeyRing) -> RotationReport:
    report = RotationReport()
    async with pool.acquire() as conn:
        for mailbox_id, access, refresh in await store.mailbox_token_ciphertexts(conn):
            new_access = _rotated(keys, access, mailbox_token_aad(mailbox_id, "access_token"))
            new_refresh = _rotated(keys, refresh, mailbox_token_aad(mailbox_id, "refresh_token"))
            if new_access or new_refresh:
                await store.set_mailbox_token_ciphertexts(
                    conn, mailbox_id, new_access or access, new_refresh or refresh
                )
                report.mailboxes += 1
        for client_id, blob in await store.client_webhooks(conn):
            new_blob = _rotated(keys, blob, slack_webhook_aad(client_id))
            if new_blob:
                await store.set_client_webhook_ciphertext(conn, client_id, new_blob)
                report.clients += 1
        for row in await store.flow_secret_ciphertexts(conn):
            new_blob = _rotated(keys, row["secret_enc"], flow_secret_aad(row["nonce"]))
            if new_blob:
                await store.set_flow_secret_ciphertext(conn, row["nonce"], new_blob)
                report.flows += 1
    return report


async def _main() -> int:
    settings = load_settings(OAuthSettings)
    keys = KeyRing.from_string(settings.encryption_keys.get_secret_value())
    pool = await create_pool(
        settings.database_url, settings.database_schema or settings.service_name
    )
    try:
        report = await rotate_all(pool, keys)
    finally:
        await pool.close()
    print(json.dumps({"active_key": keys.key_ids[0], **report.__dict__}))
    return 0


def main() -> None:
    sys.exit(asyncio.run(_main()))


if __name__ == "__main__":
    main()
