"""Base classes and shared field types for event contracts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    ValidationInfo,
    model_validator,
)

Provider = Literal["google", "microsoft"]

# Validation context key set by `parse_event`: drop unknown keys instead of refusing them.
TOLERATE_UNKNOWN = "leadwire_tolerate_unknown"


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# Timezone-aware on input (a naive datetime is refused), stored and emitted in UTC.
UtcDateTime = Annotated[AwareDatetime, AfterValidator(_to_utc)]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ContractModel(BaseModel):
    """Any model that travels inside an event: frozen and strict about unknown fields
    when *publishing*; tolerant of them when *consuming* (see `parse_event`), so a
    producer may add an optional field before every consumer knows it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _drop_unknown_when_consuming(cls, data: Any, info: ValidationInfo) -> Any:
        if not (info.context and info.context.get(TOLERATE_UNKNOWN)) or not isinstance(data, dict):
            return data
        known: set[str] = set()
        for name, field in cls.model_fields.items():
            known.add(name)
            if field.alias:
                known.add(field.alias)
        return {key: value for key, value in data.items() if key in known}


class EventPayload(ContractModel):
    """Base of every event payload. Subclasses set `event_type` and `event_version`.

    Adding an optional field keeps the version; any other change is a new class with
    `event_version = 2` registered beside the old one, and consumers accept both for a
    release.
    """

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1
