"""Process-wide Prometheus metrics shared by the broker, outbox relay and runtime.

Defined once at import: registering the same name twice in one registry is an error,
and tests build several runtimes in one process.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "leadwire_http_requests_total", "HTTP requests served", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "leadwire_http_request_seconds", "HTTP request latency", ["method", "route"]
)
EVENTS_CONSUMED = Counter(
    "leadwire_events_consumed_total", "Events handled successfully", ["queue"]
)
EVENTS_FAILED = Counter(
    "leadwire_events_failed_total", "Handler failures (each retry counts)", ["queue"]
)
EVENTS_PARKED = Counter(
    "leadwire_events_parked_total", "Events parked in a dead-letter queue", ["queue"]
)
OUTBOX_PENDING = Gauge("leadwire_outbox_pending", "Outbox rows not yet published", ["schema"])
OUTBOX_PUBLISHED = Counter(
    "leadwire_outbox_published_total", "Outbox rows published and confirmed", ["schema"]
)
OUTBOX_PUBLISH_LATENCY = Histogram(
    "leadwire_outbox_publish_latency_seconds",
    "From outbox insert to broker confirm",
    ["schema"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
BACKGROUND_RESTARTS = Counter(
    "leadwire_background_task_restarts_total",
    "Background tasks restarted after a crash",
    ["service", "task"],
)
JOB_RUNS = Counter(
    "leadwire_scheduled_job_runs_total",
    "Scheduled job runs in this replica, by outcome (ok, failed)",
    ["service", "job", "outcome"],
)
