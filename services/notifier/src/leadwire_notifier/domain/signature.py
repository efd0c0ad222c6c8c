"""Slack request signatures (v0): HMAC-SHA256 over `v0:{timestamp}:{body}`.

https://api.slack.com/authentication/verifying-requests-from-slack — the timestamp must
be within five minutes of now (replays are refused) and the comparison constant-time.
"""

from __future__ import annotations

import hashlib
import hmac

MAX_AGE_SECONDS = 300
VERSION = "v0"


class SignatureError(Exception):
    """The request is not provably from Slack; the message says why (never a secret)."""


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    base = f"{VERSION}:{timestamp}:".encode() + body
    return f"{VERSION}=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    *,
    now: float,
    max_age: float = MAX_AGE_SECONDS,
) -> None:
    """Return if `signature` signs `body` at `timestamp` with `secret`, else raise."""
    if not timestamp or not signature:
        raise SignatureError("missing X-Slack-Request-Timestamp or X-Slack-Signature")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SignatureError("X-Slack-Request-Timestamp is not a number") from None
    if abs(now - sent_at) > max_age:
        raise SignatureError("X-Slack-Request-Timestamp is more than 5 minutes from now")
    if not signature.startswith(f"{VERSION}="):
        raise SignatureError("X-Slack-Signature is not a v0 signature")
    expected = sign(secret, timestamp, body)  # Slack signs the header's text as sent
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise SignatureError("X-Slack-Signature does not match the body")
