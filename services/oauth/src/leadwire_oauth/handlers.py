"""RPC subscribers of the oauth service: `mailbox.token` and `client.secrets`.

Every request gets a reply, errors included (see `leadwire.rpc`): a request that is
not JSON, not an object or not the contract's shape gets `bad_request`; a failure
while serving it gets `internal_error` and is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from faststream.rabbit import RabbitBroker, RabbitResponse
from pydantic import BaseModel

from leadwire.mailbox_tokens import (
    CLIENT_SECRETS_QUEUE,
    MAILBOX_TOKEN_QUEUE,
    ClientSecretsReply,
    ClientSecretsRequest,
    MailboxTokenRequest,
)
from leadwire.rpc import (
    RpcRequestError,
    parse_rpc_request,
    raw_body,
    rpc_error_reply,
    rpc_queue,
    rpc_reply,
)
from leadwire_oauth import clients
from leadwire_oauth.context import OAuthContext
from leadwire_oauth.tokens import TokenService

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


def rpc_queue_names(ctx: OAuthContext) -> list[str]:
    prefix = ctx.settings.queue_prefix
    return [prefix + MAILBOX_TOKEN_QUEUE, prefix + CLIENT_SECRETS_QUEUE]


async def _answer(
    queue: str, body: bytes, model: type[M], serve: Callable[[M], Awaitable[BaseModel]]
) -> RabbitResponse:
    try:
        request = parse_rpc_request(body, model)
    except RpcRequestError as exc:
        log.warning("rpc_bad_request", extra={"queue": queue, "reason": str(exc)})
        return rpc_error_reply(str(exc))
    try:
        return rpc_reply(await serve(request))
    except Exception:
        log.exception("rpc_failed", extra={"queue": queue})
        return rpc_error_reply("the server failed to answer; try again", "internal_error")


def register_rpc(broker: RabbitBroker, ctx: OAuthContext, tokens: TokenService) -> None:
    token_queue, secrets_queue = rpc_queue_names(ctx)

    async def mailbox_token(request: MailboxTokenRequest) -> BaseModel:
        return await tokens.mailbox_token(request.mailbox_id, force_refresh=request.force_refresh)

    async def client_secrets(request: ClientSecretsRequest) -> BaseModel:
        if await clients.get_client(ctx, request.client_id) is None:
            return ClientSecretsReply(ok=False, error="not_found")
        url = await clients.slack_webhook_url(ctx, request.client_id)
        return ClientSecretsReply(ok=True, slack_webhook_url=url)

    @broker.subscriber(rpc_queue(token_queue), decoder=raw_body)
    async def on_mailbox_token(body: bytes) -> RabbitResponse:
        return await _answer(token_queue, body, MailboxTokenRequest, mailbox_token)

    @broker.subscriber(rpc_queue(secrets_queue), decoder=raw_body)
    async def on_client_secrets(body: bytes) -> RabbitResponse:
        return await _answer(secrets_queue, body, ClientSecretsRequest, client_secrets)
