"""What the use cases share: the pool, the provider adapters, settings and a clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg

from leadwire_ingest.providers.base import MailProvider
from leadwire_ingest.settings import IngestSettings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class IngestContext:
    # The runtime's pool exists only while the app runs: asked for when used.
    get_pool: Callable[[], asyncpg.Pool]
    providers: Mapping[str, MailProvider]
    settings: IngestSettings
    clock: Callable[[], datetime] = field(default=utc_now)

    @property
    def pool(self) -> asyncpg.Pool:
        return self.get_pool()

    def provider(self, name: str) -> MailProvider:
        return self.providers[name]
