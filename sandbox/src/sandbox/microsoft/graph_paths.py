"""Graph URL forms the routes do not spell out, folded onto the `/v1.0/me/...` routes.

Graph treats path segments case-insensitively (a change notification names
`Users/{id}/Messages/{id}`), addresses a mailbox as `/users/{id or upn}/...` as
well as `/me/...`, and accepts OData keys (`mailFolders('Inbox')`,
`messages('id')`). A pure ASGI middleware rewrites those paths before routing
(and before fault rules match, so one rule covers every spelling); the user a
path named is left in the scope for `graph_common.authenticate` to check.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

GRAPH_USER_KEY = "sandbox.graph_user"
_PREFIX = "/v1.0/"
_ODATA_KEY = re.compile(r"^([A-Za-z]+)\('([^']*)'\)$")
# Route segments in the case the routers spell them; ids and folder names are left alone.
_CANONICAL = {
    word.lower(): word
    for word in (
        "me",
        "users",
        "messages",
        "mailFolders",
        "delta",
        "sendMail",
        "createReply",
        "reply",
        "send",
        "subscriptions",
        "reauthorize",
        "$value",
    )
}

Scope = dict[str, Any]
App = Callable[[Scope, Any, Any], Awaitable[None]]


def _segments(path: str) -> list[str]:
    out: list[str] = []
    for segment in path[len(_PREFIX) :].split("/"):
        key = _ODATA_KEY.match(segment)
        out.extend([key[1], key[2]] if key else [segment])
    return out


def normalise(path: str) -> tuple[str, str | None]:
    """(the path as the routes spell it, the user it named or None)."""
    segments = _segments(path)
    user = None
    if len(segments) >= 2 and segments[0].lower() == "users" and segments[1]:
        user, segments = segments[1], ["me", *segments[2:]]
    canonical = [_CANONICAL.get(s.lower(), s) for s in segments]
    return _PREFIX + "/".join(canonical), user


class GraphPathMiddleware:
    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith(_PREFIX):
            new_path, user = normalise(path)
            if new_path != path or user is not None:
                scope = {
                    **scope,
                    "path": new_path,
                    "raw_path": quote(new_path, safe="/$'(),").encode(),
                }
                scope[GRAPH_USER_KEY] = user
        await self.app(scope, receive, send)


def unknown_segment(path: str) -> str:
    """The segment Graph's 'Resource not found for the segment' error names."""
    segments = [s for s in path[len(_PREFIX) :].split("/") if s]
    return segments[-1] if segments else ""
