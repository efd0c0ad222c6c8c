import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from leadwire_oauth.domain.callback_state import flow_refusal
from leadwire_oauth.domain.grants import hash_browser_secret
from leadwire_oauth.domain.models import PendingFlow

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
FLOW = PendingFlow(
    nonce="n",
    client_id=uuid.uuid4(),
    provider="google",
    browser_hash=hash_browser_secret("cookie"),
    secret_enc=b"",
    expires_at=NOW + timedelta(minutes=5),
)


@pytest.mark.parametrize(
    ("flow", "provider", "cookie", "refused_because"),
    [
        (FLOW, "google", "cookie", None),
        (None, "google", "cookie", "unknown"),
        (FLOW, "microsoft", "cookie", "another provider"),
        (replace(FLOW, used_at=NOW), "google", "cookie", "already used"),
        (replace(FLOW, expires_at=NOW), "google", "cookie", "expired"),
        (FLOW, "google", "other-browser", "another browser"),
        (FLOW, "google", "", "another browser"),
    ],
)
def test_callback_state_checks(flow, provider, cookie, refused_because):
    refusal = flow_refusal(flow, provider, NOW, cookie)
    if refused_because is None:
        assert refusal is None
    else:
        assert refusal is not None and refused_because in refusal
