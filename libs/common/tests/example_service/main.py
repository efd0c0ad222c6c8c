"""The example service of docs/writing-a-service.md: it keeps a list of connected
mailboxes, asks for each new one's first sync, and counts them every few seconds."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from leadwire.consuming import Consumed
from leadwire.events import MailboxConnected, MailboxDisconnected, MailboxSyncRequested
from leadwire.runtime import ServiceRuntime, run_service
from leadwire.settings import ServiceSettings

from . import store

MIGRATIONS = Path(__file__).parent / "migrations"


class WatcherSettings(ServiceSettings):
    service_name: str = "watcher"
    http_port: int = 8090
    count_every_seconds: float = 60.0


def create_app(settings: WatcherSettings) -> FastAPI:
    runtime = ServiceRuntime.for_service(settings, migrations=MIGRATIONS)

    @runtime.consumer(
        "mailboxes", MailboxConnected, MailboxDisconnected, serialize_by=lambda m: m.mailbox_id
    )
    async def track_mailbox(event: Consumed[MailboxConnected | MailboxDisconnected]) -> None:
        mailbox = event.payload
        if isinstance(mailbox, MailboxConnected):
            await store.save_mailbox(event.conn, mailbox)
            await event.publish(
                MailboxSyncRequested(
                    mailbox_id=mailbox.mailbox_id,
                    client_id=mailbox.client_id,
                    provider=mailbox.provider,
                    reason="connected",
                )
            )
        else:
            await store.forget_mailbox(event.conn, mailbox.mailbox_id)

    async def count_mailboxes() -> None:
        async with runtime.pool.acquire() as conn:
            await store.record_connected_count(conn)

    runtime.every(
        timedelta(seconds=settings.count_every_seconds), count_mailboxes, name="count-mailboxes"
    )
    return runtime.build_app(FastAPI(title="leadwire-watcher"))


def run() -> None:
    run_service(WatcherSettings, create_app)
