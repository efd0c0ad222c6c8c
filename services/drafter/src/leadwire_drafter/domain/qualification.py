"""Rule-based lead qualification (0-100 with short reasons): the fallback when the LLM
gives no usable score, and a second opinion the tests can pin down exactly."""

from __future__ import annotations

import re
from dataclasses import dataclass

from leadwire.events import ClientChanged, LeadReceived
from leadwire_drafter.domain import phrases
from leadwire_drafter.domain.leads import lead_message, lead_subject
from leadwire_drafter.domain.text import email_domain, normalise, words

_BASE = 35
_STOPWORDS = frozenset(
    [
        "that",
        "this",
        "with",
        "from",
        "your",
        "have",
        "will",
        "would",
        "about",
        "their",
        "there",
        "which",
        "what",
        "when",
        "where",
        "also",
        "into",
        "more",
        "than",
        "them",
        "they",
        "were",
        "been",
        "some",
        "such",
        "only",
        "other",
        "very",
        "just",
        "over",
    ]
)
_MONEY = re.compile(r"(?:[$€£]\s?\d|\d[\d.,]*\s?(?:k|usd|eur|gbp|euro|euros|dollars)\b)", re.I)


@dataclass(frozen=True)
class Qualification:
    score: int
    reasons: tuple[str, ...]
    source: str  # "llm" or "rules"


def qualify(lead: LeadReceived, client: ClientChanged) -> Qualification:
    text = f"{lead_subject(lead)}\n{lead_message(lead)}"
    flat = normalise(text)
    score, reasons = _BASE, []
    for points, reason in (
        _fit(flat, client.offer),
        _has(flat, phrases.INTENT_PHRASES, 15, "asks for something concrete"),
        _has(flat, phrases.URGENCY_PHRASES, 10, "mentions urgency"),
        _budget(flat),
        _sender(lead.from_address),
        _off_target(flat),
        _length(flat),
    ):
        score += points
        if reason:
            reasons.append(reason)
    return Qualification(max(0, min(100, score)), tuple(reasons), "rules")


def _keywords(text: str) -> set[str]:
    return {w.lower() for w in words(text) if len(w) >= 4 and w.lower() not in _STOPWORDS}


def _fit(flat: str, offer: str) -> tuple[int, str]:
    offered = _keywords(offer)
    if not offered:
        return 0, ""
    # Prefix match: "websites" fits an offer of "website", "Webseite" one of "Webseiten".
    lead_words = _keywords(flat)
    hits = {o for o in offered if any(w[:6] == o[:6] for w in lead_words)}
    if not hits:
        return -15, "nothing in the message matches the offer"
    points = min(25, 10 + 5 * len(hits))
    return points, f"fits the offer ({', '.join(sorted(hits)[:3])})"


def _has(flat: str, needles: tuple[str, ...], points: int, reason: str) -> tuple[int, str]:
    return (points, reason) if any(n in flat for n in needles) else (0, "")


def _budget(flat: str) -> tuple[int, str]:
    if _MONEY.search(flat) or any(p in flat for p in phrases.BUDGET_PHRASES):
        return 10, "mentions budget or timeline"
    return 0, ""


def _sender(address: str) -> tuple[int, str]:
    domain = email_domain(address)
    if domain in phrases.FREEMAIL_DOMAINS:
        return -5, f"free-mail address ({domain})"
    return 10, f"company domain ({domain})"


def _off_target(flat: str) -> tuple[int, str]:
    hits = [p for p in phrases.OFF_TARGET_PHRASES if p in flat]
    if hits:
        return -40, f"not a buyer ({hits[0]})"
    return 0, ""


def _length(flat: str) -> tuple[int, str]:
    count = len(words(flat))
    if count < 8:
        return -15, "very short message"
    return 0, ""
