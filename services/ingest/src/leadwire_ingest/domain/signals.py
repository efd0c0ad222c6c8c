"""Header signals a guard needs: SPF/DKIM/DMARC verdicts, list markers, precedence.

`Authentication-Results` (RFC 8601) is read from the topmost header only: that one is
added by the receiving provider; lower ones came with the message and can be forged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, cast

AuthResult = Literal[
    "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy"
]
_AUTH_RESULTS: frozenset[str] = frozenset(
    ["pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy"]
)
# Older and vendor spellings of the RFC 8601 values.
_ALIASES = {"hardfail": "fail", "bestguesspass": "pass", "error": "temperror"}
_COMMENT = re.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class Signals:
    spf: AuthResult | None = None
    dkim: AuthResult | None = None
    dmarc: AuthResult | None = None
    list_id: bool = False
    list_unsubscribe: bool = False
    precedence: str | None = None
    link_count: int = 0


def _verdict(value: str) -> AuthResult | None:
    value = _ALIASES.get(value.lower(), value.lower())
    return cast(AuthResult, value) if value in _AUTH_RESULTS else None


def parse_authentication_results(header: str) -> dict[str, AuthResult]:
    """{"spf": "pass", "dkim": "fail", ...} from one Authentication-Results value.

    The first result per method wins (a message signed twice keeps its first verdict).
    """
    found: dict[str, AuthResult] = {}
    text = _COMMENT.sub(" ", header)
    # The first ";"-separated item is the authserv-id; each later one starts "method=result".
    for item in text.split(";")[1:]:
        words = item.strip().split()
        if not words or "=" not in words[0]:
            continue
        method, _, result = words[0].partition("=")
        verdict = _verdict(result.strip())
        method = method.strip().lower()
        if verdict is not None and method not in found:
            found[method] = verdict
    return found


def _received_spf(values: Sequence[str]) -> AuthResult | None:
    # "Received-SPF: pass (google.com: domain of ...)" — the first word is the verdict.
    if not values or not values[0].split():
        return None
    return _verdict(values[0].split()[0])


def read_signals(headers: Mapping[str, Sequence[str]], link_count: int) -> Signals:
    """Signals from headers given lower-cased name → values (topmost first)."""
    auth = headers.get("authentication-results", [])
    verdicts = parse_authentication_results(auth[0]) if auth else {}
    precedence = (headers.get("precedence") or [""])[0].strip().lower() or None
    return Signals(
        spf=verdicts.get("spf") or _received_spf(headers.get("received-spf", [])),
        dkim=verdicts.get("dkim"),
        dmarc=verdicts.get("dmarc"),
        list_id=bool(headers.get("list-id")),
        list_unsubscribe=bool(headers.get("list-unsubscribe")),
        precedence=precedence,
        link_count=link_count,
    )
