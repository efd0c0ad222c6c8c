from typing import Any
from uuid import uuid4

import pytest

from leadwire.rpc import RpcTimeout
from leadwire_notifier.providers.secrets import SecretsUnavailable, WebhookUrls

URL = "https://hooks.slack.test/services/T1/B1/secret"


class FakeOauth:
    def __init__(self, reply: dict[str, Any] | Exception) -> None:
        self.reply = reply
        self.calls = 0

    async def __call__(self, queue: str, body: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_url_is_asked_once_then_kept_until_its_ttl() -> None:
    oauth, clock, client = FakeOauth({"ok": True, "slack_webhook_url": URL}), Clock(), uuid4()
    urls = WebhookUrls(oauth, queue="q", ttl_seconds=60, clock=clock)
    first = await urls.get(client)
    assert first is not None and first.get_secret_value() == URL
    assert URL not in repr(first)  # a SecretStr: never printed by accident
    await urls.get(client)
    assert oauth.calls == 1
    clock.now += 61
    await urls.get(client)
    assert oauth.calls == 2


async def test_forget_asks_again_at_once() -> None:
    oauth, client = FakeOauth({"ok": True, "slack_webhook_url": URL}), uuid4()
    urls = WebhookUrls(oauth, queue="q", ttl_seconds=60)
    await urls.get(client)
    urls.forget(client)
    await urls.get(client)
    assert oauth.calls == 2


@pytest.mark.parametrize(
    "reply", [{"ok": True, "slack_webhook_url": None}, {"ok": False, "error": "not_found"}]
)
async def test_no_webhook_or_unknown_client_is_none(reply: dict[str, Any]) -> None:
    assert await WebhookUrls(FakeOauth(reply), queue="q", ttl_seconds=60).get(uuid4()) is None


@pytest.mark.parametrize("reply", [RpcTimeout("no reply"), {"unexpected": 1}])
async def test_an_unanswered_or_garbled_rpc_is_unavailable(reply: Any) -> None:
    urls = WebhookUrls(FakeOauth(reply), queue="q", ttl_seconds=60)
    with pytest.raises(SecretsUnavailable):
        await urls.get(uuid4())
