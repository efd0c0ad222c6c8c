import uuid
from datetime import UTC, datetime

from leadwire_oauth.domain.models import Mailbox, client_statuses, disconnected_status

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def mailbox(provider: str, status: str) -> Mailbox:
    return Mailbox(
        id=uuid.uuid4(),
        client_id=uuid.uuid4(),
        provider=provider,  # type: ignore[arg-type]
        address=f"{status}@{provider}.example",
        display_name="",
        status=status,  # type: ignore[arg-type]
        scopes=[],
        access_token_enc=None,
        refresh_token_enc=None,
        access_expires_at=None,
        last_refresh_at=None,
        last_error=None,
        connected_at=NOW,
        updated_at=NOW,
    )


def test_disconnected_mailboxes_leave_their_provider_not_configured():
    items = client_statuses([mailbox("google", "connected"), mailbox("microsoft", "disconnected")])
    assert [(i.provider, i.status) for i in items] == [
        ("google", "connected"),
        ("microsoft", "not_configured"),
    ]


def test_revoked_mailbox_is_reported_as_such():
    items = client_statuses([mailbox("google", "revoked")])
    assert ("google", "revoked") in [(i.provider, i.status) for i in items]


def test_disconnected_status_names_the_mailbox():
    box = mailbox("google", "connected")
    status = disconnected_status(box)
    assert status.status == "disconnected" and status.mailbox_id == box.id
