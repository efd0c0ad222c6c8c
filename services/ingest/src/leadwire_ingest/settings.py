"""Settings of the ingest service (env variables; see docs/ingest.md's table)."""

from __future__ import annotations

from leadwire.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    service_name: str = "ingest"
    http_port: int = 8002

    # Provider APIs (the sandbox in development and tests).
    gmail_api_base_url: str = "https://gmail.googleapis.com"
    graph_base_url: str = "https://graph.microsoft.com"
    # Gmail users.watch publishes to this Pub/Sub topic; its push subscription posts to
    # PROVIDER_CALLBACK_BASE_URL/webhooks/gmail/push with an OIDC token checked against:
    gmail_pubsub_topic: str = "projects/leadwire/topics/gmail-push"
    pubsub_push_audience: str = ""  # empty: the push endpoint URL (Pub/Sub's default)
    pubsub_push_service_account: str = "gmail-api-push@system.gserviceaccount.com"
    google_certs_url: str = "https://www.googleapis.com/oauth2/v1/certs"
    # Graph subscription lifetime (mail: at most 10080 minutes).
    graph_subscription_minutes: int = 4200

    # Scheduled work (each runs once per interval across replicas).
    poll_interval_seconds: int = 300
    renew_check_interval_seconds: int = 1800
    # Renew a Gmail watch once it has less than this left (7-day watches: renew daily).
    gmail_watch_renew_before_hours: int = 144
    graph_subscription_renew_before_minutes: int = 1440
    # After a history 404 / expired delta: how far back a resync looks, and how much.
    resync_window_days: int = 7
    resync_max_messages: int = 500
    # A mailbox failing for longer than this publishes mailbox.sync_failed (once).
    sync_failed_after_seconds: int = 900
    max_backoff_seconds: int = 3600

    # Lead form.
    form_max_body_bytes: int = 32768
    form_dedupe_minutes: int = 10

    def push_audience(self) -> str:
        return self.pubsub_push_audience or self.callback_url("/webhooks/gmail/push")

    def callback_url(self, path: str) -> str:
        return self.callback_base_url + path
