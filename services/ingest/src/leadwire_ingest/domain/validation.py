"""Checks on what strangers post: email addresses, URLs a form may redirect to."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_EMAIL = 254


def is_valid_email(value: str) -> bool:
    """A deliverable-looking address: one @, a dotted domain, no spaces or brackets."""
    value = value.strip()
    if not value or len(value) > MAX_EMAIL or any(c in value for c in ' \t\r\n<>()[],;:"\\'):
        return False
    local, at, domain = value.rpartition("@")
    if not at or not local or "@" in local or len(local) > 64:
        return False
    labels = domain.split(".")
    return len(labels) >= 2 and all(labels) and not domain.startswith("-") and len(labels[-1]) >= 2


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, or None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_redirect(url: str, allowed_origins: tuple[str, ...]) -> bool:
    """A thank-you URL is followed only on one of the client's own origins (no open redirect)."""
    origin = origin_of(url)
    return origin is not None and origin in {o.rstrip("/").lower() for o in allowed_origins}
