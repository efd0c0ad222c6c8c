"""Pub/Sub push from Gmail watches: envelope, OIDC token verification, retries."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import google.auth.transport.requests
import pytest
from google.oauth2 import id_token

ADDRESS = "owner@acme.test"
PUSH_SA = "gmail-api-push@system.gserviceaccount.com"


class Receiver:
    """A push endpoint that answers the given statuses in turn (then the last one)."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[tuple[dict[str, str], dict]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.requests.append((dict(self.headers), body))
                index = min(len(receiver.requests), len(receiver.statuses)) - 1
                self.send_response(receiver.statuses[index])
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/gmail/push"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.requests) >= count, f"got {len(self.requests)} pushes, wanted {count}"


@pytest.fixture
def receiver_factory() -> Iterator:
    made: list[Receiver] = []

    def make(statuses: list[int]) -> Receiver:
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for receiver in made:
        receiver.server.shutdown()


def verify_push(sandbox, session, token: str, audience: str) -> dict:
    """What a service does with a push's bearer token (signature, aud, iss, then email)."""
    request = google.auth.transport.requests.Request(session)
    claims = id_token.verify_token(
        token, request, audience=audience, certs_url=f"{sandbox.base_url}/oauth2/v1/certs"
    )
    if claims["iss"] not in {"https://accounts.google.com", "accounts.google.com"}:
        raise ValueError("wrong issuer")
    if claims.get("email") != PUSH_SA or not claims.get("email_verified"):
        raise ValueError("push token not from the Gmail push service account")
    return claims


def _watch(gmail) -> None:
    body = {"topicName": "projects/acme/topics/gmail", "labelIds": ["INBOX"]}
    gmail.users().watch(userId="me", body=body).execute()


def test_push_is_retried_with_backoff_until_acked(
    sandbox, gmail_account, receiver_factory, ca_session
):
    sandbox.config.push_backoff_initial = 0.05
    receiver = receiver_factory([500, 503, 204])
    gmail, _ = gmail_account(push_endpoint=receiver.url)
    _watch(gmail)
    delivered = sandbox.deliver(ADDRESS, **{"from": "lead@x.test", "subject": "s", "text": "t"})
    receiver.wait_for(3)
    time.sleep(0.2)
    assert len(receiver.requests) == 3  # acked: no fourth attempt
    headers, body = receiver.requests[-1]
    data = json.loads(base64.b64decode(body["message"]["data"]))
    assert data == {"emailAddress": ADDRESS, "historyId": int(delivered["historyId"])}
    assert body["subscription"] == "projects/sandbox/subscriptions/gmail-push"
    assert body["message"]["messageId"] == receiver.requests[0][1]["message"]["messageId"]
    token = headers["Authorization"].removeprefix("Bearer ")
    claims = verify_push(sandbox, ca_session, token, audience=receiver.url)
    assert claims["aud"] == receiver.url
    attempts = sandbox.control.get(
        "/_sandbox/google/push/attempts", params={"address": ADDRESS}
    ).json()
    assert [(a["attempt"], a["status"], a["acked"]) for a in attempts] == [
        (1, 500, False),
        (2, 503, False),
        (3, 204, True),
    ]


def test_push_only_for_watched_labels_and_can_be_switched_off(
    sandbox, gmail_account, receiver_factory
):
    receiver = receiver_factory([204])
    gmail, _ = gmail_account(push_endpoint=receiver.url)
    sandbox.deliver(ADDRESS, **{"from": "a@x.test", "subject": "before watch", "text": "t"})
    _watch(gmail)
    sandbox.deliver(ADDRESS, **{"from": "b@x.test", "subject": "spam", "text": "t", "spam": True})
    sandbox.deliver(ADDRESS, **{"from": "c@x.test", "subject": "inbox", "text": "t"})
    receiver.wait_for(1)
    resp = sandbox.control.post(
        f"/_sandbox/google/mailboxes/{ADDRESS}/push", json={"enabled": False}
    )
    assert resp.json()["push"] is None
    sandbox.deliver(ADDRESS, **{"from": "d@x.test", "subject": "polled", "text": "t"})
    time.sleep(0.3)
    assert len(receiver.requests) == 1


def test_push_tokens_with_wrong_audience_email_or_signature_are_rejected(sandbox, ca_session):
    aud = "https://leadwire.test/webhooks/gmail/push"

    def mint(**body) -> str:
        resp = sandbox.control.post("/_sandbox/google/tokens/id-token", json=body)
        return resp.json()["token"]

    good = mint(claims={"aud": aud, "email": PUSH_SA, "email_verified": True})
    assert verify_push(sandbox, ca_session, good, aud)["email"] == PUSH_SA
    with pytest.raises(ValueError, match="audience"):
        verify_push(sandbox, ca_session, good, "https://other.test/push")
    wrong_email = mint(claims={"aud": aud, "email": "someone@evil.test", "email_verified": True})
    with pytest.raises(ValueError, match="service account"):
        verify_push(sandbox, ca_session, wrong_email, aud)
    forged = mint(claims={"aud": aud, "email": PUSH_SA, "email_verified": True}, wrong_key=True)
    with pytest.raises(ValueError, match="signature"):
        verify_push(sandbox, ca_session, forged, aud)
    jwks = google.auth.transport.requests.Request(ca_session)
    claims = id_token.verify_token(
        good, jwks, audience=aud, certs_url=f"{sandbox.base_url}/oauth2/v3/certs"
    )
    assert claims["email_verified"] is True
