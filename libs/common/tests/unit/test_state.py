import base64
import json

import pytest

from leadwire.crypto import InvalidStateError, StateSigner

NOW = 1_800_000_000


def test_signed_state_verifies_and_returns_claims_with_exp_and_nonce():
    signer = StateSigner("s" * 32)
    token = signer.sign({"client_id": "c1", "provider": "google"}, ttl_seconds=600, now=NOW)
    claims = signer.verify(token, now=NOW + 599)
    assert claims["client_id"] == "c1"
    assert claims["exp"] == NOW + 600
    assert len(claims["nonce"]) >= 16


def test_token_is_url_safe_and_compact():
    token = StateSigner(b"k" * 32).sign({"a": 1}, ttl_seconds=60, now=NOW)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert token.count(".") == 1


def test_each_token_gets_its_own_nonce_unless_given():
    signer = StateSigner("k" * 32)
    a = signer.verify(signer.sign({}, 60, now=NOW), now=NOW)
    b = signer.verify(signer.sign({}, 60, now=NOW), now=NOW)
    assert a["nonce"] != b["nonce"]
    given = signer.verify(signer.sign({"nonce": "n-1"}, 60, now=NOW), now=NOW)
    assert given["nonce"] == "n-1"


def test_expired_state_is_rejected():
    signer = StateSigner("k" * 32)
    token = signer.sign({"a": 1}, ttl_seconds=60, now=NOW)
    with pytest.raises(InvalidStateError) as info:
        signer.verify(token, now=NOW + 60)
    assert info.value.reason == "expired"


def test_tampered_claims_are_rejected():
    signer = StateSigner("k" * 32)
    body, sig = signer.sign({"client_id": "c1"}, 60, now=NOW).split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["client_id"] = "c2"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidStateError) as info:
        signer.verify(f"{forged}.{sig}", now=NOW)
    assert info.value.reason == "bad_signature"


def test_token_signed_with_another_secret_is_rejected():
    token = StateSigner("a" * 32).sign({}, 60, now=NOW)
    with pytest.raises(InvalidStateError) as info:
        StateSigner("b" * 32).verify(token, now=NOW)
    assert info.value.reason == "bad_signature"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "!!.??", "abc.", ".abc", None])
def test_malformed_tokens_are_rejected(token):
    with pytest.raises(InvalidStateError) as info:
        StateSigner("k" * 32).verify(token, now=NOW)
    assert info.value.reason in {"malformed", "bad_signature"}


def test_garbage_segments_are_reported_as_malformed():
    with pytest.raises(InvalidStateError) as info:
        StateSigner("k" * 32).verify("not*base64.sig", now=NOW)
    assert info.value.reason == "malformed"


def test_empty_secret_is_refused():
    with pytest.raises(ValueError, match="empty"):
        StateSigner("")
