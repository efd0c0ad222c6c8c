"""application/x-www-form-urlencoded bodies without python-multipart (not installed)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request


async def read_form(request: Request) -> dict[str, str]:
    """The request's form fields (first value wins); {} for other content types."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and ctype != "application/x-www-form-urlencoded":
        return {}
    body = (await request.body()).decode("utf-8", "replace")
    form: dict[str, str] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        form.setdefault(key, value)
    return form
