"""Composition root of the notifier service: wiring only.

Its own work is not built yet: today the process migrates its schema (outbox
and inbox), connects to RabbitMQ and Postgres, and serves health and metrics.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from leadwire.runtime import ServiceRuntime, run_service
from leadwire_notifier.settings import NotifierSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: NotifierSettings) -> FastAPI:
    runtime = ServiceRuntime.for_service(settings, migrations=MIGRATIONS)
    app = runtime.build_app(FastAPI(title="leadwire-notifier", version="0.1.0"))
    app.state.jwt_secret = settings.jwt_secret
    return app


def run() -> None:
    run_service(NotifierSettings, create_app)
