import secrets

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from leadwire.auth import public_key_text
from leadwire.settings import SettingsError, build_settings
from leadwire_notifier.settings import NotifierSettings

PRODUCTION = {
    "environment": "production",
    "jwt_secret": secrets.token_urlsafe(48),
    "admin_token_public_key": public_key_text(Ed25519PrivateKey.generate().public_key()),
}


def test_production_needs_a_signing_secret() -> None:
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET: must be set in production"):
        build_settings(NotifierSettings, **PRODUCTION)


def test_production_refuses_a_guessable_signing_secret() -> None:
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET"):
        build_settings(NotifierSettings, slack_signing_secret="a" * 32, **PRODUCTION)


def test_a_secret_shaped_like_slacks_is_accepted_in_production() -> None:
    settings = build_settings(
        NotifierSettings, slack_signing_secret=secrets.token_hex(16), **PRODUCTION
    )
    assert settings.slack_digest_after == 3


def test_development_runs_without_one() -> None:
    settings = build_settings(NotifierSettings, jwt_secret="dev")
    assert settings.slack_signing_secret.get_secret_value() == ""
