"""Provider webhooks: Gmail Pub/Sub push and Graph change/lifecycle notifications.

Each verifies, records the work (a `mailbox.sync_requested` in the outbox) and
answers at once; the sync itself runs in a consumer. Forged or stale calls change
nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import PlainTextResponse

from leadwire_ingest.api.deps import ContextDep, PushVerifierDep
from leadwire_ingest.notifications import (
    GraphNotice,
    gmail_push,
    graph_lifecycle,
    graph_notifications,
)
from leadwire_ingest.providers.google_oidc import PushAuthError

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
_log = logging.getLogger(__name__)
MAX_WEBHOOK_BODY = 1_000_000


async def _json_body(request: Request) -> Any:
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BODY:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "body too large")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "malformed JSON") from None


def _push_data(envelope: Any) -> tuple[str, str]:
    """(emailAddress, historyId) from a Pub/Sub push envelope, or 400."""
    try:
        data = json.loads(base64.b64decode(envelope["message"]["data"], validate=False))
        return str(data["emailAddress"]), str(data["historyId"])
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "not a Gmail push envelope") from None


@router.post("/gmail/push", status_code=204)
async def gmail_push_webhook(
    request: Request, ctx: ContextDep, verifier: PushVerifierDep
) -> Response:
    try:
        await verifier.verify(request.headers.get("authorization"))
    except PushAuthError as exc:
        _log.warning("gmail push refused: %s", exc.reason)
        raise HTTPException(exc.status, exc.reason) from None
    address, history_id = _push_data(await _json_body(request))
    await gmail_push(ctx, address, history_id)
    return Response(status_code=204)  # any 2xx acks; 204 also for addresses we do not watch


def _validation_echo(request: Request) -> PlainTextResponse | None:
    token = request.query_params.get("validationToken")
    return PlainTextResponse(token, status_code=200) if token is not None else None


def _notices(body: Any) -> list[GraphNotice]:
    if not isinstance(body, dict) or not isinstance(body.get("value"), list):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, 'expected {"value": [...]}')
    notices = []
    for item in body["value"]:
        if not isinstance(item, dict) or not item.get("subscriptionId"):
            continue
        notices.append(
            GraphNotice(
                subscription_id=str(item["subscriptionId"]),
                client_state=str(item.get("clientState") or ""),
                resource=item.get("resource"),
                lifecycle_event=item.get("lifecycleEvent"),
            )
        )
    return notices


@router.post("/microsoft/notifications", response_model=None)
async def graph_notification_webhook(request: Request, ctx: ContextDep) -> Response:
    echo = _validation_echo(request)
    if echo is not None:
        return echo
    await graph_notifications(ctx, _notices(await _json_body(request)))
    return Response(status_code=202)


@router.post("/microsoft/lifecycle", response_model=None)
async def graph_lifecycle_webhook(request: Request, ctx: ContextDep) -> Response:
    echo = _validation_echo(request)
    if echo is not None:
        return echo
    await graph_lifecycle(ctx, _notices(await _json_body(request)))
    return Response(status_code=202)
