"""Settings of the notifier service (env variables; see the README's table)."""

from __future__ import annotations

from leadwire.settings import ServiceSettings


class NotifierSettings(ServiceSettings):
    service_name: str = "notifier"
    http_port: int = 8005
