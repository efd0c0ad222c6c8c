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
    pool: asyncpg.Pool
    providers: Mapping[str, MailProvider]
    settings: IngestSettings
    clock: Callable[[], datetime] = field(default=utc_now)

    def provider(self, name: str) -> MailProvider:
        return self.providers[name]
