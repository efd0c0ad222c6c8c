"""A useful subset of Gmail's search language for messages.list `q`.

Supported: rfc822msgid:, newer_than:/older_than: (h, d, m, y), after:/before:
(YYYY/MM/DD or epoch seconds), from:, to:, subject:, in:inbox|sent|spam|trash|
anywhere, is:unread|read|starred, label:, has:attachment, bare words, and a
leading "-" to negate any term.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import getaddresses

from sandbox.google.gmail_store import StoredMessage
from sandbox.mail import text_body

Predicate = Callable[[StoredMessage], bool]
_UNIT_SECONDS = {"h": 3600, "d": 86400, "m": 30 * 86400, "y": 365 * 86400}


class QueryError(ValueError):
    pass


def _addresses(msg: StoredMessage, header: str) -> str:
    values = [str(v) for v in msg.message.get_all(header, [])]
    pairs = getaddresses(values)
    return " ".join(f"{name} {addr}" for name, addr in pairs).lower()


def _age_ms(value: str) -> int:
    if len(value) < 2 or not value[:-1].isdigit() or value[-1] not in _UNIT_SECONDS:
        raise QueryError(f"bad relative date {value!r}")
    return int(value[:-1]) * _UNIT_SECONDS[value[-1]] * 1000


def _date_ms(value: str) -> int:
    if value.isdigit():
        return int(value) * 1000
    try:
        parsed = datetime.strptime(value.replace("-", "/"), "%Y/%m/%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise QueryError(f"bad date {value!r}") from exc
    return int(parsed.timestamp() * 1000)


def _has_attachment(msg: StoredMessage) -> bool:
    return any(True for _ in msg.message.iter_attachments())


def _contains(msg: StoredMessage, word: str) -> bool:
    hay = " ".join(
        [
            str(msg.message.get("Subject", "")),
            _addresses(msg, "From"),
            _addresses(msg, "To"),
            text_body(msg.message) or msg.snippet,
        ]
    )
    return word.lower() in hay.lower()


def _in(where: str) -> Predicate:
    if where == "anywhere":
        return lambda m: True
    label = where.upper()
    return lambda m: label in m.label_ids


def _term(op: str, value: str) -> Predicate:
    now_ms = int(time.time() * 1000)
    match op:
        case "rfc822msgid":
            wanted = value.strip("<>")
            return lambda m: str(m.message.get("Message-ID", "")).strip().strip("<>") == wanted
        case "newer_than":
            limit = now_ms - _age_ms(value)
            return lambda m: m.internal_date >= limit
        case "older_than":
            limit = now_ms - _age_ms(value)
            return lambda m: m.internal_date < limit
        case "after":
            after = _date_ms(value)
            return lambda m: m.internal_date >= after
        case "before":
            before = _date_ms(value)
            return lambda m: m.internal_date < before
        case "from" | "to" | "cc":
            return lambda m: value.lower() in _addresses(m, op.capitalize())
        case "subject":
            return lambda m: value.lower() in str(m.message.get("Subject", "")).lower()
        case "in":
            return _in(value.lower())
        case "label":
            return lambda m: value.upper() in m.label_ids or value in m.label_ids
        case "is":
            flags = {
                "unread": lambda m: "UNREAD" in m.label_ids,
                "read": lambda m: "UNREAD" not in m.label_ids,
                "starred": lambda m: "STARRED" in m.label_ids,
            }
            if value.lower() not in flags:
                raise QueryError(f"unsupported is:{value}")
            return flags[value.lower()]
        case "has" if value.lower() == "attachment":
            return _has_attachment
    raise QueryError(f"unsupported search operator {op}:{value}")


def compile_query(q: str) -> tuple[Predicate, bool]:
    """A predicate for `q`, and whether the query itself reaches into spam/trash."""
    try:
        tokens = shlex.split(q)
    except ValueError as exc:
        raise QueryError(f"unbalanced quotes in {q!r}") from exc
    preds: list[Predicate] = []
    reaches_spam = False
    for token in tokens:
        negate = token.startswith("-") and len(token) > 1
        token = token[1:] if negate else token
        op, sep, value = token.partition(":")
        if sep and op.lower() == "rfc822msgid":
            pred = _term("rfc822msgid", value)
        elif sep and value:
            pred = _term(op.lower(), value)
            reaches_spam |= op.lower() == "in" and value.lower() in {"spam", "trash", "anywhere"}
        else:
            pred = (lambda word: lambda m: _contains(m, word))(token)
        preds.append((lambda p: lambda m: not p(m))(pred) if negate else pred)
    return (lambda m: all(p(m) for p in preds)), reaches_spam
