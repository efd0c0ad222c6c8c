"""The guard: may a draft for this lead ever go out by itself?

Each heuristic adds a weighted signal; the verdict follows from the total and from the
signals that force a person to look (a thread a person already answered, an injection
attempt). `spam` means no draft at all; `suspicious` means a draft that is never auto-sent.
Every signal is kept with the verdict so a person can see why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS

from leadwire.events import GuardVerdict, LeadReceived
from leadwire_drafter.domain import phrases
from leadwire_drafter.domain.leads import lead_message, lead_subject
from leadwire_drafter.domain.text import URL_RE, email_domain, find_urls, normalise, url_host, words

SPAM_AT = 70
SUSPICIOUS_AT = 20
_VOWELS = set("aeiouyäöüàâéèêëîïôûùáíóúãõåæø")


@dataclass(frozen=True)
class GuardSignal:
    code: str
    detail: str
    weight: int
    # True: at least `suspicious` whatever the total (a person must look).
    forces_review: bool = False

    def describe(self) -> str:
        return f"{self.code}: {self.detail}"


@dataclass(frozen=True)
class GuardResult:
    verdict: GuardVerdict
    signals: tuple[GuardSignal, ...]

    @property
    def score(self) -> int:
        return sum(s.weight for s in self.signals)

    def reasons(self) -> list[str]:
        return [s.describe() for s in self.signals]


def judge(lead: LeadReceived, *, answered_by_person: bool = False) -> GuardResult:
    text = f"{lead_subject(lead)}\n{lead_message(lead)}"
    signals = [
        *_authentication(lead),
        *_links(lead, text),
        *_content(text),
        *_attachments(lead),
        *_sender(lead),
    ]
    if answered_by_person:
        signals.append(GuardSignal("answered_by_person", "a person already answered", 0, True))
    return GuardResult(verdict=_verdict(signals), signals=tuple(signals))


def _verdict(signals: list[GuardSignal]) -> GuardVerdict:
    total = sum(s.weight for s in signals)
    if total >= SPAM_AT:
        return "spam"
    if total >= SUSPICIOUS_AT or any(s.forces_review for s in signals):
        return "suspicious"
    return "pass"


def _authentication(lead: LeadReceived) -> list[GuardSignal]:
    s = lead.signals
    found: list[GuardSignal] = []
    if s.dmarc == "fail":
        found.append(GuardSignal("dmarc_fail", "DMARC failed", 40, True))
    if s.spf in ("fail", "softfail"):
        found.append(GuardSignal("spf_fail", f"SPF {s.spf}", 20 if s.spf == "fail" else 10))
    if s.dkim == "fail":
        found.append(GuardSignal("dkim_fail", "DKIM signature failed", 20))
    if s.precedence and s.precedence.lower() in ("bulk", "junk", "list"):
        found.append(GuardSignal("bulk_mail", f"Precedence: {s.precedence}", 20))
    return found


def _links(lead: LeadReceived, text: str) -> list[GuardSignal]:
    urls = find_urls(text)
    hosts = {url_host(u) for u in urls} - {""}
    count = max(len(urls), lead.signals.link_count)
    found: list[GuardSignal] = []
    n_words = max(len(words(text)), 1)
    if count >= 5 or (count >= 2 and count * 20 > n_words):
        found.append(GuardSignal("link_density", f"{count} links in {n_words} words", 30))
    shorteners = sorted(h for h in hosts if h in phrases.SHORTENER_DOMAINS)
    if shorteners:
        found.append(GuardSignal("link_shortener", ", ".join(shorteners), 30))
    sender_host = email_domain(lead.from_address)
    bad_tlds = sorted(
        h for h in hosts | {sender_host} if h.rpartition(".")[2] in phrases.SUSPICIOUS_TLDS
    )
    if bad_tlds:
        found.append(GuardSignal("suspicious_tld", ", ".join(bad_tlds), 25))
    return found


def _content(text: str) -> list[GuardSignal]:
    flat = normalise(text)
    found: list[GuardSignal] = []
    scams = [p for p in phrases.SCAM_PHRASES if p in flat]
    if scams:
        found.append(GuardSignal("scam_phrasing", ", ".join(scams[:3]), min(35 * len(scams), 70)))
    injections = [p for p in phrases.INJECTION_PHRASES if p in flat]
    if injections:
        found.append(GuardSignal("prompt_injection", ", ".join(injections[:3]), 30, True))
    prose = URL_RE.sub(" ", text)  # URLs are lower-case by habit, not tone
    letters = [c for c in prose if c.isalpha()]
    if len(letters) >= 30 and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        found.append(GuardSignal("shouting", "mostly capital letters", 20))
    elif text.count("!") >= 6:
        found.append(GuardSignal("shouting", f"{text.count('!')} exclamation marks", 15))
    found.extend(_empty_or_gibberish(text))
    return found


def _empty_or_gibberish(text: str) -> list[GuardSignal]:
    tokens = [w.lower() for w in words(text)]
    if len(tokens) < 3:
        return [GuardSignal("empty", "no message to answer", 40, True)]
    latin = [w for w in tokens if len(w) >= 4 and w.isascii()]
    odd = [w for w in latin if not (set(w) & _VOWELS) or re.search(r"[^aeiouy]{5,}", w)]
    if len(latin) >= 3 and len(odd) > 0.4 * len(latin):
        return [GuardSignal("gibberish", f"{len(odd)} of {len(latin)} words unreadable", 45)]
    return []


def _attachments(lead: LeadReceived) -> list[GuardSignal]:
    bad = [
        a.filename or a.content_type
        for a in lead.attachments
        if a.filename.lower().rpartition(".")[2] in phrases.EXECUTABLE_EXTENSIONS
        or a.content_type.lower() in phrases.EXECUTABLE_TYPES
    ]
    if not bad:
        return []
    return [GuardSignal("executable_attachment", ", ".join(bad[:3]), 60, True)]


def _sender(lead: LeadReceived) -> list[GuardSignal]:
    domain = email_domain(lead.from_address)
    if lead.source == "form" and domain in DISPOSABLE_DOMAINS:
        return [GuardSignal("disposable_address", domain, 40, True)]
    return []
