"""Build the provider adapters from settings."""

from __future__ import annotations

from collections.abc import Iterable

from leadwire_oauth.domain.breaker import ProviderGuard
from leadwire_oauth.providers.base import OAuthProvider
from leadwire_oauth.providers.google import GoogleProvider
from leadwire_oauth.providers.microsoft import MicrosoftProvider
from leadwire_oauth.settings import OAuthSettings


def build_providers(settings: OAuthSettings) -> dict[str, OAuthProvider]:
    google = GoogleProvider(
        client_id=settings.google_client_id,
        client_secret=settings.google_client_secret.get_secret_value(),
        auth_uri=settings.google_auth_uri,
        token_uri=settings.google_token_uri,
        revoke_uri=settings.google_revoke_uri,
        gmail_base_url=settings.gmail_api_base_url,
        userinfo_uri=settings.google_userinfo_uri,
        ca_bundle=settings.provider_ca_bundle,
        timeout=settings.provider_timeout_seconds,
    )
    microsoft = MicrosoftProvider(
        client_id=settings.microsoft_client_id,
        client_secret=settings.microsoft_client_secret.get_secret_value(),
        tenant=settings.microsoft_tenant,
        authority_host=settings.microsoft_authority_host,
        graph_base_url=settings.graph_base_url,
        ca_bundle=settings.provider_ca_bundle,
        timeout=settings.provider_timeout_seconds,
    )
    return {"google": google, "microsoft": microsoft}


def build_guards(settings: OAuthSettings, names: Iterable[str]) -> dict[str, ProviderGuard]:
    """One circuit breaker per provider, shared by every use case of this replica."""
    return {
        name: ProviderGuard(
            failure_threshold=settings.provider_failure_threshold,
            cooldown_seconds=settings.provider_cooldown_seconds,
            misconfigured_retry_seconds=settings.provider_misconfigured_retry_seconds,
        )
        for name in names
    }
