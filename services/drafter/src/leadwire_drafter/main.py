"""Composition root of the drafter service: wiring only."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from leadwire.runtime import ServiceRuntime, run_service
from leadwire_drafter import handlers
from leadwire_drafter.api import drafts, usage
from leadwire_drafter.context import DrafterContext
from leadwire_drafter.providers.llm import DraftWriter, LlmConfig, OpenAIWriter
from leadwire_drafter.settings import DrafterSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_writer(settings: DrafterSettings) -> DraftWriter | None:
    """The LLM adapter, or None without a key (every draft is then the template)."""
    key = settings.openai_api_key.get_secret_value()
    if not key:
        return None
    return OpenAIWriter(
        LlmConfig(
            api_key=key,
            base_url=settings.openai_base_url,
            model=settings.openai_model,
            timeout=settings.openai_timeout_seconds,
            max_retries=settings.openai_max_retries,
            max_retry_wait=settings.openai_max_retry_wait_seconds,
            max_output_tokens=settings.openai_max_output_tokens,
            ca_bundle=settings.provider_ca_bundle,
        )
    )


def create_app(settings: DrafterSettings) -> FastAPI:
    runtime = ServiceRuntime.for_service(
        settings, migrations=MIGRATIONS, routers=[drafts.router, usage.router]
    )
    writer = create_writer(settings)
    if writer is not None:
        runtime.on_shutdown(writer.aclose)
    ctx = DrafterContext(settings=settings, runtime=runtime, writer=writer)
    handlers.register(runtime, ctx)
    app = runtime.build_app(FastAPI(title="leadwire-drafter", version="0.1.0"))
    app.state.drafter = ctx
    return app


def run() -> None:
    run_service(DrafterSettings, create_app)
