"""In production every secret copied from the repository, too short or guessable is
refused at start, naming the variable and never echoing the value."""

import base64
import os
import secrets

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from leadwire.auth import public_key_text
from leadwire.settings import SettingsError, build_settings
from leadwire_oauth.settings import OAuthSettings

# What docker-compose.yml, the test harness and the docs shipped as examples.
REPO_EXAMPLES = {
    "jwt_secret": "dev-only-jwt-secret-change-me-in-production-0123456789",
    "encryption_keys": "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "state_secret": "dev-only-state-secret-change-me-0123456789abcdef",
    "admin_password": "admin-password-change-me",
    "google_client_secret": "sandbox-google-client-secret",
    "microsoft_client_secret": "sandbox-ms-client-secret",
}


def key_pair() -> dict[str, str]:
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return {
        "admin_token_private_key": base64.b64encode(raw).decode(),
        "admin_token_public_key": public_key_text(private.public_key()),
    }


def strong() -> dict[str, str]:
    return {
        **key_pair(),
        "jwt_secret": secrets.token_urlsafe(48),
        "encryption_keys": "k1:" + base64.b64encode(os.urandom(32)).decode(),
        "state_secret": secrets.token_urlsafe(48),
        "admin_password": secrets.token_urlsafe(18),
        "google_client_secret": "GOCSPX-" + secrets.token_urlsafe(21),
        "microsoft_client_secret": secrets.token_urlsafe(30),
    }


def production(**values: str) -> OAuthSettings:
    return build_settings(OAuthSettings, environment="production", google_client_id="g", **values)


def test_strong_secrets_are_accepted_in_production():
    assert production(**strong()).is_production


@pytest.mark.parametrize("name", sorted(REPO_EXAMPLES))
def test_repository_example_is_refused_in_production(name: str):
    with pytest.raises(SettingsError) as info:
        production(**{**strong(), name: REPO_EXAMPLES[name]})

    assert name.upper() in info.value.message
    assert REPO_EXAMPLES[name].split(":")[-1] not in info.value.message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("state_secret", "x"),
        ("state_secret", "a" * 64),
        ("jwt_secret", "abababababababababababababababababababab"),
        ("admin_password", "password1234"),
        ("encryption_keys", "k1:" + base64.b64encode(b"\0" * 32).decode()),
        ("encryption_keys", "k1:" + base64.b64encode(b"abcd" * 8).decode()),
    ],
)
def test_short_or_low_entropy_secret_is_refused_in_production(name: str, value: str):
    with pytest.raises(SettingsError) as info:
        production(**{**strong(), name: value})

    assert name.upper() in info.value.message


def test_examples_still_load_in_development():
    settings = build_settings(OAuthSettings, **REPO_EXAMPLES)
    assert not settings.is_production


def test_admin_token_keys_are_required_and_must_match_in_production():
    values = strong()
    with pytest.raises(SettingsError, match="ADMIN_TOKEN_PRIVATE_KEY"):
        production(**{**values, "admin_token_private_key": ""})
    with pytest.raises(SettingsError, match="ADMIN_TOKEN_PUBLIC_KEY"):
        production(**{**values, "admin_token_public_key": key_pair()["admin_token_public_key"]})
