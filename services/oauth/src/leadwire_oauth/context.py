"""What the oauth service's use cases share: pool, crypto, providers, settings."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from leadwire.crypto import KeyRing, StateSigner
from leadwire.runtime import ServiceRuntime
from leadwire_oauth.providers.base import OAuthProvider
from leadwire_oauth.settings import OAuthSettings


@dataclass
class OAuthContext:
    settings: OAuthSettings
    runtime: ServiceRuntime
    keys: KeyRing
    state_signer: StateSigner
    providers: dict[str, OAuthProvider]

    @property
    def pool(self) -> asyncpg.Pool:
        # The runtime opens the pool at start; use cases run only after that.
        return self.runtime.pool

    def provider(self, name: str) -> OAuthProvider | None:
        return self.providers.get(name)
