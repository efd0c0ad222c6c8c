from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from leadwire.http import create_async_client, requests_session
from leadwire.retry import HttpRetryPolicy, parse_retry_after


class Script:
    """An inner transport answering from a list of responses/exceptions, counting calls."""

    def __init__(self, *steps):
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, Exception):
            raise step
        return step


class Sleeps:
    def __init__(self):
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def _client(script, sleeps, **kwargs):
    return create_async_client(
        base_url="https://provider.test",
        transport=httpx.MockTransport(script),
        sleep=sleeps,
        **kwargs,
    )


async def test_503_then_200_is_retried_with_backoff():
    script = Script(httpx.Response(503), httpx.Response(503), httpx.Response(200, json={"ok": 1}))
    sleeps = Sleeps()
    async with _client(script, sleeps, backoff_base=0.5, backoff_max=30) as client:
        response = await client.post("/send", json={"a": 1})
    assert response.status_code == 200
    assert len(script.requests) == 3
    assert len(sleeps.delays) == 2
    assert 0 <= sleeps.delays[0] <= 0.5 and 0 <= sleeps.delays[1] <= 1.0
    assert script.requests[2].content == b'{"a":1}'  # the body is sent again


async def test_retry_after_seconds_is_honoured():
    script = Script(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200))
    sleeps = Sleeps()
    async with _client(script, sleeps) as client:
        response = await client.get("/messages")
    assert response.status_code == 200
    assert sleeps.delays == [7.0]


async def test_retry_after_http_date_is_honoured():
    now = datetime(2030, 1, 1, tzinfo=UTC)
    when = format_datetime(now + timedelta(seconds=12), usegmt=True)
    policy = HttpRetryPolicy(clock=lambda: now)
    script = Script(httpx.Response(503, headers={"Retry-After": when}), httpx.Response(200))
    sleeps = Sleeps()
    async with _client(script, sleeps, policy=policy) as client:
        await client.get("/x")
    assert sleeps.delays == [12.0]


async def test_retry_after_longer_than_the_cap_returns_the_429_to_the_caller():
    script = Script(httpx.Response(429, headers={"Retry-After": "3600"}), httpx.Response(200))
    sleeps = Sleeps()
    async with _client(script, sleeps, backoff_max=30) as client:
        response = await client.get("/x")
    assert response.status_code == 429
    assert len(script.requests) == 1 and sleeps.delays == []


async def test_retries_are_bounded():
    script = Script(httpx.Response(503))
    sleeps = Sleeps()
    async with _client(script, sleeps, max_retries=3) as client:
        response = await client.get("/x")
    assert response.status_code == 503
    assert len(script.requests) == 4  # first try + 3 retries
    assert len(sleeps.delays) == 3


async def test_backoff_grows_exponentially_and_is_capped():
    policy = HttpRetryPolicy(max_retries=6, backoff_base=1, backoff_max=5, random=lambda: 1.0)
    script = Script(httpx.Response(503))
    sleeps = Sleeps()
    async with _client(script, sleeps, policy=policy) as client:
        await client.get("/x")
    assert sleeps.delays == [1, 2, 4, 5, 5, 5]


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_ambiguous_5xx_is_not_retried_for_post(status):
    script = Script(httpx.Response(status), httpx.Response(200))
    async with _client(script, Sleeps()) as client:
        response = await client.post("/send")
    assert response.status_code == status
    assert len(script.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_5xx_is_retried_for_get(status):
    script = Script(httpx.Response(status), httpx.Response(200))
    async with _client(script, Sleeps()) as client:
        response = await client.get("/x")
    assert response.status_code == 200


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409])
async def test_client_errors_are_not_retried(status):
    script = Script(httpx.Response(status), httpx.Response(200))
    async with _client(script, Sleeps()) as client:
        response = await client.get("/x")
    assert response.status_code == status
    assert len(script.requests) == 1


async def test_connect_error_is_retried_even_for_post():
    script = Script(httpx.ConnectError("refused"), httpx.Response(201))
    async with _client(script, Sleeps()) as client:
        response = await client.post("/send", content=b"x")
    assert response.status_code == 201
    assert len(script.requests) == 2


async def test_read_timeout_is_retried_for_get_but_not_for_post():
    get_script = Script(httpx.ReadTimeout("slow"), httpx.Response(200))
    async with _client(get_script, Sleeps()) as client:
        assert (await client.get("/x")).status_code == 200
    post_script = Script(httpx.ReadTimeout("slow"), httpx.Response(200))
    async with _client(post_script, Sleeps()) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post("/send")
    assert len(post_script.requests) == 1


async def test_connect_errors_raise_after_the_last_retry():
    script = Script(httpx.ConnectError("refused"))
    async with _client(script, Sleeps(), max_retries=2) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("/x")
    assert len(script.requests) == 3


def test_parse_retry_after_handles_garbage_and_past_dates():
    now = datetime(2030, 1, 1, tzinfo=UTC)
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-5", now) == 0.0
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0.0


def test_requests_session_ignores_environment_ca_bundle(monkeypatch, tmp_path):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/bundle.pem")
    import trustme

    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    session = requests_session(str(bundle))
    assert session.trust_env is False
    settings = session.merge_environment_settings("https://login.test/", {}, None, None, None)
    assert settings["verify"] == str(bundle)


def test_requests_session_refuses_a_missing_bundle():
    with pytest.raises(ValueError, match="cannot load CA bundle"):
        requests_session("/nonexistent/ca.pem")
