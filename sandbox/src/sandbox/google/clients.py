"""The official Google clients wired to a running sandbox (for tests and the demo).

Imports of google-auth / googleapiclient are local: they are dev dependencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.testing import RunningSandbox


def google_credentials(sb: RunningSandbox, token: dict[str, Any]) -> Any:
    import google.oauth2.credentials

    return google.oauth2.credentials.Credentials(  # type: ignore[no-untyped-call]
        token=token["access_token"],
        refresh_token=token.get("refresh_token"),
        token_uri=f"{sb.base_url}/token",
        client_id=sb.config.google_client_id,
        client_secret=sb.config.google_client_secret,
    )


def ca_requests_session(sb: RunningSandbox) -> Any:
    """A requests.Session for google-auth's transport that trusts only the sandbox CA."""
    import requests

    session = requests.Session()
    session.verify = str(sb.ca_path)
    session.trust_env = False  # REQUESTS_CA_BUNDLE may be set machine-wide and would win
    return session


def gmail_service(sb: RunningSandbox, token: dict[str, Any]) -> Any:
    """googleapiclient's Gmail v1 (bundled discovery document) on the sandbox."""
    import google_auth_httplib2
    import httplib2
    from googleapiclient.discovery import build

    http = google_auth_httplib2.AuthorizedHttp(
        google_credentials(sb, token), http=httplib2.Http(ca_certs=str(sb.ca_path))
    )
    return build(
        "gmail",
        "v1",
        http=http,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": sb.base_url},
    )
