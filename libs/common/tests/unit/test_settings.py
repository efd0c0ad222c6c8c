import base64
import os
import secrets

import pytest
from pydantic import SecretStr

from leadwire.settings import (
    ServiceSettings,
    SettingsError,
    build_settings,
    load_settings,
    mask_url_password,
    parse_key_value_list,
)

STRONG = "x" * 40
ENV_NAMES = [
    "SERVICE_NAME",
    "ENVIRONMENT",
    "DATABASE_URL",
    "RABBIT_URL",
    "HTTP_HOST",
    "HTTP_PORT",
    "LOG_LEVEL",
    "LOG_JSON",
    "PROVIDER_CA_BUNDLE",
    "JWT_SECRET",
    "ENCRYPTION_KEYS",
    "POLL_INTERVAL_SECONDS",
]


class IngestSettings(ServiceSettings):
    encryption_keys: SecretStr
    poll_interval_seconds: int = 300


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_settings_come_from_environment_variables(monkeypatch):
    monkeypatch.setenv("SERVICE_NAME", "ingest")
    monkeypatch.setenv("jwt_secret", STRONG)  # names are case-insensitive
    monkeypatch.setenv("ENCRYPTION_KEYS", "k1:abc")
    monkeypatch.setenv("HTTP_PORT", "8101")
    settings = build_settings(IngestSettings)
    assert settings.service_name == "ingest"
    assert settings.http_port == 8101
    assert settings.environment == "development"
    assert settings.jwt_secret.get_secret_value() == STRONG
    assert settings.rabbit_url == "amqp://guest:guest@127.0.0.1:5672/"


def test_one_message_names_every_bad_variable(monkeypatch):
    monkeypatch.setenv("HTTP_PORT", "not-a-port")
    monkeypatch.setenv("ENVIRONMENT", "staging")
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    monkeypatch.setenv("POLL_INTERVAL_SECONDS", "soon")
    with pytest.raises(SettingsError) as info:
        build_settings(IngestSettings)
    message = info.value.message
    for name in (
        "SERVICE_NAME",
        "JWT_SECRET",
        "ENCRYPTION_KEYS",
        "HTTP_PORT",
        "ENVIRONMENT",
        "LOG_LEVEL",
        "POLL_INTERVAL_SECONDS",
    ):
        assert name in message
    assert "SERVICE_NAME: is required but not set" in message
    assert {name for name, _ in info.value.problems} >= {"HTTP_PORT", "LOG_LEVEL"}


def test_load_settings_prints_the_message_and_exits_with_status_2(monkeypatch, capsys):
    monkeypatch.setenv("SERVICE_NAME", "ingest")
    with pytest.raises(SystemExit) as info:
        load_settings(IngestSettings)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "JWT_SECRET: is required but not set" in err
    assert "ENCRYPTION_KEYS" in err
    assert err.count("\n") == 3  # header + two problems: one message, not one per failure


def test_bad_values_are_not_echoed_in_the_message(monkeypatch):
    monkeypatch.setenv("SERVICE_NAME", "ingest")
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("JWT_SECRET", "tooshort-secret-value")
    with pytest.raises(SettingsError) as info:
        build_settings(IngestSettings, encryption_keys="k1:abc")
    assert "tooshort-secret-value" not in info.value.message
    assert "JWT_SECRET: must be at least 32 characters in production" in info.value.message


@pytest.mark.parametrize("placeholder", ["changeme", "CHANGEME", "secret"])
def test_placeholder_jwt_secret_is_refused_in_production(placeholder):
    with pytest.raises(SettingsError) as info:
        build_settings(
            ServiceSettings, service_name="oauth", environment="production", jwt_secret=placeholder
        )
    assert "JWT_SECRET: is a placeholder" in info.value.message


def test_placeholder_jwt_secret_is_allowed_in_development():
    settings = build_settings(ServiceSettings, service_name="oauth", jwt_secret="changeme")
    assert settings.jwt_secret.get_secret_value() == "changeme"


def test_strong_jwt_secret_is_accepted_in_production():
    settings = build_settings(
        ServiceSettings,
        service_name="oauth",
        environment="production",
        jwt_secret=secrets.token_urlsafe(32),
        admin_token_public_key=base64.b64encode(os.urandom(32)).decode(),
    )
    assert settings.is_production


def test_secrets_and_url_passwords_do_not_show_in_repr():
    settings = build_settings(
        ServiceSettings,
        service_name="oauth",
        jwt_secret=STRONG,
        rabbit_url="amqp://user:pw-secret@rabbit:5672/",
    )
    assert STRONG not in repr(settings)
    assert "pw-secret" not in repr(settings)
    assert settings.rabbit_url_redacted == "amqp://user:***@rabbit:5672/"


def test_mask_url_password_keeps_urls_without_password():
    assert mask_url_password("postgresql://postgres@127.0.0.1:5432/db") == (
        "postgresql://postgres@127.0.0.1:5432/db"
    )


def test_parse_key_value_list():
    assert parse_key_value_list(" a:1 , b:x:y ") == [("a", "1"), ("b", "x:y")]
    with pytest.raises(ValueError, match="item 2 has no ':'"):
        parse_key_value_list("a:1,b")
    with pytest.raises(ValueError, match="empty"):
        parse_key_value_list(" ")
