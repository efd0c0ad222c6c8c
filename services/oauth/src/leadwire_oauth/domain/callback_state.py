"""Whether a provider callback may use its pending flow: every check in one place."""

from __future__ import annotations

import secrets
from datetime import datetime

from leadwire_oauth.domain.grants import hash_browser_secret
from leadwire_oauth.domain.models import PendingFlow


def flow_refusal(
    flow: PendingFlow | None, provider: str, now: datetime, browser_cookie: str
) -> str | None:
    """Why this callback may not use `flow` (a message for the person), or None."""
    if flow is None:
        return "This sign-in is unknown to Leadwire; start the connection again."
    if flow.provider != provider:
        return "The state was issued for another provider."
    if flow.used_at is not None:
        return "This sign-in link was already used; start the connection again."
    if flow.expires_at <= now:
        return "This sign-in expired; start the connection again."
    if not secrets.compare_digest(hash_browser_secret(browser_cookie), flow.browser_hash):
        return "This sign-in was started in another browser; start it again here."
    return None
