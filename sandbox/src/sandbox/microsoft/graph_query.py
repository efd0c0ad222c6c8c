"""The OData subset the Graph fake understands: $filter, $orderby, $select, paging, delta tokens."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from sandbox.microsoft.graph_common import bad_request
from sandbox.microsoft.store import GraphMessage

DEFAULT_PAGE = 10
MAX_PAGE = 1000

_CLAUSE = re.compile(
    r"^\s*(?P<field>[A-Za-z/]+)\s+(?P<op>eq|ne|ge|gt|le|lt)\s+(?P<value>'(?:[^']|'')*'|\S+)\s*$",
    re.IGNORECASE,
)
_FIELDS: dict[str, Callable[[GraphMessage], Any]] = {
    "internetmessageid": lambda m: m.internet_message_id,
    "conversationid": lambda m: m.conversation_id,
    "subject": lambda m: m.subject,
    "isread": lambda m: m.is_read,
    "isdraft": lambda m: m.is_draft,
    "receiveddatetime": lambda m: m.received,
    "sentdatetime": lambda m: m.sent,
    "from/emailaddress/address": lambda m: (m.from_ or m.sender)["emailAddress"]["address"].lower(),
}
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "ge": lambda a, b: a is not None and a >= b,
    "gt": lambda a, b: a is not None and a > b,
    "le": lambda a, b: a is not None and a <= b,
    "lt": lambda a, b: a is not None and a < b,
}


def _literal(raw: str, field: str) -> Any:
    if raw.startswith("'"):
        text = raw[1:-1].replace("''", "'")
        return text.lower() if field.startswith("from/") else text
    low = raw.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise bad_request(f"Invalid filter clause: cannot read literal {raw!r}.") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_filter(expression: str | None) -> Callable[[GraphMessage], bool]:
    """`a eq 'x' and b ge 2024-01-01T00:00:00Z` → predicate (only 'and' is supported)."""
    if not expression or not expression.strip():
        return lambda _m: True
    tests = []
    for clause in re.split(r"\s+and\s+", expression.strip(), flags=re.IGNORECASE):
        match = _CLAUSE.match(clause)
        field = match["field"].lower() if match else ""
        if not match or field not in _FIELDS:
            raise bad_request(
                f"Invalid filter clause: {clause.strip()!r} is not supported by the sandbox."
            )
        getter, op = _FIELDS[field], _OPS[match["op"].lower()]
        tests.append((getter, op, _literal(match["value"], field)))
    return lambda m: all(op(getter(m), value) for getter, op, value in tests)


def sort_messages(messages: list[GraphMessage], orderby: str | None) -> list[GraphMessage]:
    spec = (orderby or "receivedDateTime desc").strip().split()
    field = spec[0].lower()
    descending = len(spec) > 1 and spec[1].lower() == "desc"
    keys: dict[str, Callable[[GraphMessage], Any]] = {
        "receiveddatetime": lambda m: (m.received, m.change_seq),
        "sentdatetime": lambda m: (m.sent or m.received, m.change_seq),
        "subject": lambda m: (m.subject.lower(), m.change_seq),
        "lastmodifieddatetime": lambda m: (m.modified, m.change_seq),
    }
    if field not in keys:
        raise bad_request(f"Invalid $orderby: {orderby!r} is not supported by the sandbox.")
    return sorted(messages, key=keys[field], reverse=descending)


def parse_select(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def int_param(request: Request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise bad_request(f"Invalid value '{raw}' for query parameter {name}.")
    value = int(raw)
    return min(value, maximum) if maximum else value


def link_with(request: Request, **params: str) -> str:
    """The request's own URL with some query parameters replaced (for nextLink/deltaLink)."""
    query = {k: v for k, v in request.query_params.items() if k not in params}
    query.update(params)
    encoded = urlencode(query, safe="$'")  # Graph's links keep $skip/$deltatoken readable
    return f"{str(request.base_url).rstrip('/')}{request.url.path}?{encoded}"


def encode_token(data: dict[str, int]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def decode_token(token: str, name: str) -> dict[str, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if isinstance(data, dict) and all(isinstance(v, int) for v in data.values()):
            return data
    except ValueError:
        pass
    raise bad_request(f"The {name} is invalid or has expired.", "SyncStateNotFound")
