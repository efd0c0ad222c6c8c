"""POST /webhooks/slack/interactions: Approve / Reject clicked on a draft in Slack.

Answered within Slack's 3 seconds: verify, decide (one transaction: the decision and
draft.decided in the outbox), answer. The original message is updated through its
response_url by the delivery loop after the commit, never on this request's path.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, Response, status

from leadwire_notifier.api.deps import ContextDep
from leadwire_notifier.decisions import UnknownDraft, decide
from leadwire_notifier.domain.interactions import InteractionError, parse_click
from leadwire_notifier.domain.signature import SignatureError, verify_signature
from leadwire_notifier.providers.slack import SlackPoster

router = APIRouter(tags=["slack"])
log = logging.getLogger(__name__)

# Slack's interaction payloads are a few kilobytes; anything far larger is not Slack.
MAX_BODY_BYTES = 256 * 1024


async def _verified_body(request: Request, secret: str) -> bytes:
    declared = request.headers.get("content-length", "0")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:  # refused before reading it
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "body too large")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "body too large")
    try:
        verify_signature(
            secret,
            body,
            request.headers.get("X-Slack-Request-Timestamp"),
            request.headers.get("X-Slack-Signature"),
            now=time.time(),
        )
    except SignatureError as exc:
        log.warning("slack interaction refused: %s", exc)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc)) from None
    return body


async def _tell_clicker(slack: SlackPoster, response_url: str, text: str) -> None:
    await slack.post(
        response_url, {"response_type": "ephemeral", "replace_original": False, "text": text}
    )


@router.post("/webhooks/slack/interactions", response_model=None)
async def slack_interaction(
    request: Request, ctx: ContextDep, background: BackgroundTasks
) -> Response | dict[str, Any]:
    secret = ctx.settings.slack_signing_secret.get_secret_value()
    if not secret:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "SLACK_SIGNING_SECRET is not set")
    body = await _verified_body(request, secret)
    try:
        click = parse_click(body)
    except InteractionError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    if click is None:  # the Edit link, or an interaction we do not act on
        return Response(status_code=status.HTTP_200_OK)
    try:
        decided = await decide(ctx.pool, click)
    except UnknownDraft:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"draft {click.draft_id} was not announced here"
        ) from None
    text = f"Already decided: {decided.text}" if decided.already else decided.text
    if decided.already and click.response_url:
        background.add_task(_tell_clicker, ctx.slack, click.response_url, text)
    return {"response_type": "ephemeral", "replace_original": False, "text": text}
