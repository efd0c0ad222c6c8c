"""What Slack sends an app: signed requests and the block_actions interaction payload."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any


def sign_interaction(
    signing_secret: str, body: str | bytes, timestamp: int | str | None = None
) -> dict[str, str]:
    """The two headers Slack puts on a request: v0=HMAC-SHA256(secret, "v0:{ts}:{body}")."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    text = body.decode() if isinstance(body, bytes) else body
    digest = hmac.new(signing_secret.encode(), f"v0:{ts}:{text}".encode(), hashlib.sha256)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest.hexdigest()}"}


def block_actions_payload(spec: dict[str, Any], team: str, response_url: str) -> dict[str, Any]:
    """A `block_actions` interaction as Slack posts it when a button is clicked."""
    user = {
        "id": "U0SANDBOX1",
        "username": "sandbox.user",
        "name": "sandbox.user",
        **(spec.get("user") or {}),
    }
    action_ts = f"{time.time():.6f}"
    message = spec.get("message") or {"type": "message", "ts": action_ts, "text": "", "blocks": []}
    return {
        "type": "block_actions",
        "user": {**user, "team_id": team},
        "api_app_id": "A0SANDBOX01",
        "token": "sandbox-verification-token",
        "container": {
            "type": "message",
            "message_ts": message.get("ts", action_ts),
            "channel_id": "C0SANDBOX01",
            "is_ephemeral": False,
        },
        "trigger_id": f"{int(time.time())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}",
        "team": {"id": team, "domain": "sandbox"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": "C0SANDBOX01", "name": "leads"},
        "message": message,
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": spec.get("action_id", "approve"),
                "block_id": spec.get("block_id", "actions"),
                "text": {"type": "plain_text", "text": spec.get("text", "Approve"), "emoji": True},
                "value": spec.get("value", ""),
                "style": spec.get("style", "primary"),
                "type": "button",
                "action_ts": action_ts,
            }
        ],
    }
