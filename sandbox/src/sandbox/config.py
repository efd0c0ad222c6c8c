"""Settings of one sandbox instance (plain dataclass: the sandbox is a test tool)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 8900
    # Where generated certificates (the throwaway CA and the leaf) are written.
    cert_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "leadwire-sandbox")
    access_token_lifetime: int = 3600  # seconds; tests use a few seconds
    id_token_lifetime: int = 3600
    # Gmail history older than this many changes behind the newest answers 404.
    history_retention: int = 10_000

    # Pub/Sub push: None switches push off for every mailbox without an override.
    push_endpoint: str | None = None
    push_audience: str | None = None  # defaults to the push endpoint, as Pub/Sub does
    push_service_account: str = "gmail-api-push@system.gserviceaccount.com"
    push_subscription: str = "projects/sandbox/subscriptions/gmail-push"
    push_max_attempts: int = 8
    push_backoff_initial: float = 0.5  # seconds; doubled per attempt up to push_backoff_max
    push_backoff_max: float = 60.0
    push_timeout: float = 10.0
    # "fast" (push_backoff_*) or "realistic" (Pub/Sub's push backoff: 10 s doubling to 600 s)
    push_retry_schedule: str = "fast"
    # Graph counts a notification answered later than this as failed, and retries it.
    graph_notification_deadline: float = 3.0
    # Graph delta/skip tokens older than this many seconds answer 410 (None: never by age).
    graph_delta_lifetime: float | None = None
    # Seconds before a Graph subscription expires that reauthorizationRequired is sent.
    graph_reauthorize_lead: float = 600.0
    # Gmail history older than this many seconds answers 404 too (None: count bound only).
    history_max_age: float | None = None

    # Credentials the fake identity providers accept.
    google_client_id: str = "sandbox-google-client-id"
    google_client_secret: str = "sandbox-google-client-secret"
    microsoft_client_id: str = "sandbox-ms-client-id"
    microsoft_client_secret: str = "sandbox-ms-client-secret"
    microsoft_tenant: str = "sandbox-tenant"

    # Set when the server binds: the URL services are given.
    public_base_url: str | None = None

    @property
    def base_url(self) -> str:
        return self.public_base_url or f"https://{self.host}:{self.port}"

    @property
    def ca_path(self) -> Path:
        return Path(self.cert_dir) / "sandbox-ca.pem"

    @property
    def effective_push_audience(self) -> str | None:
        return self.push_audience or self.push_endpoint
