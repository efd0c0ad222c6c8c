"""Write `.env` for docker-compose with freshly generated secrets, once.

docker-compose.yml ships no usable secret: every one is `${NAME:?...}`, read from
`.env` (which compose loads by itself). Run `python scripts/compose_env.py` before the
first `docker-compose up`; an existing `.env` is left alone (its secrets encrypt data).
"""

from __future__ import annotations

import base64
import secrets
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ENV_FILE = Path(__file__).resolve().parents[1] / ".env"


def generated() -> dict[str, str]:
    signing = Ed25519PrivateKey.generate()
    private_raw = signing.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public_raw = signing.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return {
        "JWT_SECRET": secrets.token_urlsafe(48),
        "STATE_SECRET": secrets.token_urlsafe(48),
        "ENCRYPTION_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "ADMIN_PASSWORD": secrets.token_urlsafe(18),
        "ADMIN_TOKEN_PRIVATE_KEY": base64.b64encode(private_raw).decode(),
        "ADMIN_TOKEN_PUBLIC_KEY": base64.b64encode(public_raw).decode(),
        "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
        "RABBITMQ_PASSWORD": secrets.token_urlsafe(24),
    }


def main() -> int:
    if ENV_FILE.exists():
        print(f"{ENV_FILE} exists; left as it is")
        return 0
    ENV_FILE.write_text("".join(f"{k}={v}\n" for k, v in generated().items()))
    ENV_FILE.chmod(0o600)
    print(f"wrote {ENV_FILE} (admin password inside)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
