import time
from typing import Annotated

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from leadwire.auth import (
    ADMIN_AUDIENCE,
    ADMIN_ISSUER,
    MAX_TOKEN_LIFETIME_SECONDS,
    AdminClaims,
    AdminDep,
    AuthError,
    LoginThrottle,
    admin_dependency,
    admin_public_key,
    dev_signing_key,
    dummy_verify,
    hash_password,
    issue_admin_token,
    load_private_key,
    load_public_key,
    needs_rehash,
    public_key_text,
    verify_admin_token,
    verify_password,
)

SECRET = "a-test-secret-that-is-long-enough-123"
NOW = 1_800_000_000


def test_issued_token_verifies_with_its_claims():
    token = issue_admin_token(SECRET, "alice", ttl_seconds=600, now=NOW)
    claims = verify_admin_token(SECRET, token, now=NOW + 1)
    assert claims.subject == "alice"
    assert claims.expires_at.timestamp() == NOW + 600
    raw = jwt.decode(token, options={"verify_signature": False})
    assert raw["iss"] == "leadwire-oauth" and raw["aud"] == "leadwire-admin" and raw["jti"]


def test_secretstr_secret_is_accepted():
    token = issue_admin_token(SecretStr(SECRET), "alice", now=NOW)
    assert verify_admin_token(SecretStr(SECRET), token, now=NOW).subject == "alice"


def test_expired_token_is_refused():
    token = issue_admin_token(SECRET, "alice", ttl_seconds=60, now=NOW)
    with pytest.raises(AuthError, match="expired"):
        verify_admin_token(SECRET, token, now=NOW + 3600)


def test_token_signed_with_another_secret_is_refused():
    token = issue_admin_token("another-secret-that-is-long-enough-xx", "alice", now=NOW)
    with pytest.raises(AuthError, match="signature"):
        verify_admin_token(SECRET, token, now=NOW)


def test_token_for_another_audience_is_refused():
    token = jwt.encode(
        {
            "iss": "leadwire-oauth",
            "aud": "someone-else",
            "sub": "a",
            "iat": NOW,
            "exp": NOW + 60,
            "jti": "j",
        },
        dev_signing_key(SECRET),
        algorithm="EdDSA",
    )
    with pytest.raises(AuthError, match="not for the admin API"):
        verify_admin_token(SECRET, token, now=NOW)


def test_unsigned_alg_none_token_is_refused():
    token = jwt.encode(
        {
            "iss": "leadwire-oauth",
            "aud": "leadwire-admin",
            "sub": "a",
            "iat": NOW,
            "exp": NOW + 60,
            "jti": "j",
        },
        None,
        algorithm="none",
    )
    with pytest.raises(AuthError):
        verify_admin_token(SECRET, token, now=NOW)


def test_token_from_the_future_is_refused():
    token = issue_admin_token(SECRET, "alice", now=NOW + 3600)
    with pytest.raises(AuthError, match="future"):
        verify_admin_token(SECRET, token, now=NOW)


def test_hs256_token_made_with_the_shared_secret_is_refused():
    claims = {"iss": ADMIN_ISSUER, "aud": ADMIN_AUDIENCE, "sub": "mallory", "jti": "j"}
    forged = jwt.encode({**claims, "iat": NOW, "exp": NOW + 60}, SECRET, algorithm="HS256")
    with pytest.raises(AuthError, match="EdDSA"):
        verify_admin_token(SECRET, forged, now=NOW)


def test_the_public_key_verifies_and_cannot_sign():
    private = Ed25519PrivateKey.generate()
    public = load_public_key(public_key_text(private.public_key()))
    token = issue_admin_token(private, "alice", now=NOW)
    assert verify_admin_token(public, token, now=NOW).subject == "alice"
    with pytest.raises(AuthError, match="signature"):
        verify_admin_token(Ed25519PrivateKey.generate().public_key(), token, now=NOW)


def test_keys_load_from_pem_and_from_base64():
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    token = issue_admin_token(load_private_key(pem), "alice", now=NOW)
    assert verify_admin_token(load_public_key(public_pem), token, now=NOW).subject == "alice"
    with pytest.raises(ValueError, match="32 bytes"):
        load_public_key("c2hvcnQ=")


def test_token_longer_than_the_maximum_lifetime_is_refused():
    with pytest.raises(ValueError, match="ttl_seconds"):
        issue_admin_token(SECRET, "alice", ttl_seconds=MAX_TOKEN_LIFETIME_SECONDS + 1)
    claims = {"iss": ADMIN_ISSUER, "aud": ADMIN_AUDIENCE, "sub": "a", "jti": "j"}
    year = {**claims, "iat": NOW, "exp": NOW + 365 * 86400}
    token = jwt.encode(year, dev_signing_key(SECRET), algorithm="EdDSA")
    with pytest.raises(AuthError, match="longer"):
        verify_admin_token(SECRET, token, now=NOW)


def test_production_requires_the_public_key():
    class Settings:
        admin_token_public_key = ""
        jwt_secret = SecretStr(SECRET)
        is_production = True

    with pytest.raises(AuthError, match="ADMIN_TOKEN_PUBLIC_KEY"):
        admin_public_key(Settings())


def test_garbage_token_is_refused():
    with pytest.raises(AuthError, match="malformed"):
        verify_admin_token(SECRET, "not-a-jwt")


def _app() -> TestClient:
    app = FastAPI()
    admin_dep = Annotated[AdminClaims, Depends(admin_dependency(lambda: SECRET))]

    @app.get("/admin/ping")
    async def ping(admin: admin_dep) -> dict[str, str]:
        return {"admin": admin.subject}

    return TestClient(app)


def test_dependency_lets_a_valid_admin_in():
    token = issue_admin_token(SECRET, "alice")
    response = _app().get("/admin/ping", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {"admin": "alice"}


def test_dependency_answers_401_with_www_authenticate_when_missing():
    response = _app().get("/admin/ping")
    assert response.status_code == 401
    assert "missing bearer token" in response.json()["detail"]
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="leadwire-admin"')


def test_dependency_answers_401_for_an_expired_token():
    token = issue_admin_token(SECRET, "alice", ttl_seconds=60, now=time.time() - 3600)
    response = _app().get("/admin/ping", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_dependency_refuses_basic_auth():
    response = _app().get("/admin/ping", headers={"Authorization": "Basic YWxpY2U6cHc="})
    assert response.status_code == 401


def test_ready_made_admin_dep_reads_the_secret_from_app_state():
    app = FastAPI()
    app.state.jwt_secret = SecretStr(SECRET)

    @app.get("/admin/me")
    async def me(admin: AdminDep) -> dict[str, str]:
        return {"admin": admin.subject}

    client = TestClient(app)
    token = issue_admin_token(SECRET, "bob")
    assert client.get("/admin/me", headers={"Authorization": f"Bearer {token}"}).json() == {
        "admin": "bob"
    }
    assert client.get("/admin/me").status_code == 401
    forged = issue_admin_token("x" * 40, "bob")
    assert client.get("/admin/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_password_hash_round_trip():
    hashed = hash_password("correct horse battery staple")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery staple")
    assert not verify_password(hashed, "wrong")
    assert not needs_rehash(hashed)


def test_verify_password_with_a_broken_hash_is_false_not_an_error():
    assert verify_password("not-a-hash", "pw") is False
    assert needs_rehash("not-a-hash") is True
    assert dummy_verify("anything") is False


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_throttle_allows_a_few_failures_then_locks_with_growing_delay():
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, base_delay=2, max_delay=60, clock=clock)
    assert [throttle.record_failure("Alice", "1.2.3.4") for _ in range(2)] == [0, 0]
    assert throttle.retry_after("alice", "1.2.3.4") == 0
    assert throttle.record_failure("alice", "1.2.3.4") == 2
    assert throttle.retry_after("alice", "1.2.3.4") == 2
    assert throttle.record_failure("alice", "1.2.3.4") == 4
    assert [throttle.record_failure("alice", "1.2.3.4") for _ in range(5)][-1] == 60
    clock.now += 59
    assert throttle.retry_after("alice", "1.2.3.4") == pytest.approx(1)
    assert throttle.retry_after("alice", "5.6.7.8") == 0  # other IP unaffected


def test_throttle_is_cleared_by_success_and_forgets_old_failures():
    clock = Clock()
    throttle = LoginThrottle(max_failures=1, base_delay=5, forget_after=100, clock=clock)
    throttle.record_failure("bob", "ip")
    assert throttle.retry_after("bob", "ip") == 5
    throttle.record_success("bob", "ip")
    assert throttle.retry_after("bob", "ip") == 0
    throttle.record_failure("bob", "ip")
    clock.now += 100
    assert throttle.retry_after("bob", "ip") == 0
    assert throttle.record_failure("bob", "ip") == 5  # counting started over


def test_throttle_memory_is_bounded():
    throttle = LoginThrottle(max_failures=1, max_entries=2, clock=Clock())
    for user in ("a", "b", "c"):
        throttle.record_failure(user, "ip")
    assert throttle.retry_after("a", "ip") == 0
    assert throttle.retry_after("c", "ip") > 0
