"""RPC subscribers of the oauth service: `mailbox.token` and `client.secrets`.

Every request gets a reply, errors included: an exception would leave the
caller waiting for its timeout.
"""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitBroker

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


def register_rpc(broker: RabbitBroker, ctx: OAuthContext, tokens: TokenService) -> None:
    prefix = ctx.settings.rpc_queue_prefix

    @broker.subscriber(rpc_queue(prefix + MAILBOX_TOKEN_QUEUE))
    async def mailbox_token(body: dict[str, Any]) -> dict[str, Any]:
        try:
            request = MailboxTokenRequest.model_validate(body)
        except ValueError:
            reply = MailboxTokenReply(ok=False, error="not_found", message="malformed request")
            return reply.model_dump(mode="json")
        reply = await tokens.mailbox_token(request.mailbox_id, force_refresh=request.force_refresh)
        return reply.model_dump(mode="json")

    @broker.subscriber(rpc_queue(prefix + CLIENT_SECRETS_QUEUE))
    async def client_secrets(body: dict[str, Any]) -> dict[str, Any]:
        try:
            request = ClientSecretsRequest.model_validate(body)
        except ValueError:
            return ClientSecretsReply(ok=False, error="not_found").model_dump(mode="json")
        client = await clients.get_client(ctx, request.client_id)
        if client is None:
            return ClientSecretsReply(ok=False, error="not_found").model_dump(mode="json")
        url = await clients.slack_webhook_url(ctx, request.client_id)
        return ClientSecretsReply(ok=True, slack_webhook_url=url).model_dump(mode="json")
