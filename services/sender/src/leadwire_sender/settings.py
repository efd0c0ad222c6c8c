"""Settings of the sender service (env variables; see docs/sender.md for the table)."""

from __future__ import annotations

from pydantic import Field

from leadwire.settings import ServiceSettings


class SenderSettings(ServiceSettings):
    service_name: str = "sender"
    http_port: int = 8004

    gmail_api_base_url: str = "https://gmail.googleapis.com"
    graph_base_url: str = "https://graph.microsoft.com"
    provider_timeout_seconds: float = Field(default=30.0, gt=0)
    token_rpc_timeout_seconds: float = Field(default=5.0, gt=0)

    # Send budgets per mailbox (Gmail per-user quota, Workspace vs consumer daily limits;
    # Exchange Online 30 messages/minute and 4 concurrent requests per mailbox).
    gmail_sends_per_second: float = Field(default=1.0, gt=0)
    gmail_burst: int = Field(default=5, ge=1)
    gmail_consumer_daily_cap: int = Field(default=500, ge=1)
    gmail_workspace_daily_cap: int = Field(default=2000, ge=1)
    gmail_max_concurrent: int = Field(default=4, ge=1)
    graph_sends_per_minute: float = Field(default=30.0, gt=0)
    graph_burst: int = Field(default=5, ge=1)
    graph_daily_cap: int = Field(default=10000, ge=1)
    graph_max_concurrent: int = Field(default=4, ge=1)

    # Delivery: how often due messages are drained, how many per round, how long a worker
    # owns a `sending` message before another may look it up and resume it.
    drain_interval_seconds: float = Field(default=1.0, gt=0)
    drain_batch_size: int = Field(default=200, ge=1)
    send_claim_seconds: int = Field(default=120, ge=10)
    send_max_attempts: int = Field(default=8, ge=1)
    send_backoff_max_seconds: float = Field(default=900.0, gt=0)

    max_attachments_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
    follow_up_default_text: str = (
        "Just following up on my message below: happy to answer any questions."
    )
