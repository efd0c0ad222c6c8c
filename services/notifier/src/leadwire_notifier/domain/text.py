"""Text for Slack: mrkdwn escaping and bounded, secret-free excerpts.

A notice quotes at most a few hundred characters of anything a lead or a person wrote,
so Slack never holds a full email body; whatever looks like a credential is masked.
"""

from __future__ import annotations

import re

from leadwire.redaction import redact_text

EXCERPT_CHARS = 280
DRAFT_CHARS = 1500
# Slack refuses a section whose text is longer than 3000 characters.
SECTION_CHARS = 3000
ELLIPSIS = "…"

_WHITESPACE = re.compile(r"\s+")
_QUOTED_LINE = re.compile(r"^\s*>.*$", re.MULTILINE)


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a word boundary when one is near."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """One line of at most `limit` characters: quoted history dropped, secrets masked."""
    unquoted = _QUOTED_LINE.sub(" ", text)
    flat = _WHITESPACE.sub(" ", unquoted).strip()
    return truncate(redact_text(flat), limit)


def paragraph(text: str, limit: int = DRAFT_CHARS) -> str:
    """Multi-line text (a draft) kept readable: blank runs collapsed, bounded, masked."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    kept = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return truncate(redact_text(kept), limit)


def quote(text: str) -> str:
    """mrkdwn block quote of already bounded text (escaped)."""
    return "\n".join(f">{escape(line)}" if line else ">" for line in text.splitlines())


def person(name: str, address: str) -> str:
    """`Ann Lee <ann@acme.test>` as Slack shows it (escaped), or just the address."""
    name, address = name.strip(), address.strip()
    if name and address:
        return f"{escape(name)} &lt;{escape(address)}&gt;"
    return escape(name or address or "unknown sender")


def link(url: str, label: str) -> str:
    """A mrkdwn link; `|` and `>` would end the label early, so they are replaced."""
    safe = escape(label).replace("|", "¦")
    return f"<{url}|{safe}>"
