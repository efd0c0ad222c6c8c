"""Read the client-secrets JSON that Google Cloud Console lets users download."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GoogleClientSecrets:
    client_id: str
    client_secret: str
    auth_uri: str | None
    token_uri: str | None


def parse_client_secrets(value: str) -> GoogleClientSecrets:
    """`value` is the JSON itself or a path to it; both {"web": …} and {"installed": …}."""
    text = value.strip()
    if not text.startswith("{"):
        path = Path(text).expanduser()
        if not path.is_file():
            raise ValueError(f"GOOGLE_CLIENT_SECRETS: no file at {path}")
        text = path.read_text(encoding="utf-8")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"GOOGLE_CLIENT_SECRETS: not valid JSON ({exc.msg})") from None
    section = (
        document.get("web") or document.get("installed") if isinstance(document, dict) else None
    )
    if not isinstance(section, dict):
        raise ValueError('GOOGLE_CLIENT_SECRETS: expected a "web" or "installed" section')
    try:
        return GoogleClientSecrets(
            client_id=str(section["client_id"]),
            client_secret=str(section["client_secret"]),
            auth_uri=section.get("auth_uri"),
            token_uri=section.get("token_uri"),
        )
    except KeyError as exc:
        raise ValueError(f"GOOGLE_CLIENT_SECRETS: missing {exc.args[0]}") from None
