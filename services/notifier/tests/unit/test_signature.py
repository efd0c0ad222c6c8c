import time

import pytest
from slack_sdk.signature import SignatureVerifier

from leadwire_notifier.domain.signature import SignatureError, sign, verify_signature
from sandbox.slack_interactions import sign_interaction

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BODY = b"payload=%7B%22type%22%3A%22block_actions%22%7D"


def _headers(body: bytes = BODY, secret: str = SECRET, ts: int | None = None) -> dict[str, str]:
    return sign_interaction(secret, body, ts)


def _verify(body: bytes, headers: dict[str, str], now: float | None = None) -> None:
    verify_signature(
        SECRET,
        body,
        headers.get("X-Slack-Request-Timestamp"),
        headers.get("X-Slack-Signature"),
        now=time.time() if now is None else now,
    )


def test_a_request_signed_like_slack_is_accepted() -> None:
    _verify(BODY, _headers())


def test_our_signature_matches_slacks_own_sdk() -> None:
    ts = str(int(time.time()))
    signature = sign(SECRET, ts, BODY)
    assert SignatureVerifier(SECRET).is_valid(BODY, ts, signature)


def test_a_forged_signature_is_refused() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        _verify(BODY, _headers(secret="not-the-secret"))


def test_a_tampered_body_is_refused() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        _verify(BODY + b"&tampered=1", _headers())


@pytest.mark.parametrize("age", [301, -301, 3600])
def test_a_timestamp_more_than_five_minutes_away_is_refused(age: int) -> None:
    now = time.time()
    with pytest.raises(SignatureError, match="5 minutes"):
        _verify(BODY, _headers(ts=int(now) - age), now=now)


def test_a_timestamp_within_five_minutes_is_accepted() -> None:
    now = time.time()
    _verify(BODY, _headers(ts=int(now) - 290), now=now)


@pytest.mark.parametrize(
    ("timestamp", "signature", "reason"),
    [
        (None, "v0=ab", "missing"),
        ("123", None, "missing"),
        ("soon", "v0=ab", "not a number"),
    ],
)
def test_missing_or_malformed_headers_are_refused(
    timestamp: str | None, signature: str | None, reason: str
) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify_signature(SECRET, BODY, timestamp, signature, now=123)


def test_a_signature_of_another_version_is_refused() -> None:
    headers = _headers()
    headers["X-Slack-Signature"] = headers["X-Slack-Signature"].replace("v0=", "v1=")
    with pytest.raises(SignatureError, match="v0"):
        _verify(BODY, headers)
