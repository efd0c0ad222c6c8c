"""Gmail API v1 routes (paths and JSON as Google documents them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response

from sandbox.google.errors import GoogleApiError, GoogleRoute
from sandbox.google.gmail_mime import attachment_json, message_json, parse_attachment_id
from sandbox.google.gmail_query import QueryError, compile_query
from sandbox.google.gmail_send import read_send_request, send_message
from sandbox.google.gmail_store import SYSTEM_LABELS, GmailMailbox, HistoryGone, StoredMessage
from sandbox.google.oauth_state import FULL_SCOPES, MODIFY_SCOPES, READ_SCOPES, SEND_SCOPES

if TYPE_CHECKING:
    from sandbox.google.fake import GoogleFake

_FORMATS = {"full", "raw", "metadata", "minimal"}
_HISTORY_TYPES = {"messageAdded", "messageDeleted", "labelAdded", "labelRemoved"}
Json = dict[str, Any]


def _not_found() -> GoogleApiError:
    return GoogleApiError(404, "Requested entity was not found.", reason="notFound")


def _bad(message: str) -> GoogleApiError:
    return GoogleApiError(400, message, reason="invalidArgument")


def _page(items: list[Any], token: str | None, size: int) -> tuple[list[Any], str | None]:
    if not 1 <= size <= 500:
        raise _bad("Invalid maxResults: must be between 1 and 500")
    try:
        start = int(token) if token else 0
    except ValueError as exc:
        raise _bad("Invalid pageToken") from exc
    chunk = items[start : start + size]
    return chunk, (str(start + size) if start + size < len(items) else None)


def _message(box: GmailMailbox, msg_id: str) -> StoredMessage:
    stored = box.messages.get(msg_id)
    if stored is None:
        raise _not_found()
    return stored


def _check_format(fmt: str) -> str:
    if fmt not in _FORMATS:
        raise _bad(f"Invalid value at 'format' ({fmt})")
    return fmt


def gmail_router(fake: GoogleFake) -> APIRouter:
    router = APIRouter(route_class=GoogleRoute, tags=["gmail"])
    base = "/gmail/v1/users/{userId}"

    @router.get(f"{base}/profile")
    async def get_profile(request: Request, userId: str) -> Json:
        return fake.mailbox_for(request, userId, READ_SCOPES | SEND_SCOPES).profile()

    @router.get(f"{base}/labels")
    async def list_labels(request: Request, userId: str) -> Json:
        fake.mailbox_for(request, userId, READ_SCOPES)
        return {"labels": [{"id": lbl, "name": lbl, "type": "system"} for lbl in SYSTEM_LABELS]}

    @router.get(f"{base}/messages")
    async def list_messages(
        request: Request,
        userId: str,
        q: str = "",
        labelIds: Annotated[list[str] | None, Query()] = None,
        maxResults: int = 100,
        pageToken: str | None = None,
        includeSpamTrash: bool = False,
    ) -> Json:
        box = fake.mailbox_for(request, userId, READ_SCOPES)
        try:
            match, reaches_spam = compile_query(q)
        except QueryError as exc:
            raise _bad(str(exc)) from exc
        hide = set() if includeSpamTrash or reaches_spam else {"SPAM", "TRASH"}
        hits = [
            m
            for m in box.newest_first()
            if not hide.intersection(m.label_ids)
            and all(lbl in m.label_ids for lbl in labelIds or [])
            and match(m)
        ]
        chunk, next_token = _page(hits, pageToken, maxResults)
        out: Json = {"resultSizeEstimate": len(hits)}
        if chunk:
            out["messages"] = [m.ref() for m in chunk]
        if next_token:
            out["nextPageToken"] = next_token
        return out

    @router.get(f"{base}/messages/{{msgId}}")
    async def get_message(
        request: Request,
        userId: str,
        msgId: str,
        format: str = "full",
        metadataHeaders: Annotated[list[str] | None, Query()] = None,
    ) -> Json:
        box = fake.mailbox_for(request, userId, READ_SCOPES)
        return message_json(
            _message(box, msgId), _check_format(format), list(metadataHeaders or [])
        )

    @router.get(f"{base}/messages/{{msgId}}/attachments/{{attId}}")
    async def get_attachment(request: Request, userId: str, msgId: str, attId: str) -> Json:
        box = fake.mailbox_for(request, userId, READ_SCOPES)
        stored = _message(box, msgId)
        parsed = parse_attachment_id(attId)
        found = attachment_json(stored, parsed[1], attId) if parsed and parsed[0] == msgId else None
        if found is None:
            raise _not_found()
        return found

    async def _send(request: Request, userId: str) -> Json:
        box = fake.mailbox_for(request, userId, SEND_SCOPES)
        raw, thread_id = await read_send_request(request)
        if thread_id and thread_id not in box.threads:
            raise _not_found()
        stored = send_message(box, raw, thread_id)
        fake.after_send(box, stored)
        return {"id": stored.id, "threadId": stored.thread_id, "labelIds": stored.label_ids}

    router.add_api_route(f"{base}/messages/send", _send, methods=["POST"])
    router.add_api_route(f"/upload{base}/messages/send", _send, methods=["POST"])

    @router.post(f"{base}/messages/{{msgId}}/modify")
    async def modify(request: Request, userId: str, msgId: str, body: Json = Body(...)) -> Json:
        box = fake.mailbox_for(request, userId, MODIFY_SCOPES)
        _message(box, msgId)
        add, remove = body.get("addLabelIds") or [], body.get("removeLabelIds") or []
        for label in [*add, *remove]:
            if label not in SYSTEM_LABELS:
                raise _bad(f"Invalid label: {label}")
        fake.after_change(box, box.modify(msgId, add, remove))
        return message_json(box.messages[msgId], "minimal", [])

    @router.post(f"{base}/messages/{{msgId}}/trash")
    async def trash(request: Request, userId: str, msgId: str) -> Json:
        return _relabel(request, userId, msgId, ["TRASH"], [])

    @router.post(f"{base}/messages/{{msgId}}/untrash")
    async def untrash(request: Request, userId: str, msgId: str) -> Json:
        return _relabel(request, userId, msgId, [], ["TRASH"])

    def _relabel(request: Request, user: str, msg_id: str, add: list[str], rm: list[str]) -> Json:
        box = fake.mailbox_for(request, user, MODIFY_SCOPES)
        _message(box, msg_id)
        fake.after_change(box, box.modify(msg_id, add, rm))  # other labels are kept
        return message_json(box.messages[msg_id], "minimal", [])

    @router.delete(f"{base}/messages/{{msgId}}", status_code=204)
    async def delete(request: Request, userId: str, msgId: str) -> Response:
        box = fake.mailbox_for(request, userId, FULL_SCOPES)  # Gmail: only mail.google.com
        _message(box, msgId)
        fake.after_change(box, set(box.delete(msgId).label_ids))
        return Response(status_code=204)

    @router.get(f"{base}/threads/{{threadId}}")
    async def get_thread(
        request: Request,
        userId: str,
        threadId: str,
        format: str = "full",
        metadataHeaders: Annotated[list[str] | None, Query()] = None,
    ) -> Json:
        box = fake.mailbox_for(request, userId, READ_SCOPES)
        ids = box.threads.get(threadId)
        if ids is None:
            raise _not_found()
        msgs = [
            message_json(box.messages[i], _check_format(format), list(metadataHeaders or []))
            for i in ids
        ]
        latest = max(box.messages[i].history_id for i in ids)
        return {"id": threadId, "historyId": str(latest), "messages": msgs}

    @router.get(f"{base}/history")
    async def list_history(
        request: Request,
        userId: str,
        startHistoryId: str | None = None,
        historyTypes: Annotated[list[str] | None, Query()] = None,
        labelId: str | None = None,
        maxResults: int = 100,
        pageToken: str | None = None,
    ) -> Json:
        box = fake.mailbox_for(request, userId, READ_SCOPES)
        if not startHistoryId or not startHistoryId.isdigit():
            raise _bad("Invalid startHistoryId")
        unknown = set(historyTypes or []) - _HISTORY_TYPES
        if unknown:
            raise _bad(f"Invalid value at 'history_types' ({sorted(unknown)[0]})")
        try:
            records = box.history_since(
                int(startHistoryId),
                set(historyTypes or []),
                labelId,
                fake.config.history_max_age,
            )
        except HistoryGone as exc:
            raise _not_found() from exc
        chunk, next_token = _page(records, pageToken, maxResults)
        out: Json = {"historyId": str(box.history_id)}
        if chunk:
            out["history"] = [r.as_json() for r in chunk]
        if next_token:
            out["nextPageToken"] = next_token
        return out

    @router.post(f"{base}/watch")
    async def watch(request: Request, userId: str, body: Json = Body(...)) -> Json:
        box = fake.mailbox_for(request, userId, READ_SCOPES)
        topic = body.get("topicName") or ""
        if not topic.startswith("projects/") or "/topics/" not in topic:
            raise _bad("Invalid topicName does not match projects/SOME-PROJECT/topics/SOME-TOPIC")
        behavior = str(body.get("labelFilterBehavior") or body.get("labelFilterAction") or "")
        if behavior.lower() not in ("", "include", "exclude"):
            raise _bad(f"Invalid value at 'label_filter_behavior' ({behavior})")
        labels = list(body.get("labelIds") or [])
        return fake.start_watch(box, topic, labels, behavior.lower() or "include")

    @router.post(f"{base}/stop", status_code=204)
    async def stop(request: Request, userId: str) -> Response:
        fake.mailbox_for(request, userId, READ_SCOPES).watch = None
        return Response(status_code=204)

    return router
