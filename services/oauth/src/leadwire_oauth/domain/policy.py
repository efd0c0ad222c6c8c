"""A client's reply policy and drafting profile, validated as data."""

from __future__ import annotations

import re
from datetime import time
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
AutoSend = Literal["off", "guarded", "always"]


class BusinessHours(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    timezone: str = "UTC"
    days: list[Weekday] = Field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"])
    start: time = time(9, 0)
    end: time = time(17, 0)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA timezone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _start_before_end(self) -> BusinessHours:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        if not self.days:
            raise ValueError("days must name at least one weekday")
        return self


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
