"""The small page a person sees at the end of a connect attempt (or JSON)."""

from __future__ import annotations

import html
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Leadwire · {title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}}
h1{{font-size:1.4rem}} .ok{{color:#17663a}} .fail{{color:#9b1c1c}}</style></head>
<body><h1 class="{css}">{title}</h1><p>{message}</p>
<p>You can close this window.</p></body></html>"""


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.query_params.get("format") == "json" or (
        "application/json" in accept and "text/html" not in accept
    )


def outcome(
    request: Request, status_code: int, title: str, message: str, data: dict[str, Any]
) -> Response:
    if wants_json(request):
        return JSONResponse(data, status_code=status_code)
    body = _PAGE.format(
        title=html.escape(title),
        message=html.escape(message),
        css="ok" if status_code < 400 else "fail",
    )
    return HTMLResponse(body, status_code=status_code)
