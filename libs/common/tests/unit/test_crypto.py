import base64
import uuid

import pytest

from leadwire.crypto import DecryptionError, KeyRing, KeyRingError, aad_for, generate_key


def _ring(*kids: str) -> KeyRing:
    return KeyRing.from_string(",".join(f"{kid}:{generate_key()}" for kid in kids))


FIXED_KEY = base64.b64encode(bytes(range(32))).decode()  # stable test ids under xdist
ROW = uuid.UUID("00000000-0000-4000-8000-000000000001")
AAD = aad_for("mailboxes", ROW, "refresh_token")


def test_round_trip_returns_the_plaintext():
    ring = _ring("k1")
    blob = ring.encrypt(b"1//refresh-token", AAD)
    assert ring.decrypt(blob, AAD) == b"1//refresh-token"


def test_string_round_trip():
    ring = _ring("k1")
    assert ring.decrypt_str(ring.encrypt_str("héllo", AAD), AAD) == "héllo"


def test_blob_layout_is_version_kid_nonce_ciphertext():
    ring = _ring("k1")
    blob = ring.encrypt(b"abc", AAD)
    assert blob[:2] == b"v1"
    assert blob[2] == 2 and blob[3:5] == b"k1"
    assert len(blob) == 2 + 1 + 2 + 12 + 3 + 16


def test_same_plaintext_encrypts_differently_each_time():
    ring = _ring("k1")
    assert ring.encrypt(b"x", AAD) != ring.encrypt(b"x", AAD)


def test_tampered_ciphertext_is_refused():
    ring = _ring("k1")
    blob = bytearray(ring.encrypt(b"secret", AAD))
    blob[-1] ^= 0x01
    with pytest.raises(DecryptionError, match="authentication failed"):
        ring.decrypt(bytes(blob), AAD)


def test_ciphertext_moved_to_another_row_is_refused():
    ring = _ring("k1")
    blob = ring.encrypt(b"secret", AAD)
    other_row = aad_for("mailboxes", uuid.uuid4(), "refresh_token")
    with pytest.raises(DecryptionError):
        ring.decrypt(blob, other_row)


def test_ciphertext_moved_to_another_field_is_refused():
    ring = _ring("k1")
    blob = ring.encrypt(b"secret", AAD)
    with pytest.raises(DecryptionError):
        ring.decrypt(blob, aad_for("mailboxes", ROW, "access_token"))


def test_unknown_key_id_is_refused():
    blob = _ring("old").encrypt(b"secret", AAD)
    with pytest.raises(DecryptionError, match="unknown key id 'old'"):
        _ring("new").decrypt(blob, AAD)


@pytest.mark.parametrize("blob", [b"", b"v2xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", b"v1", b"v1\x05ab"])
def test_malformed_blobs_are_refused(blob):
    with pytest.raises(DecryptionError):
        _ring("k1").decrypt(blob, AAD)


def test_old_keys_still_decrypt_after_a_new_key_becomes_active():
    old_key = generate_key()
    before = KeyRing.from_string(f"k1:{old_key}")
    blob = before.encrypt(b"secret", AAD)
    after = KeyRing.from_string(f"k2:{generate_key()},k1:{old_key}")
    assert after.decrypt(blob, AAD) == b"secret"
    assert after.needs_rotation(blob)


def test_rotate_re_encrypts_under_the_active_key():
    old_key = generate_key()
    blob = KeyRing.from_string(f"k1:{old_key}").encrypt(b"secret", AAD)
    ring = KeyRing.from_string(f"k2:{generate_key()},k1:{old_key}")
    rotated = ring.rotate(blob, AAD)
    assert rotated[3:5] == b"k2"
    assert not ring.needs_rotation(rotated)
    assert ring.decrypt(rotated, AAD) == b"secret"


def test_keys_in_urlsafe_base64_without_padding_are_accepted():
    raw = bytes(range(250, 256)) * 5 + b"\xfb\xff"
    encoded = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    ring = KeyRing.from_string(f"k1:{encoded}")
    assert ring.decrypt(ring.encrypt(b"x", AAD), AAD) == b"x"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "no keys"),
        ("k1", "item 1 must look like 'kid:base64key'"),
        ("k1:", "item 1"),
        (f"k1:{FIXED_KEY},", "item 2"),
        ("k1:not base64!!", "not valid base64"),
        ("k1:" + base64.b64encode(b"short").decode(), "32 bytes"),
        (f"k1:{FIXED_KEY},k1:{FIXED_KEY}", "appears twice"),
        (f"bad kid:{FIXED_KEY}", "key id"),
    ],
)
def test_malformed_key_ring_config_gets_a_clear_error(raw, message):
    with pytest.raises(KeyRingError, match=message):
        KeyRing.from_string(raw)


def test_key_errors_and_repr_never_show_key_material():
    key = generate_key()
    ring = KeyRing.from_string(f"k1:{key}")
    assert key not in repr(ring)
    bad = key[:-4] + "!!!!"
    with pytest.raises(KeyRingError) as info:
        KeyRing.from_string(f"k1:{bad}")
    assert bad not in str(info.value)


def test_aad_refuses_ambiguous_parts():
    with pytest.raises(ValueError, match="table"):
        aad_for("a|b", ROW, "f")
