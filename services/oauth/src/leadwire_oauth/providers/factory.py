"""Build the provider adapters from settings."""

from __future__ import annotations

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
    )
    microsoft = MicrosoftProvider(
        client_id=settings.microsoft_client_id,
        client_secret=settings.microsoft_client_secret.get_secret_value(),
        tenant=settings.microsoft_tenant,
        authority_host=settings.microsoft_authority_host,
        graph_base_url=settings.graph_base_url,
        ca_bundle=settings.provider_ca_bundle,
    )
    return {"google": google, "microsoft": microsoft}
