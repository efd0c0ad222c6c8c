"""Settings of the oauth service (env variables; see the README's table)."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator

from leadwire.auth import (
    MAX_TOKEN_LIFETIME_SECONDS,
    dev_signing_key,
    load_private_key,
    load_public_key,
    public_key_text,
)
from leadwire.settings import (
    ServiceSettings,
    parse_key_value_list,
    weak_key_reason,
    weak_password_reason,
    weak_secret_reason,
)
from leadwire_oauth.google_secrets import parse_client_secrets


class OAuthSettings(ServiceSettings):
    service_name: str = "oauth"
    http_port: int = 8001

    encryption_keys: SecretStr
    state_secret: SecretStr
    # Ed25519, PEM or base64 of 32 bytes (`python -m leadwire.auth` makes a pair). Unset
    # outside production: derived from JWT_SECRET, like every service's public key.
    admin_token_private_key: SecretStr = SecretStr("")
    admin_username: str = "admin"
    admin_password: SecretStr | None = None
    jwt_ttl_seconds: int = Field(default=3600, ge=60, le=MAX_TOKEN_LIFETIME_SECONDS)
    state_ttl_seconds: int = 600
    # One provider call's budget: well inside the 5 s token RPC callers wait.
    provider_timeout_seconds: float = Field(default=3.0, gt=0, le=30)
    # Circuit breaker per provider: open after this many failures in a row, for this long
    # (or the provider's Retry-After); a refused client secret is retried after the last.
    provider_failure_threshold: int = Field(default=3, ge=1)
    provider_cooldown_seconds: float = Field(default=30.0, ge=0)
    provider_misconfigured_retry_seconds: float = Field(default=300.0, ge=0)

    # host[:port] a client's Slack webhook URL may point at (comma-separated). Outside
    # production loopback hosts are accepted as well: the sandbox's Slack is there.
    slack_webhook_hosts: str = "hooks.slack.com"

    google_client_id: str = ""
    google_client_secret: SecretStr = SecretStr("")
    # Path to (or inline) client-secrets JSON downloaded from Google Cloud Console.
    google_client_secrets: SecretStr = SecretStr("")
    google_auth_uri: str = "https://accounts.google.com/o/oauth2/v2/auth"
    google_token_uri: str = "https://oauth2.googleapis.com/token"
    google_revoke_uri: str = "https://oauth2.googleapis.com/revoke"
    google_userinfo_uri: str = "https://openidconnect.googleapis.com/v1/userinfo"
    gmail_api_base_url: str = "https://gmail.googleapis.com"

    microsoft_client_id: str = ""
    microsoft_client_secret: SecretStr = SecretStr("")
    microsoft_tenant: str = "common"
    microsoft_authority_host: str = "https://login.microsoftonline.com"
    graph_base_url: str = "https://graph.microsoft.com"

    @field_validator(
        "state_secret",
        "encryption_keys",
        "admin_password",
        "google_client_secret",
        "microsoft_client_secret",
    )
    @classmethod
    def _strong_in_production(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        if value is None or info.data.get("environment") != "production":
            return value
        reason = _weak_reason(str(info.field_name), value.get_secret_value())
        if reason:
            raise ValueError(reason)
        return value

    @model_validator(mode="after")
    def _google_from_client_secrets(self) -> OAuthSettings:
        raw = self.google_client_secrets.get_secret_value()
        if raw:
            parsed = parse_client_secrets(raw)
            self.google_client_id = parsed.client_id
            self.google_client_secret = SecretStr(parsed.client_secret)
            if parsed.auth_uri and "accounts.google.com/o/oauth2/auth" not in parsed.auth_uri:
                self.google_auth_uri = parsed.auth_uri
            if parsed.token_uri:
                self.google_token_uri = parsed.token_uri
        return self

    @model_validator(mode="after")
    def _admin_token_keys(self) -> OAuthSettings:
        """The private key loads, is set in production, and matches the public key."""
        raw = self.admin_token_private_key.get_secret_value()
        if not raw and self.is_production:
            raise ValueError("ADMIN_TOKEN_PRIVATE_KEY is required in production")
        key = self.admin_signing_key()
        if self.admin_token_public_key and public_key_text(key.public_key()) != public_key_text(
            load_public_key(self.admin_token_public_key)
        ):
            raise ValueError(
                "ADMIN_TOKEN_PUBLIC_KEY is not the public half of ADMIN_TOKEN_PRIVATE_KEY"
            )
        return self

    def admin_signing_key(self) -> Ed25519PrivateKey:
        raw = self.admin_token_private_key.get_secret_value()
        return load_private_key(raw) if raw else dev_signing_key(self.jwt_secret)

    @property
    def slack_webhook_host_list(self) -> frozenset[str]:
        return frozenset(
            h.strip().lower() for h in self.slack_webhook_hosts.split(",") if h.strip()
        )

    @property
    def google_configured(self) -> bool:
        return bool(self.google_client_id and self.google_client_secret.get_secret_value())

    @property
    def microsoft_configured(self) -> bool:
        return bool(self.microsoft_client_id and self.microsoft_client_secret.get_secret_value())

    def callback_url(self, provider: str) -> str:
        return f"{self.public_base_url}/oauth/{provider}/callback"


def _weak_reason(field: str, secret: str) -> str | None:
    """Why `secret` cannot be this production setting (see leadwire.settings)."""
    if field == "encryption_keys":
        for position, (_, key) in enumerate(parse_key_value_list(secret), start=1):
            reason = weak_key_reason(key)
            if reason:
                return f"key {position} {reason}"
        return None
    if field == "admin_password":
        return weak_password_reason(secret)
    if field.endswith("client_secret"):
        # Issued by the provider: shorter than ours, but never an example value.
        return weak_secret_reason(secret, min_chars=20, min_bits=80) if secret else None
    return weak_secret_reason(secret)
