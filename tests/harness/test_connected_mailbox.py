"""The multi-service harness: a connected sandbox mailbox in two lines, with a working
`mailbox.token` RPC and the connect events on the test's own exchange."""

from __future__ import annotations

import pytest

from leadwire.mailbox_tokens import MAILBOX_TOKEN_QUEUE, MailboxTokenClient
from leadwire.rpc import rpc_caller
from leadwire.testing import MailboxConnector, TestStack

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("provider", ["google", "microsoft"])
async def test_a_connected_mailbox_answers_token_requests(
    stack: TestStack, sandbox, connected_mailbox: MailboxConnector, provider: str
) -> None:
    tap = await stack.tap("mailbox.connected", "client.changed")

    mailbox = await connected_mailbox(provider, f"sales-{provider}@acme.test")

    [connected] = await tap.wait_for("mailbox.connected")
    assert connected["payload"]["mailbox_id"] == str(mailbox.mailbox_id)
    await tap.wait_for("client.changed", where=lambda e: e["client_id"] == str(mailbox.client_id))
    oauth = await connected_mailbox.oauth()
    tokens = MailboxTokenClient(
        rpc_caller(oauth.runtime.broker, timeout=10),
        queue=stack.queue_prefix + MAILBOX_TOKEN_QUEUE,
    )
    token = await tokens.get(mailbox.mailbox_id)
    assert token.address == mailbox.address and token.provider == provider
    assert token.token.get_secret_value()


async def test_two_stacks_do_not_see_each_others_events(
    stack: TestStack, sandbox, connected_mailbox: MailboxConnector, postgres_dsn, rabbit_url
) -> None:
    other = TestStack(
        postgres_dsn,
        rabbit_url,
        exchange=f"{stack.exchange}-other",
        queue_prefix=f"o{stack.queue_prefix}",
    )
    try:
        foreign = await other.tap("mailbox.connected")
        ours = await stack.tap("mailbox.connected")
        await connected_mailbox("google", "solo@acme.test")
        assert len(await ours.wait_for("mailbox.connected")) == 1
        assert await foreign.wait_for("mailbox.connected", at_least=0, settle=0.5) == []
    finally:
        await other.close()
