"""Settings of the drafter service (env variables; see the README's table)."""

from __future__ import annotations

from leadwire.settings import ServiceSettings


class DrafterSettings(ServiceSettings):
    service_name: str = "drafter"
    http_port: int = 8003
