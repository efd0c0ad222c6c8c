"""Google OAuth 2.0 against the sandbox: auth code + PKCE (httpx), refresh (google-auth)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import google.auth.exceptions
import google.auth.transport.requests
import pytest
from google.oauth2 import id_token

from sandbox.google.clients import google_credentials
from sandbox.testing import google_connect

ADDRESS = "owner@acme.test"
SEND = "https://www.googleapis.com/auth/gmail.send"
READ = "https://www.googleapis.com/auth/gmail.readonly"


def _authorize(sandbox, **params):
    base = {
        "client_id": sandbox.config.google_client_id,
        "redirect_uri": "https://app.test/cb",
        "response_type": "code",
        "scope": f"openid email {READ}",
        "state": "st-1",
        "login_hint": ADDRESS,
    }
    return sandbox.control.get("/o/oauth2/v2/auth", params={**base, **params})


def _query(resp) -> dict[str, str]:
    assert resp.status_code == 302, resp.text
    return {k: v[0] for k, v in parse_qs(urlsplit(resp.headers["location"]).query).items()}


def test_auth_code_with_pkce_gives_tokens_and_verifiable_id_token(sandbox, ca_session):
    sandbox.create_mailbox("google", ADDRESS, display_name="Owner Acme")
    token = google_connect(sandbox, ADDRESS)
    assert token["token_type"] == "Bearer"
    assert token["refresh_token"].startswith("1//")
    assert SEND in token["scope"].split()
    request = google.auth.transport.requests.Request(ca_session)
    claims = id_token.verify_token(
        token["id_token"],
        request,
        audience=sandbox.config.google_client_id,
        certs_url=f"{sandbox.base_url}/oauth2/v3/certs",
    )
    assert claims["email"] == ADDRESS
    assert claims["iss"] == "https://accounts.google.com"


def test_wrong_code_verifier_is_invalid_grant(sandbox):
    sandbox.create_mailbox("google", ADDRESS)
    query = _query(_authorize(sandbox, code_challenge="a" * 43, code_challenge_method="S256"))
    assert query["state"] == "st-1"
    form = {
        "grant_type": "authorization_code",
        "code": query["code"],
        "redirect_uri": "https://app.test/cb",
        "code_verifier": "not-the-verifier-" * 3,
    }
    auth = (sandbox.config.google_client_id, sandbox.config.google_client_secret)
    resp = sandbox.control.post("/token", data=form, auth=auth)  # HTTP Basic client auth
    assert resp.status_code == 400
    assert resp.json() == {"error": "invalid_grant", "error_description": "Invalid code verifier."}
    again = sandbox.control.post("/token", data=form, auth=auth)  # codes are single use
    assert again.json()["error_description"] == "Malformed auth code."


def test_redirect_uri_must_match_at_token(sandbox):
    sandbox.create_mailbox("google", ADDRESS)
    code = _query(_authorize(sandbox))["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "https://evil.test/cb",
        "client_id": sandbox.config.google_client_id,
        "client_secret": sandbox.config.google_client_secret,
    }
    resp = sandbox.control.post("/token", data=form)
    assert resp.status_code == 400 and resp.json()["error"] == "redirect_uri_mismatch"


def test_wrong_client_secret_is_invalid_client(sandbox):
    form = {"grant_type": "refresh_token", "refresh_token": "x", "client_id": "c"}
    resp = sandbox.control.post("/token", data={**form, "client_secret": "nope"})
    assert resp.status_code == 401 and resp.json()["error"] == "invalid_client"


def test_google_auth_refresh_then_revoked_grant_is_invalid_grant(sandbox, ca_session):
    sandbox.create_mailbox("google", ADDRESS)
    token = google_connect(sandbox, ADDRESS)
    creds = google_credentials(sandbox, token)
    creds.token = None
    creds.refresh(google.auth.transport.requests.Request(ca_session))
    assert creds.valid and creds.token != token["access_token"]
    assert creds.refresh_token == token["refresh_token"]  # Google does not rotate
    sandbox.control.post(f"/_sandbox/mailboxes/{ADDRESS}/revoke").raise_for_status()
    with pytest.raises(google.auth.exceptions.RefreshError, match="invalid_grant"):
        creds.refresh(google.auth.transport.requests.Request(ca_session))
    headers = {"Authorization": f"Bearer {creds.token}"}
    assert sandbox.control.get("/gmail/v1/users/me/profile", headers=headers).status_code == 401


def test_revoke_endpoint_kills_the_grant(sandbox):
    sandbox.create_mailbox("google", ADDRESS)
    token = google_connect(sandbox, ADDRESS)
    assert (
        sandbox.control.post("/revoke", data={"token": token["refresh_token"]}).status_code == 200
    )
    resp = sandbox.control.get(
        "/oauth2/v3/userinfo", headers={"Authorization": "Bearer " + token["access_token"]}
    )
    assert resp.status_code == 401


def test_consent_without_gmail_send_is_possible_and_enforced(sandbox):
    sandbox.create_mailbox("google", ADDRESS)
    token = google_connect(sandbox, ADDRESS, sandbox_grant_scopes=READ)
    assert SEND not in token["scope"].split() and READ in token["scope"].split()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    resp = sandbox.control.post(
        "/gmail/v1/users/me/messages/send", json={"raw": "eA"}, headers=headers
    )
    assert resp.status_code == 403
    assert resp.json()["error"]["status"] == "PERMISSION_DENIED"


def test_denied_consent_redirects_with_access_denied(sandbox):
    sandbox.create_mailbox("google", ADDRESS)
    assert _query(_authorize(sandbox, sandbox_deny="1")) == {
        "error": "access_denied",
        "state": "st-1",
    }
    sandbox.control.post("/_sandbox/google/consent", json={"deny_next": True})
    assert _query(_authorize(sandbox))["error"] == "access_denied"
    assert "code" in _query(_authorize(sandbox))  # only the next one


def test_without_login_hint_an_account_chooser_lists_accounts(sandbox):
    sandbox.create_mailbox("google", ADDRESS, display_name="Owner Acme")
    sandbox.create_mailbox("google", "sales@acme.test")
    resp = _authorize(sandbox, login_hint="")
    assert resp.status_code == 200
    assert "owner@acme.test" in resp.text and "sales@acme.test" in resp.text
    assert "login_hint=sales%40acme.test" in resp.text


def test_unknown_client_gets_an_error_page_not_a_redirect(sandbox):
    resp = _authorize(sandbox, client_id="someone-else")
    assert resp.status_code == 400 and "invalid_client" in resp.text


def test_refresh_token_only_on_first_consent_unless_prompt_consent(sandbox):
    sandbox.create_mailbox("google", ADDRESS)
    assert "refresh_token" in google_connect(sandbox, ADDRESS, prompt="")
    assert "refresh_token" not in google_connect(sandbox, ADDRESS, prompt="")
    assert "refresh_token" in google_connect(sandbox, ADDRESS, prompt="consent")


def test_access_tokens_expire_after_the_configured_lifetime(sandbox):
    sandbox.config.access_token_lifetime = 1
    sandbox.create_mailbox("google", ADDRESS)
    token = google_connect(sandbox, ADDRESS)
    assert token["expires_in"] == 1
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert sandbox.control.get("/gmail/v1/users/me/profile", headers=headers).status_code == 200
    time.sleep(1.1)
    resp = sandbox.control.get("/gmail/v1/users/me/profile", headers=headers)
    assert resp.status_code == 401 and resp.json()["error"]["status"] == "UNAUTHENTICATED"


def test_userinfo_and_tokeninfo_name_the_account_and_scopes(sandbox):
    sandbox.create_mailbox("google", ADDRESS, display_name="Owner Acme")
    token = google_connect(sandbox, ADDRESS)
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    info = sandbox.control.get("/oauth2/v3/userinfo", headers=headers).json()
    assert info["email"] == ADDRESS and info["name"] == "Owner Acme"
    v2 = sandbox.control.get("/oauth2/v2/userinfo", headers=headers).json()
    assert v2["email"] == ADDRESS and v2["id"] == info["sub"]
    tinfo = sandbox.control.get("/tokeninfo", params={"access_token": token["access_token"]}).json()
    assert tinfo["scope"] == token["scope"] and tinfo["email"] == ADDRESS
