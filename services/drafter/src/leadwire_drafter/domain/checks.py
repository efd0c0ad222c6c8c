"""Output checks run on every draft before it may be auto-sent.

A failed check never blocks the draft itself (a person can still approve it); it only
stops auto-sending, and its reason is kept on the draft. When unsure, fail: a person
looking at a good draft costs less than a wrong promise sent in the client's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from leadwire.events import ClientChanged
from leadwire_drafter.domain.language import base_language, detect_language
from leadwire_drafter.domain.prompt import INSTRUCTIONS
from leadwire_drafter.domain.text import find_urls, host_matches, normalise, url_host

MIN_CHARS = 40
MAX_CHARS = 4000
_LEAK_NGRAM = 7
_PRICE = re.compile(
    r"(?:[$€£]\s?\d)|(?:\d[\d.,]*\s?(?:€|\$|£|usd|eur|gbp|euro|euros|dollars?|chf)\b)"
    r"|(?:\bper (?:hour|day|month|year)\b)|(?:\b\d+\s?%)",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight"
    r"|january|february|march|april|june|july|august|september|october|november|december"
    r"|montag|dienstag|mittwoch|donnerstag|freitag|morgen|lundi|mardi|mercredi|jeudi|vendredi"
    r"|demain|lunes|martes|miércoles|jueves|viernes|mañana)\b"
    r"|\b\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}(?::\d{2})?\s?(?:am|pm)\b",
    re.IGNORECASE,
)
_PROMISES = (
    "guarantee", "guaranteed", "we promise", "free of charge", "for free", "discount",
    "refund", "money back", "no risk", "risk-free", "garantie", "garantieren", "kostenlos",
    "rabatt", "gratuit", "remise", "garantizamos", "gratis", "descuento",
)  # fmt: skip


@dataclass(frozen=True)
class CheckResult:
    failures: tuple[str, ...]
    language: str | None  # detected language of the draft

    @property
    def passed(self) -> bool:
        return not self.failures


def check_draft(body: str, client: ClientChanged, expected_language: str) -> CheckResult:
    failures: list[str] = []
    text = body.strip()
    if not text:
        return CheckResult(("draft is empty",), None)
    if not MIN_CHARS <= len(text) <= MAX_CHARS:
        failures.append(f"draft length {len(text)} is outside {MIN_CHARS}..{MAX_CHARS}")
    language = detect_language(text)
    if language is not None and language != base_language(expected_language):
        failures.append(f"draft is in '{language}', the lead's language is '{expected_language}'")
    failures.extend(_foreign_links(text, client))
    failures.extend(_prompt_leak(text))
    failures.extend(_unbacked_claims(text, client))
    return CheckResult(tuple(failures), language)


def allowed_hosts(client: ClientChanged) -> list[str]:
    hosts = [d.lower() for d in client.own_domains]
    if client.booking_link:
        hosts.append(url_host(client.booking_link))
    # The client's own site in its signature is theirs to link.
    hosts.extend(url_host(u) for u in find_urls(client.signature))
    return [h for h in hosts if h]


def _foreign_links(text: str, client: ClientChanged) -> list[str]:
    allowed = allowed_hosts(client)
    foreign = sorted(
        {h for h in map(url_host, find_urls(text)) if not any(host_matches(h, a) for a in allowed)}
    )
    return [f"links to a foreign site: {', '.join(foreign[:3])}"] if foreign else []


def _ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text.lower())
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


_INSTRUCTION_NGRAMS = _ngrams(INSTRUCTIONS, _LEAK_NGRAM)


def _prompt_leak(text: str) -> list[str]:
    lowered = text.lower()
    if "<lead_message>" in lowered or "</lead_message>" in lowered:
        return ["draft repeats the system prompt's delimiters"]
    if _ngrams(text, _LEAK_NGRAM) & _INSTRUCTION_NGRAMS:
        return ["draft repeats the system prompt"]
    return []


def _unbacked_claims(text: str, client: ClientChanged) -> list[str]:
    profile = normalise(f"{client.offer}\n{client.signature}\n{client.booking_link}")
    failures: list[str] = []
    prices = {m.group(0).strip() for m in _PRICE.finditer(text)}
    if any(normalise(p) not in profile for p in prices):
        failures.append(f"mentions prices not in the profile: {', '.join(sorted(prices)[:3])}")
    dates = {m.group(0).strip() for m in _DATE.finditer(text)}
    if any(normalise(d) not in profile for d in dates):
        failures.append(f"mentions dates not in the profile: {', '.join(sorted(dates)[:3])}")
    flat = normalise(text)
    promises = [p for p in _PROMISES if p in flat and p not in profile]
    if promises:
        failures.append(f"makes promises not in the profile: {', '.join(promises[:3])}")
    return failures
