"""What the notifier's routes and handlers share."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from leadwire.runtime import ServiceRuntime
from leadwire_notifier.domain.notices import ConsoleLinks
from leadwire_notifier.providers.secrets import WebhookUrls
from leadwire_notifier.providers.slack import SlackPoster
from leadwire_notifier.settings import NotifierSettings


@dataclass
class NotifierContext:
    settings: NotifierSettings
    runtime: ServiceRuntime
    slack: SlackPoster
    urls: WebhookUrls
    links: ConsoleLinks

    @property
    def pool(self) -> asyncpg.Pool:
        # The runtime opens the pool at start; routes and handlers run only after that.
        return self.runtime.pool
