"""A client's reply policy and drafting profile, validated as data."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

# The same rules as the client.changed contract, so what is accepted can be published.
from leadwire.contracts.clients import (
    ALL_NOTIFICATION_KINDS,
    BusinessHours,
    FollowUpSequence,
    NotificationKind,
)
from leadwire.contracts.clients import AutoSendMode as AutoSend

__all__ = [
    "SLUG_PATTERN",
    "AutoSend",
    "BusinessHours",
    "DraftingProfile",
    "PipelineSettings",
    "check_webhook_host",
    "refuse_unstorable_text",
]

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"


class DraftingProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    offer: str = Field(default="", max_length=4000, description="What the company offers.")
    tone: str = Field(default="friendly and concise", max_length=200)
    signature: str = Field(default="", max_length=1000)
    booking_link: HttpUrl | None = None
    language: str = Field(default="en", pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")


_DOMAIN = r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"


class PipelineSettings(BaseModel):
    """How the pipeline treats a client's leads beyond drafting: which mailbox answers form
    leads, what Slack hears, follow-ups, the approval threshold, domains that are never
    leads. Published on client.changed; the services keep their own copy."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    # None: the first connected mailbox (set when one connects).
    primary_mailbox_id: UUID | None = None
    notification_kinds: list[NotificationKind] = Field(
        default_factory=lambda: list(ALL_NOTIFICATION_KINDS)
    )
    follow_up: FollowUpSequence = Field(default_factory=FollowUpSequence)
    qualification_threshold: int = Field(default=50, ge=0, le=100)
    own_domains: list[str] = Field(default_factory=list, max_length=50)
    denied_domains: list[str] = Field(default_factory=list, max_length=500)

    @field_validator("own_domains", "denied_domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        cleaned = [d.strip().lower().lstrip("@") for d in value]
        bad = [d for d in cleaned if not re.match(_DOMAIN, d)]
        if bad:
            raise ValueError(f"not a domain name: {bad[0]!r}")
        return sorted(set(cleaned))


def validate_origin(value: str) -> str:
    """An origin is scheme://host[:port], nothing more (as browsers send it)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an origin like https://example.com")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{value!r} must not have a path, query or fragment")
    return f"{parts.scheme}://{parts.netloc}".lower()


def validate_slack_webhook(value: str) -> str:
    """The shape of an incoming-webhook URL; where it may point is `check_webhook_host`."""
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or not re.match(r"^/\S+", parts.path):
        raise ValueError("must be an https incoming-webhook URL")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not carry credentials")
    return value


def check_webhook_host(value: str, allowed_hosts: Collection[str], allow_loopback: bool) -> None:
    """Refuse a webhook URL the notifier must not call: any host outside the allow-list
    (Slack's, in production), and so loopback, link-local and private addresses. Outside
    production a loopback host is allowed too: the sandbox's Slack listens there."""
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    netloc_host = f"{host}:{parts.port}" if parts.port else host
    if host in allowed_hosts or netloc_host in allowed_hosts:
        if host == "hooks.slack.com" and not parts.path.startswith("/services/"):
            raise ValueError("a Slack incoming webhook's path starts with /services/")
        return
    if allow_loopback and is_loopback_host(host):
        return
    raise ValueError(
        f"host {host!r} is not an allowed Slack webhook host"
        f" ({', '.join(sorted(allowed_hosts))}; setting SLACK_WEBHOOK_HOSTS)"
    )


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_internal_host(host: str) -> bool:
    """Loopback, link-local, private or otherwise non-public: never a production target."""
    if is_loopback_host(host) or host.endswith((".local", ".internal", ".localhost")):
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def _bad_char(text: str) -> str | None:
    if "\x00" in text:
        return "a NUL character"
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        return "a lone surrogate (invalid Unicode)"
    return None


def unstorable_text(value: Any, path: str = "") -> str | None:
    """Where `value` (parsed JSON) holds text Postgres cannot store, as "path: why"."""
    if isinstance(value, str):
        why = _bad_char(value)
        return f"{path or 'body'}: must not contain {why}" if why else None
    if isinstance(value, dict):
        items: list[tuple[str, Any]] = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(str(i), v) for i, v in enumerate(value)]
    else:
        return None
    for key, item in items:
        where = f"{path}.{key}" if path else key
        bad_key = _bad_char(key)
        if bad_key:
            return f"{where}: a key must not contain {bad_key}"
        found = unstorable_text(item, where)
        if found:
            return found
    return None


def refuse_unstorable_text(data: Any) -> Any:
    """A `model_validator(mode="before")` body: 422 naming the field, not a 500 later."""
    problem = unstorable_text(data)
    if problem:
        raise ValueError(problem)
    return data
