"""Settings of the notifier service (env variables; see docs/notifier.md)."""

from __future__ import annotations

from pydantic import Field, SecretStr, ValidationInfo, field_validator

from leadwire.settings import ServiceSettings, weak_secret_reason


class NotifierSettings(ServiceSettings):
    service_name: str = "notifier"
    http_port: int = 8005

    # Verifies interaction requests (Slack app → Basic Information → Signing Secret).
    slack_signing_secret: SecretStr = SecretStr("")
    # Slack takes about one message a second per incoming webhook.
    slack_min_interval_seconds: float = Field(default=1.0, gt=0, le=60)
    # More queued notices than this for one webhook go out as one digest message.
    slack_digest_after: int = Field(default=3, ge=1, le=40)
    slack_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    # Slack down (5xx, no answer): retried with backoff this many times, then `failed`.
    slack_max_attempts: int = Field(default=8, ge=1, le=100)
    slack_retry_base_seconds: float = Field(default=2.0, gt=0)
    slack_retry_max_seconds: float = Field(default=300.0, gt=0)
    # How long a webhook URL fetched over the client.secrets RPC stays in memory.
    slack_webhook_url_ttl_seconds: float = Field(default=60.0, ge=0, le=3600)
    # Finished notifications, leads and drafts older than this are deleted (hourly job).
    notification_retention_days: int = Field(default=90, ge=1, le=3650)
    # Webhooks served at once by one replica.
    delivery_concurrency: int = Field(default=4, ge=1, le=64)

    @field_validator("slack_signing_secret")
    @classmethod
    def _signing_secret_in_production(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        if info.data.get("environment") != "production":
            return value
        secret = value.get_secret_value()
        if not secret:
            raise ValueError("must be set in production (Slack buttons cannot be verified)")
        # Slack's signing secrets are 32 hex characters: ~115 estimated bits (rarely < 90).
        reason = weak_secret_reason(secret, min_chars=32, min_bits=80)
        if reason:
            raise ValueError(reason)
        return value
