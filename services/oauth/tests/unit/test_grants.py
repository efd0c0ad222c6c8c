import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from leadwire_oauth.domain.grants import (
    GMAIL_MODIFY,
    GMAIL_SEND,
    classify_refresh_error,
    expires_at_from,
    missing_scopes,
    needs_refresh,
    new_pkce,
)


def test_google_grant_without_send_scope_is_missing_gmail_send():
    assert missing_scopes("google", [GMAIL_MODIFY, "openid"], True) == [GMAIL_SEND]


def test_google_grant_with_both_gmail_scopes_is_complete():
    assert missing_scopes("google", [GMAIL_MODIFY, GMAIL_SEND, "email"], True) == []


def test_graph_scopes_are_compared_without_prefix_and_case():
    granted = ["https://graph.microsoft.com/Mail.ReadWrite", "MAIL.SEND", "User.Read"]
    assert missing_scopes("microsoft", granted, has_refresh_token=True) == []


def test_graph_offline_access_is_missing_without_a_refresh_token():
    granted = ["Mail.ReadWrite", "Mail.Send"]
    assert missing_scopes("microsoft", granted, has_refresh_token=False) == ["offline_access"]


@pytest.mark.parametrize(
    ("code", "aadsts", "kind"),
    [
        ("invalid_grant", [], "grant"),
        ("interaction_required", [50076], "grant"),
        ("some_error", [700082], "grant"),
        ("invalid_grant", [65001], "grant"),
        ("invalid_client", [], "client"),
        ("unauthorized_client", [], "client"),
        ("invalid_client", [7000215], "client"),
        # Our expired client secret, even if labelled as a grant error: never wipe grants.
        ("invalid_grant", [7000222], "client"),
        ("temporarily_unavailable", [], "transient"),
        (None, [], "transient"),
    ],
)
def test_only_grant_errors_mean_reconnect(code, aadsts, kind):
    assert classify_refresh_error(code, aadsts) == kind


def test_token_needs_refresh_within_skew_of_expiry():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert needs_refresh(now + timedelta(minutes=4), now)
    assert not needs_refresh(now + timedelta(minutes=10), now)
    assert needs_refresh(None, now)


def test_expires_at_from_tolerates_strings_and_garbage():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert expires_at_from("120", now) == now + timedelta(seconds=120)
    assert expires_at_from("soon", now) == now + timedelta(seconds=3600)


def test_pkce_challenge_is_s256_of_verifier():
    pkce = new_pkce()
    digest = hashlib.sha256(pkce.verifier.encode()).digest()
    assert pkce.challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert 43 <= len(pkce.verifier) <= 128
