"""Graph v1.0 reading routes: /me, messages, mail folders, delta."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sandbox.microsoft.convert import to_graph, to_mime
from sandbox.microsoft.graph_common import (
    PROFILE,
    READ,
    WRITE,
    Caller,
    GraphError,
    authenticate,
    bad_request,
    json_body,
    not_found,
    odata_context,
    page_size_preference,
    prefers_text,
)
from sandbox.microsoft.graph_query import (
    DEFAULT_PAGE,
    MAX_PAGE,
    decode_token,
    encode_token,
    int_param,
    link_with,
    parse_filter,
    parse_select,
    sort_messages,
)
from sandbox.microsoft.store import GraphMessage, Mailbox, MicrosoftStore

Notify = Callable[[Mailbox, GraphMessage, str], None]
_PATCHABLE_ALWAYS = {"isRead", "categories", "flag", "importance", "inferenceClassification"}
_PATCHABLE_DRAFT = {"subject", "body", "toRecipients", "ccRecipients", "bccRecipients", "replyTo"}


def graph_message_router(
    store: MicrosoftStore, notify: Notify, delta_lifetime: Callable[[], float | None] = lambda: None
) -> APIRouter:
    router = APIRouter(prefix="/v1.0", tags=["microsoft-graph"])

    def caller(request: Request, scopes: tuple[str, ...]) -> Caller:
        who = authenticate(store, request)
        who.require(scopes)
        return who

    def find(mailbox: Mailbox, message_id: str) -> GraphMessage:
        message = mailbox.messages.get(message_id)
        if message is None:
            raise not_found()
        return message

    @router.get("/me")
    async def me(request: Request) -> Response:
        try:
            mailbox = caller(request, PROFILE).mailbox
        except GraphError as err:
            return err.response()
        given, _, surname = mailbox.display_name.partition(" ")
        return JSONResponse(
            {
                "@odata.context": odata_context(request, "users/$entity"),
                "businessPhones": [],
                "displayName": mailbox.display_name,
                "givenName": given,
                "jobTitle": None,
                "mail": mailbox.address,
                "mobilePhone": None,
                "officeLocation": None,
                "preferredLanguage": "en-US",
                "surname": surname or None,
                "userPrincipalName": mailbox.address,
                "id": mailbox.user_id,
            }
        )

    async def list_in(request: Request, folder: str | None) -> Response:
        try:
            mailbox = caller(request, READ).mailbox
            name = _folder(mailbox, folder)
            return JSONResponse(_list_page(request, mailbox, name))
        except GraphError as err:
            return err.response()

    @router.get("/me/messages")
    async def list_messages(request: Request) -> Response:
        return await list_in(request, None)

    @router.get("/me/mailFolders/{folder}/messages")
    async def list_folder(folder: str, request: Request) -> Response:
        return await list_in(request, folder)

    @router.get("/me/mailFolders/{folder}/messages/delta")
    async def delta(folder: str, request: Request) -> Response:
        try:
            mailbox = caller(request, READ).mailbox
            name = _folder(mailbox, folder) or ""
            return JSONResponse(_delta_page(request, mailbox, name, delta_lifetime()))
        except GraphError as err:
            return err.response()

    @router.get("/me/messages/{message_id}")
    @router.get("/me/mailFolders/{folder}/messages/{message_id}")
    async def get_message(message_id: str, request: Request, folder: str | None = None) -> Response:
        try:
            mailbox = caller(request, READ).mailbox
            message = find(mailbox, message_id)
        except GraphError as err:
            return err.response()
        select = parse_select(request.query_params.get("$select"))
        body = to_graph(mailbox, message, prefers_text(request), select)
        return JSONResponse(
            {"@odata.context": odata_context(request, "users('me')/messages/$entity"), **body}
        )

    @router.get("/me/messages/{message_id}/$value")
    @router.get("/me/mailFolders/{folder}/messages/{message_id}/$value")
    async def get_mime(message_id: str, request: Request, folder: str | None = None) -> Response:
        try:
            mailbox = caller(request, READ).mailbox
            message = find(mailbox, message_id)
        except GraphError as err:
            return err.response()
        return Response(to_mime(mailbox, message), media_type="text/plain")

    @router.patch("/me/messages/{message_id}")
    async def patch_message(message_id: str, request: Request) -> Response:
        try:
            mailbox = caller(request, WRITE).mailbox
            message = find(mailbox, message_id)
            apply_patch(message, await json_body(request))
        except GraphError as err:
            return err.response()
        store.touch(mailbox, message)
        notify(mailbox, message, "updated")
        return JSONResponse(to_graph(mailbox, message, prefers_text(request)))

    @router.delete("/me/messages/{message_id}")
    async def delete_message(message_id: str, request: Request) -> Response:
        try:
            mailbox = caller(request, WRITE).mailbox
            message = find(mailbox, message_id)
        except GraphError as err:
            return err.response()
        store.delete(mailbox, message)
        notify(mailbox, message, "deleted")
        return Response(status_code=204)

    return router


def _folder(mailbox: Mailbox, folder: str | None) -> str | None:
    if folder is None:
        return None
    name = mailbox.folder_of_id(folder)
    if name is None:
        raise not_found("The specified folder could not be found in the store.")
    return name


def apply_patch(message: GraphMessage, patch: dict[str, Any]) -> None:
    allowed = _PATCHABLE_ALWAYS | (_PATCHABLE_DRAFT if message.is_draft else set())
    refused = set(patch) - allowed
    if refused:
        raise bad_request(
            f"Property {sorted(refused)[0]} cannot be updated on this message.",
            "ErrorInvalidPropertyUpdateSentMessage",
        )
    if "isRead" in patch:
        message.is_read = bool(patch["isRead"])
    if "subject" in patch:
        message.subject = str(patch["subject"])
    if "body" in patch:
        body = patch["body"] or {}
        message.body_type = str(body.get("contentType", "text")).lower()
        message.body = str(body.get("content", ""))
    for key, attr in (
        ("toRecipients", "to"),
        ("ccRecipients", "cc"),
        ("bccRecipients", "bcc"),
        ("replyTo", "reply_to"),
    ):
        if key in patch:
            setattr(message, attr, list(patch[key] or []))


def _list_page(request: Request, mailbox: Mailbox, folder: str | None) -> dict[str, Any]:
    query = request.query_params
    keep = parse_filter(query.get("$filter"))
    found = [m for m in mailbox.messages.values() if (folder is None or m.folder == folder)]
    ordered = sort_messages([m for m in found if keep(m)], query.get("$orderby"))
    top = int_param(request, "$top", page_size_preference(request) or DEFAULT_PAGE, MAX_PAGE)
    skip = int_param(request, "$skip", 0)
    select = parse_select(query.get("$select"))
    page = ordered[skip : skip + top]
    body: dict[str, Any] = {
        "@odata.context": odata_context(request, "users('me')/messages"),
        "value": [to_graph(mailbox, m, prefers_text(request), select) for m in page],
    }
    if skip + top < len(ordered):
        body["@odata.nextLink"] = link_with(request, **{"$skip": str(skip + top), "$top": str(top)})
    return body


def _delta_page(
    request: Request, mailbox: Mailbox, folder: str, lifetime: float | None = None
) -> dict[str, Any]:
    """Changes to the folder since a $deltatoken, paged by $skiptoken."""
    query = request.query_params
    since, upto, offset = _sync_window(mailbox, query, lifetime)
    items = _delta_items(request, mailbox, folder, since, upto)
    size = page_size_preference(request) or int_param(request, "$top", DEFAULT_PAGE, MAX_PAGE)
    body: dict[str, Any] = {
        "@odata.context": odata_context(request, "Collection(message)"),
        "value": [item for _, item in items[offset : offset + size]],
    }
    base = {k: v for k, v in query.items() if k not in ("$skiptoken", "$deltatoken")}
    stamp = {"e": mailbox.delta_epoch, "t": int(time.time() * 1000)}  # ms
    if offset + size < len(items):
        token = encode_token({"s": since, "u": upto, "o": offset + size, **stamp})
        body["@odata.nextLink"] = _delta_link(request, base, "$skiptoken", token)
    else:
        body["@odata.deltaLink"] = _delta_link(
            request, base, "$deltatoken", encode_token({"s": upto, **stamp})
        )
    return body


def _sync_window(mailbox: Mailbox, query: Any, lifetime: float | None) -> tuple[int, int, int]:
    """(changes after, changes up to, page offset) from the request's token, if any."""
    if query.get("$skiptoken"):
        state = _live_state(mailbox, query["$skiptoken"], "$skiptoken", lifetime)
        return state["s"], state["u"], state["o"]
    if query.get("$deltatoken"):
        state = _live_state(mailbox, query["$deltatoken"], "$deltatoken", lifetime)
        return state["s"], mailbox.seq, 0
    return 0, mailbox.seq, 0


def _delta_items(
    request: Request, mailbox: Mailbox, folder: str, since: int, upto: int
) -> list[tuple[int, dict[str, Any]]]:
    """(change seq, item) in change order: messages changed, then (after an initial
    sync, which lists what exists) those that left the folder as @removed."""
    query = request.query_params
    keep, select = parse_filter(query.get("$filter")), parse_select(query.get("$select"))
    items = [
        (m.change_seq, to_graph(mailbox, m, prefers_text(request), select))
        for m in mailbox.messages.values()
        if m.folder == folder and since < m.change_seq <= upto and keep(m)
    ]
    if since:
        removed = {"@odata.type": "#microsoft.graph.message", "@removed": {"reason": "deleted"}}
        items += [
            (seq, {**removed, "id": mid})
            for seq, mid, left in mailbox.removed
            if left == folder and since < seq <= upto
        ]
    items.sort(key=lambda pair: pair[0])
    return items


def _live_state(mailbox: Mailbox, token: str, name: str, lifetime: float | None) -> dict[str, int]:
    """A sync state, or Graph's answer for an expired one (410 Gone, SyncStateNotFound)."""
    state = decode_token(token, name)
    too_old = lifetime is not None and time.time() - state.get("t", 0) / 1000 > lifetime
    if state.get("e", 0) != mailbox.delta_epoch or too_old:
        raise GraphError(
            410,
            "SyncStateNotFound",
            "The sync state generation is not found. The delta token is expired "
            "and data must be synchronized again.",
        )
    return state


def _delta_link(request: Request, base: dict[str, str], name: str, token: str) -> str:
    query = urlencode({**base, name: token}, safe="$'")
    return f"{str(request.base_url).rstrip('/')}{request.url.path}?{query}"
