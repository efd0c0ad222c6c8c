"""What the oauth service's use cases share: pool, crypto, providers, settings."""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from leadwire.crypto import KeyRing, StateSigner
from leadwire.runtime import ServiceRuntime
from leadwire_oauth.domain.breaker import ProviderGuard
from leadwire_oauth.providers.base import OAuthProvider
from leadwire_oauth.settings import OAuthSettings


@dataclass
class OAuthContext:
    settings: OAuthSettings
    runtime: ServiceRuntime
    keys: KeyRing
    state_signer: StateSigner
    providers: dict[str, OAuthProvider]
    # Signs admin tokens; only oauth holds it (every service has the public key).
    admin_signing_key: Ed25519PrivateKey
    # Circuit breakers per provider name (in-process: each replica learns on its own).
    guards: dict[str, ProviderGuard] = field(default_factory=dict)

    @property
    def pool(self) -> asyncpg.Pool:
        # The runtime opens the pool at start; use cases run only after that.
        return self.runtime.pool

    def provider(self, name: str) -> OAuthProvider | None:
        return self.providers.get(name)
