from datetime import UTC, datetime
from uuid import uuid4

import pytest

from leadwire_notifier.domain.clients import ClientState, admit

CLIENT = uuid4()


@pytest.mark.parametrize(
    ("client", "expected"),
    [
        (ClientState(CLIENT), ("queued", "")),  # not announced yet: ask oauth at delivery
        (ClientState(CLIENT, has_slack_webhook=True), ("queued", "")),
        (ClientState(CLIENT, deleted=True), ("skipped", "client deleted")),
        (
            ClientState(CLIENT, notification_kinds=("email.sent",)),
            ("skipped", "client does not want lead.received"),
        ),
        (ClientState(CLIENT, has_slack_webhook=False), ("skipped", "client has no Slack webhook")),
        (
            ClientState(
                CLIENT,
                webhook_broken_at=datetime.now(UTC),
                webhook_broken_reason="404 no_service",
            ),
            ("skipped", "Slack webhook broken: 404 no_service"),
        ),
    ],
)
def test_who_hears_of_a_new_lead(client: ClientState, expected: tuple[str, str]) -> None:
    assert admit(client, "lead.received") == expected
