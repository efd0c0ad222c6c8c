"""client.changed → ingest's copy of what intake needs of a client."""

from __future__ import annotations

from leadwire.events import ClientChanged
from leadwire_ingest.domain.models import ClientInfo
from leadwire_ingest.store import Conn, clients


def _domains(values: list[str]) -> tuple[str, ...]:
    return tuple(sorted({v.strip().lower().lstrip("@").rstrip(".") for v in values if v.strip()}))


async def apply_client_changed(conn: Conn, event: ClientChanged) -> None:
    """Store the snapshot unless a newer revision is already stored."""
    stored = await clients.get(conn, event.client_id)
    if stored is not None and stored.revision > event.revision:
        return  # a late, older snapshot
    await clients.free_slug(conn, event.slug, event.client_id)
    await clients.upsert(
        conn,
        ClientInfo(
            client_id=event.client_id,
            slug=event.slug,
            name=event.name,
            revision=event.revision,
            allowed_origins=tuple(o.rstrip("/").lower() for o in event.allowed_origins),
            own_domains=_domains(event.own_domains),
            denied_domains=_domains(event.denied_domains),
            primary_mailbox_id=event.primary_mailbox_id,
            deleted=event.deleted,
        ),
    )
