"""Small text helpers the guard, the qualification and the output checks share."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# http(s) URLs, www. hosts and bare domains with a path ("bit.ly/x"): what a reader can follow.
URL_RE = re.compile(
    r"(?:https?://[^\s<>\"')\]]+)|(?:\bwww\.[^\s<>\"')\]]+)|(?:\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/[^\s<>\"')\]]*)",
    re.IGNORECASE,
)
WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)


def find_urls(text: str) -> list[str]:
    return [m.group(0).rstrip(".,;:!?") for m in URL_RE.finditer(text)]


def url_host(url: str) -> str:
    """The lower-case host of a URL found in text (scheme optional)."""
    candidate = url if "://" in url else f"http://{url}"
    try:
        return (urlsplit(candidate).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def host_matches(host: str, domain: str) -> bool:
    """`host` is `domain` or one of its subdomains."""
    domain = domain.lower().strip().lstrip(".")
    return bool(domain) and (host == domain or host.endswith("." + domain))


def email_domain(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(">").lower()


def words(text: str) -> list[str]:
    return WORD_RE.findall(text)


def normalise(text: str) -> str:
    """Lower-case with runs of whitespace collapsed: for phrase matching."""
    return " ".join(text.lower().split())
