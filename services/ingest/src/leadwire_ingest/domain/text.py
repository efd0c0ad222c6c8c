"""Turning message bodies into text: HTML to text, the reply without quotes or signature.

HTML goes through `inscriptis` (a layout-aware HTML renderer), the reply through
`mail_parser_reply` (quote headers and signatures in many languages).
"""

from __future__ import annotations

import re

from inscriptis import get_text
from mailparser_reply import EmailReplyParser

# Languages whose "On ... wrote:" headers and signature phrases the reply parser knows.
_REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl", "sv", "da", "cs"]
_reply_parser = EmailReplyParser(languages=_REPLY_LANGUAGES)
# Counting links is a count, not a parse: a URL-shaped token is enough.
_URL = re.compile(r"https?://[^\s\"'<>)\]]+", re.IGNORECASE)
_MAX_REPLY_INPUT = 200_000


def html_to_text(html: str) -> str:
    """Readable text of an HTML body; "" when the renderer gives up on it."""
    try:
        return str(get_text(html)).strip()
    except Exception:  # a renderer bug on hostile markup must not stop the sync
        return ""


def reply_text(full_text: str) -> str:
    """The newest part of a message: quoted history, reply headers and signature removed.

    Falls back to the full text when the parser finds nothing (e.g. a message that is
    only a quote), so a lead never arrives with an empty body when it had one.
    """
    text = full_text[:_MAX_REPLY_INPUT].replace("\r\n", "\n")
    try:
        replies = _reply_parser.read(text).replies
    except Exception:  # the library's regexes on odd input: keep the full text
        return text.strip()
    newest = replies[0].body.strip() if replies else ""
    return newest or text.strip()


def count_links(*texts: str) -> int:
    """Distinct http(s) URLs across the given texts (plain and HTML)."""
    return len({m.group(0).rstrip(".,;") for t in texts for m in _URL.finditer(t)})
