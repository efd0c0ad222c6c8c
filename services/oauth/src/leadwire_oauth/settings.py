"""Settings of the oauth service (env variables; see the README's table)."""

from __future__ import annotations

from pydantic import SecretStr, model_validator

from leadwire.settings import ServiceSettings
from leadwire_oauth.google_secrets import parse_client_secrets


class OAuthSettings(ServiceSettings):
    service_name: str = "oauth"
    http_port: int = 8001

    encryption_keys: SecretStr
    state_secret: SecretStr
    admin_username: str = "admin"
    admin_password: SecretStr | None = None
    jwt_ttl_seconds: int = 3600
    state_ttl_seconds: int = 600

    google_client_id: str = ""
    google_client_secret: SecretStr = SecretStr("")
    # Path to (or inline) client-secrets JSON downloaded from Google Cloud Console.
    google_client_secrets: SecretStr = SecretStr("")
    google_auth_uri: str = "https://accounts.google.com/o/oauth2/v2/auth"
    google_token_uri: str = "https://oauth2.googleapis.com/token"
    google_revoke_uri: str = "https://oauth2.googleapis.com/revoke"
    google_userinfo_uri: str = "https://openidconnect.googleapis.com/v1/userinfo"
    gmail_api_base_url: str = "https://gmail.googleapis.com"

    microsoft_client_id: str = ""
    microsoft_client_secret: SecretStr = SecretStr("")
    microsoft_tenant: str = "common"
    microsoft_authority_host: str = "https://login.microsoftonline.com"
    graph_base_url: str = "https://graph.microsoft.com"

    @model_validator(mode="after")
    def _google_from_client_secrets(self) -> OAuthSettings:
        raw = self.google_client_secrets.get_secret_value()
        if raw:
            parsed = parse_client_secrets(raw)
            self.google_client_id = parsed.client_id
            self.google_client_secret = SecretStr(parsed.client_secret)
            if parsed.auth_uri and "accounts.google.com/o/oauth2/auth" not in parsed.auth_uri:
                self.google_auth_uri = parsed.auth_uri
            if parsed.token_uri:
                self.google_token_uri = parsed.token_uri
        return self

    @property
    def google_configured(self) -> bool:
        return bool(self.google_client_id and self.google_client_secret.get_secret_value())

    @property
    def microsoft_configured(self) -> bool:
        return bool(self.microsoft_client_id and self.microsoft_client_secret.get_secret_value())

    def callback_url(self, provider: str) -> str:
        return f"{self.public_base_url}/oauth/{provider}/callback"
