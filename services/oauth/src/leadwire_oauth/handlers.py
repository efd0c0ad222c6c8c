"""RPC subscribers of the oauth service: `mailbox.token` and `client.secrets`.

Every request gets a reply, errors included: an exception would leave the
caller waiting for its timeout. Replies go out without `mandatory`: RabbitMQ
answers a mandatory publish to a direct reply-to address with basic.return
(NO_ROUTE) even when it delivers it, which our broker turns into an error.
"""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitBroker, RabbitResponse
from pydantic import BaseModel

from leadwire.mailbox_tokens import (
    CLIENT_SECRETS_QUEUE,
    MAILBOX_TOKEN_QUEUE,
    ClientSecretsReply,
    ClientSecretsRequest,
    MailboxTokenReply,
    MailboxTokenRequest,
)
from leadwire.rpc import rpc_queue
from leadwire_oauth import clients
from leadwire_oauth.context import OAuthContext
from leadwire_oauth.tokens import TokenService


def _reply(model: BaseModel) -> RabbitResponse:
    return RabbitResponse(model.model_dump(mode="json"), mandatory=False)


def register_rpc(broker: RabbitBroker, ctx: OAuthContext, tokens: TokenService) -> None:
    prefix = ctx.settings.queue_prefix

    @broker.subscriber(rpc_queue(prefix + MAILBOX_TOKEN_QUEUE))
    async def mailbox_token(body: dict[str, Any]) -> RabbitResponse:
        try:
            request = MailboxTokenRequest.model_validate(body)
        except ValueError:
            return _reply(
                MailboxTokenReply(ok=False, error="not_found", message="malformed request")
            )
        return _reply(
            await tokens.mailbox_token(request.mailbox_id, force_refresh=request.force_refresh)
        )

    @broker.subscriber(rpc_queue(prefix + CLIENT_SECRETS_QUEUE))
    async def client_secrets(body: dict[str, Any]) -> RabbitResponse:
        try:
            request = ClientSecretsRequest.model_validate(body)
        except ValueError:
            return _reply(ClientSecretsReply(ok=False, error="not_found"))
        client = await clients.get_client(ctx, request.client_id)
        if client is None:
            return _reply(ClientSecretsReply(ok=False, error="not_found"))
        url = await clients.slack_webhook_url(ctx, request.client_id)
        return _reply(ClientSecretsReply(ok=True, slack_webhook_url=url))
