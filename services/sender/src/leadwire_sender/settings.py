"""Settings of the sender service (env variables; see the README's table)."""

from __future__ import annotations

from leadwire.settings import ServiceSettings


class SenderSettings(ServiceSettings):
    service_name: str = "sender"
    http_port: int = 8004
