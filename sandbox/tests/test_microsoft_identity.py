"""The fake Microsoft identity platform, driven by the real msal ConfidentialClientApplication."""

from __future__ import annotations

import base64
import hashlib
import json
import ssl

import httpx
import pytest

from sandbox.microsoft.testing import REDIRECT_URI, authorize_redirect, msal_app, sign_in

ADDRESS = "owner@contoso.example"
SCOPES = ["https://graph.microsoft.com/Mail.Read", "https://graph.microsoft.com/Mail.Send"]


@pytest.fixture
def mailbox(sandbox):
    sandbox.create_mailbox("microsoft", ADDRESS, display_name="Olga Owner")
    return ADDRESS


@pytest.fixture
def app(sandbox):
    app = msal_app(sandbox.base_url, sandbox.ca_path, sandbox.config)
    yield app
    app.http_client.close()  # a kept-alive connection would hold up the server's shutdown


def _me(sandbox, token: str) -> httpx.Response:
    with httpx.Client(verify=ssl.create_default_context(cafile=str(sandbox.ca_path))) as client:
        return client.get(
            f"{sandbox.base_url}/v1.0/me", headers={"Authorization": f"Bearer {token}"}
        )


def test_auth_code_flow_with_pkce_returns_tokens_for_the_hinted_account(sandbox, mailbox, app):
    result = sign_in(app, sandbox.ca_path, mailbox, SCOPES)

    assert "access_token" in result, result
    assert result["refresh_token"]
    assert result["id_token_claims"]["preferred_username"] == ADDRESS
    assert set(result["scope"].split()) >= set(SCOPES)
    assert _me(sandbox, result["access_token"]).json()["mail"] == ADDRESS


def test_authorize_url_carries_pkce_s256_and_nonce(sandbox, mailbox, app):
    flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=REDIRECT_URI, login_hint=mailbox)
    query = httpx.URL(flow["auth_uri"]).params

    assert query["code_challenge_method"] == "S256"
    digest = hashlib.sha256(flow["code_verifier"].encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert query["nonce"]


def test_wrong_code_verifier_is_rejected_with_aadsts(sandbox, mailbox, app):
    flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=REDIRECT_URI, login_hint=mailbox)
    redirect = authorize_redirect(app, sandbox.ca_path, flow)

    result = app.acquire_token_by_authorization_code(
        redirect["code"], SCOPES, redirect_uri=REDIRECT_URI, data={"code_verifier": "x" * 43}
    )

    assert result["error"] == "invalid_grant"
    assert result["error_codes"] == [501481]
    assert result["error_description"].startswith("AADSTS501481:")


def test_an_auth_code_is_single_use(sandbox, mailbox, app):
    flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=REDIRECT_URI, login_hint=mailbox)
    redirect = authorize_redirect(app, sandbox.ca_path, flow)
    kwargs = {"redirect_uri": REDIRECT_URI, "data": {"code_verifier": flow["code_verifier"]}}

    first = app.acquire_token_by_authorization_code(redirect["code"], SCOPES, **kwargs)
    second = app.acquire_token_by_authorization_code(redirect["code"], SCOPES, **kwargs)

    assert "access_token" in first
    assert second["error"] == "invalid_grant" and second["error_codes"] == [54005]


def test_refresh_keeps_the_used_token_valid_as_microsoft_does(sandbox, mailbox, app):
    first = sign_in(app, sandbox.ca_path, mailbox, SCOPES)

    # Two workers refreshing with the same token at once: both succeed (issue 8, item 5).
    renewed = app.acquire_token_by_refresh_token(first["refresh_token"], SCOPES)
    concurrent = app.acquire_token_by_refresh_token(first["refresh_token"], SCOPES)
    again = app.acquire_token_by_refresh_token(renewed["refresh_token"], SCOPES)

    assert renewed["refresh_token"] != first["refresh_token"]  # a new one is still returned
    assert "access_token" in concurrent and "access_token" in again


def test_strict_rotation_option_kills_the_used_refresh_token(sandbox, mailbox, app):
    first = sign_in(app, sandbox.ca_path, mailbox, SCOPES)
    sandbox.control.post(
        "/_sandbox/microsoft/settings", json={"rotate_refresh_tokens": True}
    ).raise_for_status()

    renewed = app.acquire_token_by_refresh_token(first["refresh_token"], SCOPES)
    reused = app.acquire_token_by_refresh_token(first["refresh_token"], SCOPES)
    again = app.acquire_token_by_refresh_token(renewed["refresh_token"], SCOPES)

    assert renewed["access_token"] != first["access_token"]
    assert renewed["refresh_token"] != first["refresh_token"]
    assert reused["error"] == "invalid_grant"
    assert "AADSTS70000" in reused["error_description"]
    assert "access_token" in again


def test_revoked_grant_answers_invalid_grant(sandbox, mailbox, app):
    tokens = sign_in(app, sandbox.ca_path, mailbox, SCOPES)

    sandbox.control.post(f"/_sandbox/mailboxes/{mailbox}/revoke").raise_for_status()
    result = app.acquire_token_by_refresh_token(tokens["refresh_token"], SCOPES)

    assert result["error"] == "invalid_grant"
    assert result["error_codes"] == [50173]
    assert _me(sandbox, tokens["access_token"]).status_code == 401


def test_consent_without_mail_send_grants_fewer_scopes(sandbox, app):
    sandbox.create_mailbox("microsoft", ADDRESS, denied_scopes=["Mail.Send"])

    result = sign_in(app, sandbox.ca_path, ADDRESS, SCOPES)

    granted = result["scope"].split()
    assert "https://graph.microsoft.com/Mail.Read" in granted
    assert "https://graph.microsoft.com/Mail.Send" not in granted


def test_denied_consent_redirects_with_access_denied(sandbox, app):
    sandbox.create_mailbox("microsoft", ADDRESS, deny_consent=True)
    flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=REDIRECT_URI, login_hint=ADDRESS)

    redirect = authorize_redirect(app, sandbox.ca_path, flow)
    result = app.acquire_token_by_auth_code_flow(flow, redirect)

    assert redirect["error"] == "access_denied"
    assert redirect["state"] == flow["state"]
    assert result["error"] == "access_denied"


def test_without_login_hint_a_page_lists_the_accounts(sandbox, mailbox, app):
    flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=REDIRECT_URI)

    with httpx.Client(verify=ssl.create_default_context(cafile=str(sandbox.ca_path))) as browser:
        page = browser.get(flow["auth_uri"])

    assert page.status_code == 200
    assert ADDRESS in page.text and "login_hint=" in page.text


def test_wrong_client_secret_is_invalid_client(sandbox, mailbox):
    sandbox.config.microsoft_client_secret = "the-right-one"
    app = msal_app(sandbox.base_url, sandbox.ca_path)  # sends the default secret
    flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=REDIRECT_URI, login_hint=mailbox)

    result = app.acquire_token_by_auth_code_flow(
        flow, authorize_redirect(app, sandbox.ca_path, flow)
    )
    app.http_client.close()

    assert result["error"] == "invalid_client" and result["error_codes"] == [7000215]


def test_id_token_verifies_against_the_published_keys(sandbox, mailbox, app):
    import jwt

    result = sign_in(app, sandbox.ca_path, mailbox, SCOPES)
    with httpx.Client(verify=ssl.create_default_context(cafile=str(sandbox.ca_path))) as client:
        config = client.get(f"{sandbox.base_url}/common/v2.0/.well-known/openid-configuration")
        keys = client.get(config.json()["jwks_uri"]).json()["keys"]
    key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(keys[0]))

    claims = jwt.decode(
        result["id_token"], key, algorithms=["RS256"], audience=sandbox.config.microsoft_client_id
    )

    assert claims["tid"] == result["id_token_claims"]["tid"]
    assert claims["iss"].endswith(f"/{claims['tid']}/v2.0")


def test_unknown_tenant_fails_discovery(sandbox):
    with httpx.Client(verify=ssl.create_default_context(cafile=str(sandbox.ca_path))) as client:
        answer = client.get(
            f"{sandbox.base_url}/no-such-tenant/v2.0/.well-known/openid-configuration"
        )

    assert answer.status_code == 400
    assert answer.json()["error_codes"] == [90002]
