from __future__ import annotations

import asyncio
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker

from leadwire.rpc import RpcError, RpcTimeout, rpc_call, rpc_caller, rpc_queue

pytestmark = pytest.mark.integration


async def test_request_gets_the_reply_the_server_returns(
    broker: RabbitBroker, unique_name, rabbit_cleanup
) -> None:
    name = unique_name("oauth.rpc.mailbox_token")
    rabbit_cleanup.queue(name)

    @broker.subscriber(rpc_queue(name))
    async def mailbox_token(body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "echo": body["mailbox_id"]}

    await broker.start()
    reply = await rpc_call(broker, name, {"mailbox_id": "m1"}, timeout=5)
    assert reply == {"ok": True, "echo": "m1"}
    assert await rpc_caller(broker, timeout=5)(name, {"mailbox_id": "m2"}) == {
        "ok": True,
        "echo": "m2",
    }


async def test_slow_server_times_out(broker: RabbitBroker, unique_name, rabbit_cleanup) -> None:
    name = unique_name("oauth.rpc.slow")
    rabbit_cleanup.queue(name)

    @broker.subscriber(rpc_queue(name))
    async def slow(body: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(1)
        return {"ok": True}

    await broker.start()
    with pytest.raises(RpcTimeout):
        await rpc_call(broker, name, {}, timeout=0.2)


async def test_request_to_a_missing_queue_fails_fast(broker: RabbitBroker, unique_name) -> None:
    await broker.start()
    with pytest.raises(RpcError) as error:
        await rpc_call(broker, unique_name("nobody.home"), {}, timeout=5)
    assert not isinstance(error.value, RpcTimeout)
