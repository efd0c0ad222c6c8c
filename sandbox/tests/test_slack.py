"""The Slack fake: incoming webhooks and signed interactions, checked with slack_sdk."""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from urllib.parse import parse_qs

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from sandbox.slack import sign_interaction

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture
def hook(sandbox) -> dict:
    answer = sandbox.control.post(
        "/_sandbox/slack/webhooks", json={"client": "acme", "name": "leads"}
    )
    answer.raise_for_status()
    return answer.json()


def post(sandbox, url: str, **kwargs) -> httpx.Response:
    with httpx.Client(verify=ssl.create_default_context(cafile=str(sandbox.ca_path))) as client:
        return client.post(url, **kwargs)


def test_webhook_url_has_slack_shape(hook):
    path = httpx.URL(hook["url"]).path.split("/")

    assert path[1] == "services" and path[2].startswith("T") and path[3].startswith("B")
    assert len(path) == 5 and path[4]


def test_webhook_records_the_message_and_answers_ok(sandbox, hook):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*New lead*"}}]

    answer = post(sandbox, hook["url"], json={"text": "New lead", "blocks": blocks})

    assert answer.status_code == 200 and answer.text == "ok"
    [message] = sandbox.control.get(f"/_sandbox/slack/webhooks/{hook['id']}/messages").json()
    assert message["text"] == "New lead" and message["blocks"] == blocks


def test_official_webhook_client_is_accepted(sandbox, hook):
    client = WebhookClient(hook["url"], ssl=ssl.create_default_context(cafile=str(sandbox.ca_path)))

    answer = client.send(text="hello from slack_sdk")

    assert answer.status_code == 200 and answer.body == "ok"


def test_bad_payloads_get_slack_errors(sandbox, hook):
    not_json = post(
        sandbox, hook["url"], content=b"{nope", headers={"Content-Type": "application/json"}
    )
    no_text = post(sandbox, hook["url"], json={"username": "x"})

    assert (not_json.status_code, not_json.text) == (400, "invalid_payload")
    assert (no_text.status_code, no_text.text) == (400, "no_text")


def test_unknown_or_deleted_webhook_is_no_service(sandbox, hook):
    sandbox.control.delete(f"/_sandbox/slack/webhooks/{hook['id']}").raise_for_status()

    answer = post(sandbox, hook["url"], json={"text": "hi"})

    assert (answer.status_code, answer.text) == (404, "no_service")


def test_a_short_burst_passes_by_default_as_at_slack(sandbox, hook):
    client = WebhookClient(hook["url"], ssl=ssl.create_default_context(cafile=str(sandbox.ca_path)))

    answers = [client.send(text=f"lead {i}") for i in range(3)]

    assert [(a.status_code, a.body) for a in answers] == [(200, "ok")] * 3


def test_strict_webhook_refuses_a_second_message_in_the_same_second(sandbox):
    hook = sandbox.control.post("/_sandbox/slack/webhooks", json={"strict": True}).json()
    first = post(sandbox, hook["url"], json={"text": "one"})
    second = post(sandbox, hook["url"], json={"text": "two"})

    assert first.status_code == 200
    assert (second.status_code, second.text) == (429, "rate_limited")
    assert second.headers["Retry-After"] == "1"
    messages = sandbox.control.get(f"/_sandbox/slack/webhooks/{hook['id']}/messages").json()
    assert [m["text"] for m in messages] == ["one"]


def test_the_rate_limit_refills_over_time(sandbox):
    fast = sandbox.control.post(
        "/_sandbox/slack/webhooks", json={"rate_per_second": 5, "burst": 1}
    ).json()

    with httpx.Client(verify=ssl.create_default_context(cafile=str(sandbox.ca_path))) as client:
        statuses = [client.post(fast["url"], json={"text": "x"}).status_code for _ in range(2)]
        time.sleep(0.21)
        statuses.append(client.post(fast["url"], json={"text": "y"}).status_code)

    assert statuses == [200, 429, 200]


def test_signature_is_accepted_by_slack_sdk():
    body = "payload=%7B%22type%22%3A%22block_actions%22%7D"
    headers = sign_interaction(SECRET, body, int(time.time()))

    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert not SignatureVerifier(SECRET).is_valid_request(body + "x", headers)
    assert not SignatureVerifier("another-secret").is_valid_request(body, headers)


class _Catcher:
    """A loopback app endpoint that verifies interactions like a real Slack app would."""

    def __init__(self) -> None:
        self.seen: list[dict] = []
        catcher = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"])).decode()
                valid = SignatureVerifier(SECRET).is_valid_request(raw, dict(self.headers))
                payload = json.loads(parse_qs(raw)["payload"][0])
                catcher.seen.append({"valid": valid, "payload": payload})
                self.send_response(200 if valid else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/slack/interactions"


@pytest.fixture
def catcher() -> Iterator[_Catcher]:
    caught = _Catcher()
    Thread(target=caught.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield caught
    caught.server.shutdown()
    caught.server.server_close()


def test_control_api_posts_a_signed_block_actions_interaction(sandbox, catcher):
    spec = {
        "url": catcher.url,
        "signing_secret": SECRET,
        "action_id": "approve_draft",
        "value": "d-42",
    }

    answer = sandbox.control.post("/_sandbox/slack/interactions", json=spec).json()

    assert answer["status"] == 200
    [seen] = catcher.seen
    assert seen["valid"] is True
    assert seen["payload"]["type"] == "block_actions"
    assert seen["payload"]["actions"][0]["action_id"] == "approve_draft"
    assert seen["payload"]["actions"][0]["value"] == "d-42"
    assert seen["payload"]["response_url"].startswith(sandbox.base_url + "/actions/")


def test_tampered_interaction_fails_verification(sandbox, catcher):
    spec = {"url": catcher.url, "signing_secret": SECRET, "value": "d-1", "tamper": True}

    answer = sandbox.control.post("/_sandbox/slack/interactions", json=spec).json()

    assert answer["status"] == 401 and catcher.seen[0]["valid"] is False


def test_stale_timestamp_fails_verification(sandbox, catcher):
    spec = {"url": catcher.url, "signing_secret": SECRET, "timestamp": int(time.time()) - 600}

    sandbox.control.post("/_sandbox/slack/interactions", json=spec).raise_for_status()

    assert catcher.seen[0]["valid"] is False
