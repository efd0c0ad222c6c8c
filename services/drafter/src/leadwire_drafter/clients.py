"""Use case: keep the local copy of each client's policy and profile (client.changed)."""

from __future__ import annotations

import logging

from leadwire.events import ClientChanged
from leadwire_drafter import store
from leadwire_drafter.store import Conn

log = logging.getLogger(__name__)


async def client_changed(conn: Conn, client: ClientChanged) -> None:
    if await store.upsert_client(conn, client):
        log.info("client %s now at revision %d", client.client_id, client.revision)
    else:
        log.info(
            "client %s revision %d is older than ours: ignored", client.client_id, client.revision
        )
