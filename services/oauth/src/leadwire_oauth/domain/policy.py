"""A client's reply policy and drafting profile, validated as data."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

# The same rules as the client.changed contract, so what is accepted can be published.
from leadwire.contracts.clients import AutoSendMode as AutoSend
from leadwire.contracts.clients import BusinessHours

__all__ = ["SLUG_PATTERN", "AutoSend", "BusinessHours", "DraftingProfile"]

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"


class DraftingProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    offer: str = Field(default="", max_length=4000, description="What the company offers.")
    tone: str = Field(default="friendly and concise", max_length=200)
    signature: str = Field(default="", max_length=1000)
    booking_link: HttpUrl | None = None
    language: str = Field(default="en", pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")


def validate_origin(value: str) -> str:
    """An origin is scheme://host[:port], nothing more (as browsers send it)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an origin like https://example.com")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{value!r} must not have a path, query or fragment")
    return f"{parts.scheme}://{parts.netloc}".lower()


def validate_slack_webhook(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or not re.match(r"^/\S+", parts.path):
        raise ValueError("must be an https incoming-webhook URL")
    return value
