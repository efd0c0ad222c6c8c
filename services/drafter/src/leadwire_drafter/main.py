"""Composition root of the drafter service: wiring only.

The service's own work is not built yet: today it runs, migrates its schema
(outbox + inbox), connects to RabbitMQ and reports health.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from leadwire.broker import make_broker
from leadwire.logging import configure_logging
from leadwire.runtime import ServiceRuntime, serve
from leadwire.settings import load_settings
from leadwire_drafter.settings import DrafterSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: DrafterSettings) -> FastAPI:
    broker = make_broker(settings.rabbit_url, service="drafter")
    runtime = ServiceRuntime.from_settings(
        settings, broker, schema=settings.database_schema, migrations=MIGRATIONS
    )
    return runtime.build_app(FastAPI(title="leadwire-drafter", version="0.1.0"))


def run() -> None:
    settings = load_settings(DrafterSettings)
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    serve(create_app(settings), host=settings.http_host, port=settings.http_port)
