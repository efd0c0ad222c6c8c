"""Every RPC request gets an answer, garbage included; RPC queues park what
repeatedly fails to be handled in a dead-letter queue."""

from __future__ import annotations

import json
from typing import Any

import aio_pika
import pytest

from leadwire.mailbox_tokens import CLIENT_SECRETS_QUEUE, MAILBOX_TOKEN_QUEUE
from leadwire_oauth.testing import OAuthHarness

pytestmark = pytest.mark.integration

GARBAGE: list[tuple[bytes, str | None]] = [
    (b"not json at all", "application/json"),
    (b"\xff\xfe\x00garbage", None),
    (b'["a", "list"]', "application/json"),
    (b"42", "application/json"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    (json.dumps({"mailbox_id": "not-a-uuid"}).encode(), "application/json"),
    (json.dumps({"mailbox_id": {"nested": [1, 2]}}).encode(), "application/json"),
]


async def ask(oauth: OAuthHarness, queue: str, body: bytes, content_type: str | None) -> Any:
    reply = await oauth.rpc_broker.request(
        body,
        oauth.settings.queue_prefix + queue,
        timeout=5,
        expiration=5,
        content_type=content_type,
    )
    return json.loads(reply.body)


@pytest.mark.parametrize("queue", [MAILBOX_TOKEN_QUEUE, CLIENT_SECRETS_QUEUE])
@pytest.mark.parametrize(("body", "content_type"), GARBAGE)
async def test_garbage_request_gets_an_error_reply(
    oauth: OAuthHarness, queue: str, body: bytes, content_type: str | None
):
    reply = await ask(oauth, queue, body, content_type)

    assert reply["ok"] is False and reply["error"] == "bad_request", reply
    assert reply["message"]


async def test_a_good_request_after_garbage_still_works(oauth: OAuthHarness):
    await ask(oauth, MAILBOX_TOKEN_QUEUE, b"{{{", "application/json")

    reply = await oauth.token("00000000-0000-0000-0000-000000000000")

    assert reply["ok"] is False and reply["error"] == "not_found"


async def test_rpc_queues_have_a_delivery_limit_and_a_dlq(oauth: OAuthHarness, rabbit_url: str):
    connection = await aio_pika.connect(rabbit_url)
    async with connection:
        channel = await connection.channel()
        for queue in (MAILBOX_TOKEN_QUEUE, CLIENT_SECRETS_QUEUE):
            name = oauth.settings.queue_prefix + queue
            # Passive declares fail if the queue is missing.
            await channel.declare_queue(name + ".dlq", passive=True)
            # Re-declaring with other arguments fails: these are the queue's arguments.
            await channel.declare_queue(
                name,
                durable=True,
                arguments={
                    "x-queue-type": "quorum",
                    "x-delivery-limit": 5,
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": name + ".dlq",
                    "x-dead-letter-strategy": "at-least-once",
                    "x-overflow": "reject-publish",
                    "x-message-ttl": 60_000,
                },
            )
