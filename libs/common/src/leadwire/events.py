"""Event contracts: the envelope, every typed payload and the (type, version) registry.

Publishing::

    event = new_event(LeadReceived(...), client_id=client_id, causation=incoming_envelope)
    await outbox.add(conn, event)          # written in the same transaction as the state

Consuming::

    typed = parse_event(body)              # tolerant of fields this code does not know yet
    lead = typed.expect(LeadReceived).payload

Rules: payload models are frozen and refuse unknown fields when built (a typo fails at
the producer); `parse_event` drops unknown fields (a newer producer does not break an
older consumer). Adding an optional field keeps the version; any other change adds a
class with `event_version = 2` and both stay registered for a release.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, Literal, TypeVar, cast
from uuid import UUID, uuid4

from pydantic import BaseModel, Field, ValidationError, create_model

from leadwire.contracts.base import (
    TOLERATE_UNKNOWN,
    ContractModel,
    EventPayload,
    Provider,
    UtcDateTime,
    utc_now,
)
from leadwire.contracts.clients import (
    ALL_NOTIFICATION_KINDS,
    AutoSendMode,
    BusinessHours,
    ClientChanged,
    FollowUpSequence,
    NotificationKind,
    Weekday,
)
from leadwire.contracts.drafts import (
    Decision,
    DraftApproved,
    DraftCreated,
    DraftDecided,
    DraftRejected,
)
from leadwire.contracts.emails import EmailSendFailed, EmailSent, OutboundKind
from leadwire.contracts.leads import (
    Attachment,
    AuthResult,
    EmailBounced,
    EmailReceived,
    EmailSentByPerson,
    GuardVerdict,
    InboundSignals,
    LeadFlagged,
    LeadReceived,
    LeadReplied,
    LeadSource,
    PriorMessage,
    ReplyTarget,
)
from leadwire.contracts.mailboxes import (
    MailboxConnected,
    MailboxDisconnected,
    MailboxRevoked,
    MailboxSyncFailed,
    MailboxSyncRecovered,
    MailboxSyncRequested,
    SyncReason,
)
from leadwire.topology import EVENTS_EXCHANGE

__all__ = [
    "ALL_NOTIFICATION_KINDS",
    "EVENTS_EXCHANGE",
    "EVENT_TYPES",
    "Attachment",
    "AuthResult",
    "AutoSendMode",
    "BusinessHours",
    "ClientChanged",
    "Decision",
    "DraftApproved",
    "DraftCreated",
    "DraftDecided",
    "DraftRejected",
    "EmailBounced",
    "EmailReceived",
    "EmailSendFailed",
    "EmailSent",
    "EmailSentByPerson",
    "Envelope",
    "EventError",
    "EventPayload",
    "FollowUpSequence",
    "GuardVerdict",
    "InboundSignals",
    "InvalidEventError",
    "LeadFlagged",
    "LeadReceived",
    "LeadReplied",
    "LeadSource",
    "MailboxConnected",
    "MailboxDisconnected",
    "MailboxRevoked",
    "MailboxSyncFailed",
    "MailboxSyncRecovered",
    "MailboxSyncRequested",
    "NotificationKind",
    "OutboundKind",
    "PriorMessage",
    "Provider",
    "ReplyTarget",
    "SyncReason",
    "TypedEvent",
    "UnknownEventError",
    "UtcDateTime",
    "Weekday",
    "envelope_model_for",
    "event_json_schemas",
    "new_event",
    "parse_event",
    "payload_class",
    "registered_payloads",
]


P = TypeVar("P", bound=EventPayload)
Q = TypeVar("Q", bound=EventPayload)


class EventError(Exception):
    """Base for event contract errors."""


class UnknownEventError(EventError):
    """No payload class is registered for this (type, version)."""


class InvalidEventError(EventError):
    """The message is not a valid envelope or its payload does not match its contract."""


class Envelope(ContractModel):
    """What travels on the wire; `payload` is the JSON form of a registered EventPayload."""

    event_id: UUID = Field(default_factory=uuid4)
    type: str = Field(min_length=1)
    version: int = Field(default=1, ge=1)
    occurred_at: UtcDateTime = Field(default_factory=utc_now)
    client_id: UUID | None = None
    # Follows one lead from intake to reply; copied from the event that caused this one.
    correlation_id: UUID = Field(default_factory=uuid4)
    causation_id: UUID | None = None
    payload: dict[str, Any]

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json().encode("utf-8")

    def to_jsonable(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


_PAYLOADS: tuple[type[EventPayload], ...] = (
    ClientChanged,
    MailboxConnected,
    MailboxDisconnected,
    MailboxRevoked,
    MailboxSyncRequested,
    MailboxSyncFailed,
    MailboxSyncRecovered,
    LeadReceived,
    EmailReceived,
    LeadReplied,
    EmailSentByPerson,
    EmailBounced,
    LeadFlagged,
    DraftCreated,
    DraftApproved,
    DraftRejected,
    DraftDecided,
    EmailSent,
    EmailSendFailed,
)


def _build_registry(
    payloads: tuple[type[EventPayload], ...],
) -> dict[tuple[str, int], type[EventPayload]]:
    registry: dict[tuple[str, int], type[EventPayload]] = {}
    for cls in payloads:
        key = (cls.event_type, cls.event_version)
        if key in registry:
            raise RuntimeError(f"two payload classes registered for {key}")
        registry[key] = cls
    return registry


_REGISTRY = _build_registry(_PAYLOADS)

# Latest version of each event type, keyed by type ("lead.received" -> LeadReceived).
EVENT_TYPES: dict[str, type[EventPayload]] = {
    cls.event_type: cls
    for cls in sorted(_REGISTRY.values(), key=lambda c: (c.event_type, c.event_version))
}


def registered_payloads() -> list[type[EventPayload]]:
    """Every registered payload class, all versions, in (type, version) order."""
    return [_REGISTRY[key] for key in sorted(_REGISTRY)]


def payload_class(event_type: str, version: int) -> type[EventPayload]:
    try:
        return _REGISTRY[(event_type, version)]
    except KeyError:
        known = sorted(v for (t, v) in _REGISTRY if t == event_type)
        hint = f"known versions: {known}" if known else "no such event type"
        raise UnknownEventError(f"unknown event {event_type!r} v{version} ({hint})") from None


@dataclass(frozen=True)
class TypedEvent(Generic[P]):
    """An envelope together with its validated, typed payload."""

    envelope: Envelope
    payload: P

    @property
    def event_id(self) -> UUID:
        return self.envelope.event_id

    @property
    def event_type(self) -> str:
        return self.envelope.type

    @property
    def correlation_id(self) -> UUID:
        return self.envelope.correlation_id

    @property
    def client_id(self) -> UUID | None:
        return self.envelope.client_id

    def expect(self, cls: type[Q]) -> TypedEvent[Q]:
        """This event narrowed to `cls`, or UnknownEventError if it is another type."""
        if not isinstance(self.payload, cls):
            raise UnknownEventError(
                f"expected {cls.event_type!r} v{cls.event_version}, got "
                f"{self.envelope.type!r} v{self.envelope.version}"
            )
        return TypedEvent(envelope=self.envelope, payload=self.payload)


def new_event(
    payload: EventPayload,
    *,
    client_id: UUID | None,
    correlation_id: UUID | None = None,
    causation: Envelope | None = None,
) -> Envelope:
    """Wrap a payload in a fresh envelope. The correlation id is taken, in order, from
    `correlation_id`, the causing event, or a new one (the start of a new flow)."""
    cls = type(payload)
    if _REGISTRY.get((cls.event_type, cls.event_version)) is not cls:
        raise UnknownEventError(f"{cls.__name__} is not a registered event payload")
    payload_client = getattr(payload, "client_id", None)
    if payload_client is not None and payload_client != client_id:
        raise ValueError("envelope client_id differs from the payload's client_id")
    if correlation_id is None:
        correlation_id = causation.correlation_id if causation is not None else uuid4()
    return Envelope(
        type=cls.event_type,
        version=cls.event_version,
        client_id=client_id,
        correlation_id=correlation_id,
        causation_id=causation.event_id if causation is not None else None,
        payload=payload.model_dump(mode="json"),
    )


def _load(raw: bytes | str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidEventError(f"event body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidEventError("event body must be a JSON object")
    return data


def _describe(exc: ValidationError) -> str:
    # Field locations and reasons only: input values may be personal data.
    parts = [
        f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}" for err in exc.errors()
    ]
    return "; ".join(parts)


def parse_event(raw: bytes | str | dict[str, Any]) -> TypedEvent[EventPayload]:
    """Validate a consumed message. Unknown fields (envelope or payload, at any depth)
    are dropped; an unknown (type, version) raises UnknownEventError; anything else
    invalid raises InvalidEventError."""
    context = {TOLERATE_UNKNOWN: True}
    try:
        envelope = Envelope.model_validate(_load(raw), context=context)
    except ValidationError as exc:
        raise InvalidEventError(f"invalid envelope: {_describe(exc)}") from None
    cls = payload_class(envelope.type, envelope.version)
    try:
        payload = cls.model_validate(envelope.payload, context=context)
    except ValidationError as exc:
        raise InvalidEventError(
            f"invalid {envelope.type} v{envelope.version} payload: {_describe(exc)}"
        ) from None
    return TypedEvent(envelope=envelope, payload=payload)


def _literal(value: str | int) -> Any:
    # Literal built at runtime from a class attribute; static checkers cannot follow it.
    return cast(Any, Literal)[value]


@cache
def envelope_model_for(cls: type[EventPayload]) -> type[BaseModel]:
    """An Envelope model whose `type`/`version` are fixed and `payload` typed as `cls`
    (for JSON Schema and AsyncAPI documents)."""
    return create_model(
        f"{cls.__name__}Event" + (f"V{cls.event_version}" if cls.event_version > 1 else ""),
        __base__=Envelope,
        type=(_literal(cls.event_type), cls.event_type),
        version=(_literal(cls.event_version), cls.event_version),
        payload=(cls, ...),
    )


def event_json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of each full event, keyed "lead.received@v1"."""
    return {
        f"{cls.event_type}@v{cls.event_version}": envelope_model_for(cls).model_json_schema()
        for cls in registered_payloads()
    }
