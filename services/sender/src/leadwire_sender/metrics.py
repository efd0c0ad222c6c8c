"""The sender's Prometheus metrics (served on /metrics with the shared ones)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

# outcome: sent, already_sent (found by Message-ID after a crash or lost answer),
# retry, failed, cancelled.
SEND_OUTCOMES = Counter(
    "leadwire_sender_outcomes_total", "Outbound delivery attempts by outcome", ["outcome"]
)
PROVIDER_SEND_SECONDS = Histogram(
    "leadwire_sender_provider_send_seconds",
    "Lookup and send calls to the provider for one attempt",
    ["provider"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
BUDGET_POSTPONED = Counter(
    "leadwire_sender_budget_postponed_total",
    "Messages postponed by a mailbox's send budget",
    ["reason"],
)
