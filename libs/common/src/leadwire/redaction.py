"""Secret redaction for logs: by key name and by value pattern, recursively.

Used by `leadwire.logging.scrub_secrets`; kept separate so it is plain, testable logic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "[REDACTED]"

# Normalized (lower-case, alphanumerics only) key names that always hold secrets.
_EXACT_KEYS = frozenset(
    {
        "code",
        "authcode",
        "key",
        "apikey",
        "xapikey",
        "clientstate",
        "cookie",
        "setcookie",
        "session",
        "sessionid",
        "assertion",
        "clientassertion",
        "codeverifier",
        "privatekey",
        "encryptionkeys",
        "dsn",
        "slackurl",
        "webhookurl",
        "signature",
        "sig",
        "xslacksignature",
    }
)
# ... and fragments that mark a key as secret wherever they appear in it.
_KEY_FRAGMENTS = (
    "token",
    "secret",
    "password",
    "passwd",
    "authorization",
    "apikey",
    "cookie",
    "webhook",
    "credential",
    "privatekey",
)

_SECRET_PARAM_NAMES = (
    r"access_token|refresh_token|id_token|client_secret|client_assertion|code_verifier|"
    r"code|token|key|api_key|apikey|password|secret|sig|signature|clientState|"
    r"validationToken|assertion"
)

# Order matters: specific token shapes first, then generic "name=value" forms.
_VALUE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Slack incoming webhooks (and fakes that mimic the /services/T../B../secret path).
    (
        re.compile(r"hooks\.slack(?:-gov)?\.com/services/[^\s\"'<>]+", re.I),
        f"hooks.slack.com/services/{REDACTED}",
    ),
    (re.compile(r"/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9_-]+"), f"/services/{REDACTED}"),
    # Authorization schemes.
    (re.compile(r"\bBearer\s+[A-Za-z0-9\-._~+/]+=*", re.I), f"Bearer {REDACTED}"),
    (re.compile(r"\bBasic\s+[A-Za-z0-9+/]{8,}=*", re.I), f"Basic {REDACTED}"),
    # JWTs (also partial ones) and provider token shapes.
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}"), REDACTED),
    (re.compile(r"\bya29\.[A-Za-z0-9_\-.]+"), REDACTED),
    (re.compile(r"(?<![A-Za-z0-9])1//[A-Za-z0-9_\-]{10,}"), REDACTED),
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}"), REDACTED),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9\-]{10,}"), REDACTED),
    # Passwords inside URLs: scheme://user:password@host.
    (re.compile(r"(\b[a-z][a-z0-9+.\-]*://[^\s:/@]*:)[^\s@/]+@", re.I), rf"\1{REDACTED}@"),
    # Header lines / dict reprs: "Authorization: ...", 'cookie': '...'.
    (
        re.compile(
            r"([\"']?)\b(authorization|proxy-authorization|cookie|set-cookie|x-api-key)\1"
            r"(\s*[:=]\s*)([\"']?)[^\"'\r\n]+",
            re.I,
        ),
        rf"\1\2\1\3\4{REDACTED}",
    ),
    # JSON / repr pairs: "access_token": "..." (quoted value).
    (
        re.compile(
            rf"([\"'])({_SECRET_PARAM_NAMES}|webhook_url|slack_url)\1(\s*:\s*)([\"'])[^\"']*\4",
            re.I,
        ),
        rf"\1\2\1\3\4{REDACTED}\4",
    ),
    # Query strings / form bodies: code=...&access_token=... (not error_code=, not status=).
    (
        re.compile(rf"(?<![A-Za-z0-9_\-])({_SECRET_PARAM_NAMES})=[^&\s\"'#,;]+", re.I),
        rf"\1={REDACTED}",
    ),
)


def _normalize_key(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def is_secret_key(key: object) -> bool:
    """Whether a mapping key names a secret (access_token, Authorization, slack_url, ...)."""
    if not isinstance(key, str):
        return False
    norm = _normalize_key(key)
    if norm in _EXACT_KEYS:
        return True
    if norm.endswith("tokens") or norm.endswith("tokencount"):  # usage counters, not secrets
        return False
    return any(fragment in norm for fragment in _KEY_FRAGMENTS)


def redact_text(text: str) -> str:
    """Replace every secret-looking substring of `text`."""
    for pattern, replacement in _VALUE_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_value(value: Any) -> Any:
    """Recursively redact a log value: mappings by key name, strings by pattern."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, bytes | bytearray):
        return redact_text(bytes(value).decode("utf-8", "replace"))
    if isinstance(value, Mapping):
        return {key: _redact_under_key(key, inner) for key, inner in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(item) for item in value]
    # Anything else is rendered with str() by the JSON renderer: scrub that text now.
    return redact_text(str(value))


def _redact_under_key(key: object, value: Any) -> Any:
    # Numbers and booleans under a "secret" key are counters/flags (has_slack_webhook), not secrets.
    if is_secret_key(key) and value is not None and not isinstance(value, bool | int | float):
        return REDACTED
    return redact_value(value)


def redact_mapping(event_dict: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _redact_under_key(key, value) for key, value in event_dict.items()}


def redact_url(url: str) -> str:
    """A URL safe to log: password, secret query parameters and Slack webhook paths hidden."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}:{REDACTED}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(name, REDACTED if is_secret_key(name) else value) for name, value in pairs],
            safe="[]",
        )
    rebuilt = urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    return redact_text(rebuilt)
