"""The notifier's Prometheus metrics (served at /metrics with the shared ones)."""

from __future__ import annotations

from prometheus_client import Counter

SLACK_POSTS = Counter(
    "leadwire_notifier_slack_posts_total",
    "Incoming-webhook POSTs by outcome (delivered, rate_limited, webhook_broken, refused,"
    " unavailable)",
    ["outcome"],
)
NOTICES_DELIVERED = Counter(
    "leadwire_notifier_notices_delivered_total",
    "Notices that reached Slack, alone (sent) or in a digest (coalesced)",
    ["status"],
)
