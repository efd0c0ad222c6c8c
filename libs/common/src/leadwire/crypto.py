"""Encryption at rest (AES-256-GCM key ring) and signed, expiring state tokens.

Ciphertext layout: b"v1" | kid length (1 byte) | kid | 12-byte random nonce | ciphertext+tag.
The associated data names the row and field (`aad_for`), so a ciphertext copied
into another row or column fails to decrypt instead of silently "working".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"v1"
_NONCE_BYTES = 12
_TAG_BYTES = 16
_KEY_BYTES = 32
_KID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class KeyRingError(ValueError):
    """The key ring configuration (e.g. ENCRYPTION_KEYS) is malformed."""


class DecryptionError(Exception):
    """A blob could not be decrypted: tampered, wrong associated data, unknown key or bad format."""


def generate_key() -> str:
    """A fresh random 256-bit key, standard base64 (for `kid:key` in ENCRYPTION_KEYS)."""
    return base64.b64encode(os.urandom(_KEY_BYTES)).decode("ascii")


def _decode_key(kid: str, encoded: str) -> bytes:
    # Accept standard and URL-safe alphabets, with or without padding.
    normalized = encoded.strip().replace("-", "+").replace("_", "/")
    normalized += "=" * (-len(normalized) % 4)
    try:
        key = base64.b64decode(normalized, validate=True)
    except (binascii.Error, ValueError):
        raise KeyRingError(f"key {kid!r} is not valid base64") from None
    if len(key) != _KEY_BYTES:
        raise KeyRingError(f"key {kid!r} must decode to {_KEY_BYTES} bytes, got {len(key)}")
    return key


def aad_for(table: str, row_id: object, field: str) -> bytes:
    """Associated data naming one row's field, e.g. ("mailboxes", id, "refresh_token")."""
    for label, part in (("table", table), ("field", field)):
        if not part or "|" in part:
            raise ValueError(f"{label} must be non-empty and must not contain '|'")
    return f"leadwire|{table}|{row_id}|{field}".encode()


@dataclass(frozen=True)
class _ParsedBlob:
    kid: str
    nonce: bytes
    ciphertext: bytes


def _parse_blob(blob: bytes) -> _ParsedBlob:
    if not isinstance(blob, bytes | bytearray | memoryview):
        raise DecryptionError("ciphertext must be bytes")
    data = bytes(blob)
    if not data.startswith(_VERSION):
        raise DecryptionError("unknown ciphertext format (expected v1)")
    if len(data) < len(_VERSION) + 1:
        raise DecryptionError("ciphertext is truncated")
    kid_len = data[len(_VERSION)]
    kid_end = len(_VERSION) + 1 + kid_len
    if kid_len == 0 or len(data) < kid_end + _NONCE_BYTES + _TAG_BYTES:
        raise DecryptionError("ciphertext is truncated")
    try:
        kid = data[len(_VERSION) + 1 : kid_end].decode("ascii")
    except UnicodeDecodeError:
        raise DecryptionError("ciphertext has a malformed key id") from None
    nonce = data[kid_end : kid_end + _NONCE_BYTES]
    return _ParsedBlob(kid=kid, nonce=nonce, ciphertext=data[kid_end + _NONCE_BYTES :])


class KeyRing:
    """Named AES-256-GCM keys; the first is active (encrypts), all of them decrypt."""

    def __init__(self, keys: list[tuple[str, bytes]]) -> None:
        if not keys:
            raise KeyRingError("at least one key is required")
        self._keys: dict[str, AESGCM] = {}
        for kid, key in keys:
            if not _KID_PATTERN.match(kid):
                raise KeyRingError(
                    f"key id {kid!r} must be 1-64 characters of letters, digits, '.', '_' or '-'"
                )
            if kid in self._keys:
                raise KeyRingError(f"key id {kid!r} appears twice")
            if len(key) != _KEY_BYTES:
                raise KeyRingError(f"key {kid!r} must be {_KEY_BYTES} bytes")
            self._keys[kid] = AESGCM(key)
        self.active_kid = keys[0][0]

    @classmethod
    def from_string(cls, raw: str) -> KeyRing:
        """Parse `kid1:base64key,kid2:base64key` (first = active), e.g. ENCRYPTION_KEYS."""
        if not raw or not raw.strip():
            raise KeyRingError("no keys given; expected 'kid:base64key[,kid:base64key...]'")
        keys: list[tuple[str, bytes]] = []
        for position, item in enumerate(raw.split(","), start=1):
            kid, found, encoded = item.strip().partition(":")
            if not found or not kid.strip() or not encoded.strip():
                raise KeyRingError(
                    f"item {position} must look like 'kid:base64key' "
                    "(generate a key with leadwire.crypto.generate_key())"
                )
            keys.append((kid.strip(), _decode_key(kid.strip(), encoded)))
        return cls(keys)

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def __repr__(self) -> str:  # never show key material
        return f"KeyRing(active={self.active_kid!r}, kids={list(self._keys)!r})"

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        kid = self.active_kid.encode("ascii")
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._keys[self.active_kid].encrypt(nonce, plaintext, aad)
        return _VERSION + bytes([len(kid)]) + kid + nonce + sealed

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        parsed = _parse_blob(blob)
        cipher = self._keys.get(parsed.kid)
        if cipher is None:
            raise DecryptionError(f"unknown key id {parsed.kid!r}; is it still in ENCRYPTION_KEYS?")
        try:
            return cipher.decrypt(parsed.nonce, parsed.ciphertext, aad)
        except InvalidTag:
            raise DecryptionError(
                "authentication failed: ciphertext tampered or associated data differs"
            ) from None

    def encrypt_str(self, plaintext: str, aad: bytes) -> bytes:
        return self.encrypt(plaintext.encode("utf-8"), aad)

    def decrypt_str(self, blob: bytes, aad: bytes) -> str:
        return self.decrypt(blob, aad).decode("utf-8")

    def needs_rotation(self, blob: bytes) -> bool:
        """True when `blob` was sealed with a key other than the active one."""
        return _parse_blob(blob).kid != self.active_kid

    def rotate(self, blob: bytes, aad: bytes) -> bytes:
        """Re-encrypt under the active key (a fresh nonce even if already current)."""
        return self.encrypt(self.decrypt(blob, aad), aad)


# --- Signed state tokens -------------------------------------------------------------------

StateFailure = Literal["malformed", "bad_signature", "expired"]
_STATE_CONTEXT = b"leadwire.state.v1\x00"  # domain separation from other HMAC uses of the secret


class InvalidStateError(Exception):
    """A state token was refused; `reason` is "malformed", "bad_signature" or "expired"."""

    def __init__(self, reason: StateFailure) -> None:
        super().__init__(f"invalid state token: {reason}")
        self.reason: StateFailure = reason


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise InvalidStateError("malformed")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidStateError("malformed") from None


def _epoch(now: float | datetime | None) -> float:
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        return now.timestamp()
    return float(now)


class StateSigner:
    """Compact HMAC-SHA256 signed, expiring tokens (e.g. the OAuth `state` parameter).

    Token: base64url(json claims) "." base64url(HMAC). `sign` adds `exp` and a random
    `nonce`. This class only proves integrity and freshness: to make a token single-use
    the caller records `claims["nonce"]` in its own store when it accepts the token and
    refuses a nonce it has already seen (the OAuth service keeps the PKCE verifier in a
    row keyed by that nonce and deletes it on use).
    """

    def __init__(self, secret: bytes | str) -> None:
        key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
        if not key:
            raise ValueError("state signing secret must not be empty")
        self._key = key

    def _mac(self, body: str) -> bytes:
        return hmac.new(self._key, _STATE_CONTEXT + body.encode("ascii"), hashlib.sha256).digest()

    def sign(
        self, claims: dict[str, Any], ttl_seconds: int, now: float | datetime | None = None
    ) -> str:
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        body_claims = dict(claims)
        body_claims["exp"] = int(_epoch(now)) + int(ttl_seconds)
        body_claims.setdefault("nonce", secrets.token_urlsafe(16))
        raw = json.dumps(body_claims, separators=(",", ":"), sort_keys=True, default=str)
        body = _b64url(raw.encode("utf-8"))
        return f"{body}.{_b64url(self._mac(body))}"

    def verify(self, token: str, now: float | datetime | None = None) -> dict[str, Any]:
        if not isinstance(token, str) or token.count(".") != 1:
            raise InvalidStateError("malformed")
        body, signature = token.split(".")
        given = _unb64url(signature)
        _unb64url(body)  # shape check before spending an HMAC on garbage
        if not hmac.compare_digest(given, self._mac(body)):
            raise InvalidStateError("bad_signature")
        try:
            claims = json.loads(_unb64url(body))
        except (UnicodeDecodeError, ValueError):
            raise InvalidStateError("malformed") from None
        if not isinstance(claims, dict) or not isinstance(claims.get("exp"), int):
            raise InvalidStateError("malformed")
        if _epoch(now) >= claims["exp"]:
            raise InvalidStateError("expired")
        return claims
