"""Composition root: the providers, their routers, faults, and the control API."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from sandbox.config import SandboxConfig
from sandbox.control import control_router
from sandbox.faults import FaultMiddleware, FaultRegistry
from sandbox.mail import from_raw
from sandbox.outbound import without_bcc
from sandbox.provider import FakeMailProvider, FakeProvider

log = logging.getLogger("sandbox")
_INBOX = ("INBOX", "UNREAD")

# Providers written in parallel by others: imported tolerantly so one missing
# module does not stop the rest of the sandbox from serving.
_OPTIONAL_PROVIDERS = [
    ("sandbox.microsoft", "MicrosoftFake"),
    ("sandbox.slack", "SlackFake"),
    ("sandbox.openai_compat", "OpenAIFake"),
]


class Sandbox:
    """State the control API works on: the providers and the fault rules."""

    def __init__(self, config: SandboxConfig, providers: list[FakeProvider]) -> None:
        self.config = config
        self.faults = FaultRegistry()
        self.providers: dict[str, FakeProvider] = {p.name: p for p in providers}
        self.mailbox_owner: dict[str, str] = {}  # lower-cased address -> provider name
        self.cross_mailbox_delivery = True
        for provider in providers:
            formatter = getattr(provider, "fault_error_body", None)
            if formatter is not None:
                self.faults.formatters.append(formatter)
            resolver = getattr(provider, "mailbox_of_token", None)
            if resolver is not None:
                self.faults.resolvers.append(resolver)
            if hasattr(provider, "outbound"):
                provider.outbound = self.route_outbound

    def provider(self, name: str) -> FakeProvider:
        return self.providers[name]

    def mail_provider(self, name: str) -> FakeMailProvider | None:
        provider = self.providers.get(name)
        if provider is None or not hasattr(provider, "deliver"):
            return None
        return provider  # type: ignore[return-value]

    def owner_of(self, address: str) -> FakeMailProvider | None:
        name = self.mailbox_owner.get(address.lower())
        if name is None:  # created directly on a provider, not through the control API
            for candidate in self.providers:
                mail = self.mail_provider(candidate)
                if mail is not None and mail.has_mailbox(address):
                    return mail
            return None
        return self.mail_provider(name)

    def route_outbound(
        self, sender: str, recipients: list[str], raw: bytes
    ) -> list[dict[str, object]]:
        """Deliver what a sandbox mailbox sent to the recipients that are sandbox mailboxes."""
        if not self.cross_mailbox_delivery:
            return []
        delivered: list[dict[str, object]] = []
        copy: bytes | None = None
        for address in dict.fromkeys(r.lower() for r in recipients):
            owner = self.owner_of(address) if address != sender.lower() else None
            if owner is None:
                continue
            copy = copy if copy is not None else without_bcc(raw)
            ids = owner.deliver(address, from_raw(copy), list(_INBOX), raw=copy)
            delivered.append({"address": address, **ids})
        return delivered

    def reset(self) -> None:
        self.cross_mailbox_delivery = True
        self.faults.clear()
        self.mailbox_owner.clear()
        for provider in self.providers.values():
            provider.reset()


def default_providers(config: SandboxConfig) -> list[FakeProvider]:
    from sandbox.google import GoogleFake

    providers: list[FakeProvider] = [GoogleFake(config)]
    for module_name, class_name in _OPTIONAL_PROVIDERS:
        try:
            module = importlib.import_module(module_name)
            providers.append(getattr(module, class_name)(config))
        except (ImportError, AttributeError) as exc:
            log.warning("sandbox provider %s.%s not loaded: %s", module_name, class_name, exc)
    return providers


def create_app(config: SandboxConfig, providers: list[Any] | None = None) -> FastAPI:
    sandbox = Sandbox(config, providers if providers is not None else default_providers(config))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for provider in sandbox.providers.values():
            await provider.start()
        try:
            yield
        finally:
            for provider in sandbox.providers.values():
                await provider.stop()

    app = FastAPI(
        title="Leadwire provider sandbox",
        lifespan=lifespan,
        docs_url="/_sandbox/docs",
        openapi_url="/_sandbox/openapi.json",
        redoc_url=None,
    )
    app.state.sandbox = sandbox
    for provider in sandbox.providers.values():
        for router in provider.routers():
            app.include_router(router)
        extra = provider.control_router()
        if extra is not None:
            app.include_router(extra, prefix=f"/_sandbox/{provider.name}")
    app.include_router(control_router(sandbox))
    app.add_middleware(FaultMiddleware, registry=sandbox.faults)
    # Added after the fault middleware, so outside it: fault rules see rewritten paths.
    for provider in sandbox.providers.values():
        for middleware in getattr(provider, "asgi_middleware", list)():
            app.add_middleware(middleware)
    return app
