"""Typed settings base for every service.

Each service subclasses `ServiceSettings`, adds its own fields and calls
`load_settings(MySettings)` once in its composition root. A missing or malformed
variable stops the process at start with ONE message naming every bad variable
by its environment name, so an operator fixes them all in one go.
"""

from __future__ import annotations

import base64
import binascii
import math
import sys
from collections import Counter
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

S = TypeVar("S", bound="ServiceSettings")

Environment = Literal["development", "test", "production"]

# Values people paste from examples; refused as a production JWT secret.
_PLACEHOLDER_SECRETS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "password",
        "jwt-secret",
        "jwt_secret",
        "dev",
        "development",
        "test",
        "example",
        "placeholder",
        "xxx",
        "todo",
        "insecure",
    }
)
_MIN_PRODUCTION_SECRET_CHARS = 32
# Words example values are made of; a production secret containing one was copied.
_EXAMPLE_MARKERS = (
    "change-me",
    "changeme",
    "change_me",
    "dev-only",
    "example",
    "sandbox",
    "placeholder",
    "insecure",
    "password",
    "secret-",
    "-secret",
    "test-",
    "0123456789",
    "abcdef",
)
# Estimated bits (Shannon entropy of the characters x length) a generated secret easily
# exceeds (token_urlsafe(32) ~ 200) and a typed or repeated one does not.
_MIN_SECRET_BITS = 128.0
_MIN_PASSWORD_BITS = 60.0
_MIN_PASSWORD_CHARS = 12
# Distinct byte values a random 32-byte key has (about 30; below 20 is not random).
_MIN_KEY_DISTINCT_BYTES = 20
_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


def estimated_bits(value: str) -> float:
    """Shannon entropy of the characters times the length: low for repeats and small
    alphabets. An upper bound for typed secrets, so a threshold on it is conservative."""
    if not value:
        return 0.0
    counts = Counter(value)
    per_char = -sum((n / len(value)) * math.log2(n / len(value)) for n in counts.values())
    return per_char * len(value)


def weak_secret_reason(
    value: str,
    *,
    min_chars: int = _MIN_PRODUCTION_SECRET_CHARS,
    min_bits: float = _MIN_SECRET_BITS,
) -> str | None:
    """Why `value` must not be a production secret, or None. Never includes the value."""
    lowered = value.strip().lower()
    if lowered in _PLACEHOLDER_SECRETS:
        return "is a placeholder value; set a real random secret in production"
    if len(value) < min_chars:
        return f"must be at least {min_chars} characters in production"
    if any(marker in lowered for marker in _EXAMPLE_MARKERS):
        return "looks like an example value from the repository; generate a random one"
    if estimated_bits(value) < min_bits:
        return "is too predictable (repeated or few distinct characters); generate a random one"
    return None


def weak_password_reason(value: str) -> str | None:
    """Like `weak_secret_reason`, with a person's password's length and entropy floor."""
    return weak_secret_reason(value, min_chars=_MIN_PASSWORD_CHARS, min_bits=_MIN_PASSWORD_BITS)


def weak_key_reason(key_b64: str) -> str | None:
    """Why a base64 32-byte key is no production key, or None (never echoes it)."""
    try:
        key = base64.b64decode(key_b64, validate=True)
    except (binascii.Error, ValueError):
        return "is not valid base64"
    if len(key) != 32:
        return "must decode to 32 bytes"
    if len(set(key)) < _MIN_KEY_DISTINCT_BYTES or any(
        marker.encode() in key.lower() for marker in _EXAMPLE_MARKERS
    ):
        return "is not random (too few distinct bytes or example text); generate a new key"
    return None


class SettingsError(Exception):
    """Settings could not be loaded; `message` names every bad variable."""

    def __init__(self, message: str, problems: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems


def mask_url_password(url: str) -> str:
    """`amqp://guest:guest@host/` -> `amqp://guest:***@host/` (safe to log)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable url>"
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal needs its brackets back
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port is not None else ""
    netloc = f"{parts.username or ''}:***@{host}{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def parse_key_value_list(raw: str, *, sep: str = ":", item_sep: str = ",") -> list[tuple[str, str]]:
    """Parse `a:1,b:2` into `[("a", "1"), ("b", "2")]`; blanks around items are ignored.

    Only the first `sep` splits, so values may contain it (URLs, base64 never does).
    Raises ValueError naming the item position (never its value: it may be a key).
    """
    pairs: list[tuple[str, str]] = []
    items = [item.strip() for item in raw.split(item_sep)]
    if not any(items):
        raise ValueError("is empty")
    for position, item in enumerate(items, start=1):
        if not item:
            raise ValueError(f"item {position} is empty")
        key, found, value = item.partition(sep)
        if not found:
            raise ValueError(f"item {position} has no '{sep}' between name and value")
        key, value = key.strip(), value.strip()
        if not key or not value:
            raise ValueError(f"item {position} has an empty name or value")
        pairs.append((key, value))
    return pairs


class ServiceSettings(BaseSettings):
    """Settings every service shares. Field `foo_bar` is read from env `FOO_BAR`."""

    model_config = SettingsConfigDict(
        env_prefix="",
        case_sensitive=False,
        env_file=None,
        extra="ignore",
        validate_default=True,
    )

    service_name: str
    # The service's Postgres schema; empty means the service name.
    database_schema: str = ""
    environment: Environment = "development"
    database_url: str = Field(default="postgresql://postgres@127.0.0.1:5432/postgres", repr=False)
    rabbit_url: str = Field(default="amqp://guest:guest@127.0.0.1:5672/", repr=False)
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"
    log_json: bool = True
    # Path to a CA bundle for provider TLS (the sandbox's throwaway CA); empty in production.
    provider_ca_bundle: str = ""
    jwt_secret: SecretStr
    # Verifies admin tokens (Ed25519 public key, PEM or base64); see leadwire.auth.
    # Required in production; elsewhere, when unset, derived from JWT_SECRET.
    admin_token_public_key: str = ""

    @field_validator("admin_token_public_key")
    @classmethod
    def _public_key_in_production(cls, value: str, info: ValidationInfo) -> str:
        if not value.strip() and info.data.get("environment") == "production":
            raise ValueError("is required in production (oauth's ADMIN_TOKEN_PRIVATE_KEY's pair)")
        return value.strip()

    # The topic exchange every event goes through, and a prefix for this stack's queue and
    # RPC queue names: two stacks (or parallel test runs) share one broker unseen.
    events_exchange: str = Field(default="leadwire.events", pattern=r"^[A-Za-z0-9_.:-]+$")
    queue_prefix: str = Field(default="", pattern=r"^[a-z0-9_.-]*$")
    # What a browser reaches (the gateway), and what Google/Microsoft/Slack post webhooks
    # to (`http://gateway:8080` in docker-compose, the public TLS host in production).
    public_base_url: str = "http://127.0.0.1:8080"
    provider_callback_base_url: str = ""

    @field_validator("public_base_url", "provider_callback_base_url")
    @classmethod
    def _http_url_without_slash(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("must be an http(s) URL")
        return value

    @property
    def callback_base_url(self) -> str:
        """Where providers post webhooks: PROVIDER_CALLBACK_BASE_URL, else PUBLIC_BASE_URL."""
        return self.provider_callback_base_url or self.public_base_url

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(_LOG_LEVELS)}")
        return level

    @field_validator("jwt_secret")
    @classmethod
    def _strong_secret_in_production(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        secret = value.get_secret_value()
        if not secret.strip():
            raise ValueError("must not be empty")
        if info.data.get("environment") != "production":
            return value
        reason = weak_secret_reason(secret)
        if reason:
            raise ValueError(reason)
        return value

    @property
    def rabbit_url_redacted(self) -> str:
        return mask_url_password(self.rabbit_url)

    @property
    def database_url_redacted(self) -> str:
        return mask_url_password(self.database_url)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


def env_name_for(cls: type[BaseSettings], loc: tuple[int | str, ...]) -> str:
    """The environment variable a validation error location refers to."""
    if not loc:
        return "(settings)"
    field_name = str(loc[0])
    field = cls.model_fields.get(field_name)
    alias = field.validation_alias if field is not None else None
    if isinstance(alias, str):
        name = alias
    else:
        name = str(cls.model_config.get("env_prefix", "")) + field_name
    nested = "__".join(str(part) for part in loc[1:])
    return (f"{name}__{nested}" if nested else name).upper()


def _describe(error: Any) -> str:
    if error["type"] == "missing":
        return "is required but not set"
    message = str(error["msg"])
    # pydantic prefixes custom errors with "Value error, "; the bare reason reads better.
    return message.removeprefix("Value error, ")


def build_settings(cls: type[S], **overrides: Any) -> S:
    """Instantiate `cls` from env + overrides, or raise SettingsError naming every problem.

    Error text never includes the offending values: they may be secrets.
    """
    try:
        return cls(**overrides)
    except ValidationError as exc:
        problems = [(env_name_for(cls, tuple(err["loc"])), _describe(err)) for err in exc.errors()]
        lines = [f"  {name}: {reason}" for name, reason in problems]
        message = (
            f"Invalid configuration for {cls.__name__} ({len(problems)} problem(s)):\n"
            + "\n".join(lines)
        )
        raise SettingsError(message, problems) from None


def load_settings(cls: type[S], **overrides: Any) -> S:
    """Load settings or stop the process with exit status 2 and one clear message."""
    try:
        return build_settings(cls, **overrides)
    except SettingsError as exc:
        print(exc.message, file=sys.stderr)
        raise SystemExit(2) from exc
