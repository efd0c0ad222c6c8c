"""Settings of the ingest service (env variables; see the README's table)."""

from __future__ import annotations

from leadwire.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    service_name: str = "ingest"
    http_port: int = 8002
