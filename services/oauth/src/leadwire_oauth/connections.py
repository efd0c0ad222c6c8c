"""Connecting a mailbox: start an authorization, finish it at the callback,
disconnect. State is signed and single-use; the PKCE verifier stays here."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from leadwire.crypto import InvalidStateError, aad_for
from leadwire.events import MailboxConnected, MailboxDisconnected, new_event
from leadwire.outbox import add_event
from leadwire_oauth import store
from leadwire_oauth.clients import client_changed
from leadwire_oauth.context import OAuthContext
from leadwire_oauth.domain.grants import (
    ConnectError,
    Identity,
    ProviderMisconfigured,
    TokenGrant,
    browser_secret,
    hash_browser_secret,
    missing_scopes,
)
from leadwire_oauth.domain.models import Mailbox, PendingFlow

PROVIDER_ERRORS = {
    "access_denied": "Permission was not granted at the provider's consent screen.",
    "consent_required": "The provider needs consent before the mailbox can be connected.",
    "interaction_required": "The provider needs you to sign in again.",
    "invalid_scope": "The provider refused the permissions Leadwire asks for.",
}


class ClientNotFound(Exception):
    pass


class StateRejected(Exception):
    """A callback whose state is unknown, expired, tampered with or replayed."""


@dataclass(frozen=True)
class ConnectStart:
    auth_url: str
    cookie_name: str
    cookie_value: str


@dataclass(frozen=True)
class Connected:
    mailbox: Mailbox
    reconnected: bool


def binding_cookie_name(nonce: str) -> str:
    return f"lw_oauth_{nonce[:16]}"


async def start_connect(
    ctx: OAuthContext, client_id: UUID, provider_name: str, login_hint: str | None
) -> ConnectStart:
    provider = ctx.provider(provider_name)
    if provider is None or not provider.configured:
        raise ConnectError("not_configured", f"{provider_name} is not configured on this server.")
    async with ctx.pool.acquire() as conn:
        if await store.get_client(conn, client_id) is None:
            raise ClientNotFound(str(client_id))
    nonce = secrets.token_urlsafe(24)
    ttl = ctx.settings.state_ttl_seconds
    state = ctx.state_signer.sign(
        {"client_id": str(client_id), "provider": provider_name, "nonce": nonce}, ttl
    )
    start = await provider.begin(
        state=state, redirect_uri=ctx.settings.callback_url(provider_name), login_hint=login_hint
    )
    browser = browser_secret()
    secret = ctx.keys.encrypt(
        json.dumps(start.flow_secret).encode(), aad_for("oauth_flows", nonce, "secret")
    )
    flow = PendingFlow(
        nonce=nonce,
        client_id=client_id,
        provider=provider_name,
        browser_hash=hash_browser_secret(browser),
        secret_enc=secret,
        expires_at=datetime.now(UTC) + timedelta(seconds=ttl),
    )
    async with ctx.pool.acquire() as conn:
        await store.insert_flow(conn, flow)
    return ConnectStart(start.auth_url, binding_cookie_name(nonce), browser)


async def claim_flow(
    ctx: OAuthContext, provider_name: str, state: str | None, cookies: Mapping[str, str]
) -> PendingFlow:
    """Verify the state and use up its flow, whatever happens next."""
    if not state:
        raise StateRejected("The callback carries no state.")
    try:
        claims = ctx.state_signer.verify(state)
    except InvalidStateError as exc:
        raise StateRejected(_STATE_MESSAGES.get(exc.reason, "The state is invalid.")) from None
    if claims.get("provider") != provider_name:
        raise StateRejected("The state was issued for another provider.")
    nonce = str(claims.get("nonce", ""))
    now = datetime.now(UTC)
    async with ctx.pool.acquire() as conn, conn.transaction():
        flow = await store.get_flow_for_update(conn, nonce)
        if flow is None:
            raise StateRejected("This sign-in is unknown to Leadwire; start the connection again.")
        if flow.used_at is not None:
            raise StateRejected("This sign-in link was already used; start the connection again.")
        if flow.expires_at <= now:
            raise StateRejected("This sign-in expired; start the connection again.")
        cookie = cookies.get(binding_cookie_name(nonce), "")
        if not secrets.compare_digest(hash_browser_secret(cookie), flow.browser_hash):
            raise StateRejected("This sign-in was started in another browser; start it again here.")
        await store.mark_flow_used(conn, nonce, now)
    return flow


_STATE_MESSAGES = {
    "malformed": "The state is malformed.",
    "bad_signature": "The state was tampered with.",
    "expired": "This sign-in expired; start the connection again.",
}


async def complete_connect(
    ctx: OAuthContext, provider_name: str, query: Mapping[str, str], cookies: Mapping[str, str]
) -> Connected:
    flow = await claim_flow(ctx, provider_name, query.get("state"), cookies)
    provider_error = query.get("error")
    if provider_error:
        message = PROVIDER_ERRORS.get(provider_error, f"The provider answered: {provider_error}.")
        raise ConnectError(provider_error, message + " Nothing was stored.")
    provider = ctx.providers[provider_name]
    flow_secret = json.loads(
        ctx.keys.decrypt(flow.secret_enc, aad_for("oauth_flows", flow.nonce, "secret"))
    )
    redirect_uri = ctx.settings.callback_url(provider_name)
    try:
        grant = await provider.complete(
            flow_secret=flow_secret, query=query, redirect_uri=redirect_uri
        )
    except ProviderMisconfigured as exc:
        ctx.guards[provider_name].refused_credentials(exc.code)
        raise
    await _require_scopes(ctx, provider_name, grant)
    identity = await provider.identify(grant.access_token)
    if not identity.address:
        raise ConnectError("no_address", "The provider did not tell which address was connected.")
    return await _save_connection(ctx, flow.client_id, provider_name, identity, grant)


async def _require_scopes(ctx: OAuthContext, provider_name: str, grant: TokenGrant) -> None:
    missing = missing_scopes(provider_name, grant.scopes, grant.refresh_token is not None)
    if missing:
        # Leave no half-granted access behind at the provider.
        await ctx.providers[provider_name].revoke(grant.refresh_token or grant.access_token)
        raise ConnectError(
            "missing_scopes",
            "These permissions were not granted: "
            + ", ".join(missing)
            + ". Connect again and allow all of them. Nothing was stored.",
        )
    if grant.refresh_token is None:
        raise ConnectError(
            "no_refresh_token", "The provider gave no offline access. Nothing was stored."
        )


async def _save_connection(
    ctx: OAuthContext, client_id: UUID, provider_name: str, identity: Identity, grant: TokenGrant
) -> Connected:
    address = identity.address
    now = datetime.now(UTC)
    async with ctx.pool.acquire() as conn, conn.transaction():
        existing = await store.find_mailbox(conn, provider_name, address)
        if existing is not None and existing.client_id != client_id:
            raise ConnectError(
                "address_taken", f"{address} is already connected to another client."
            )
        mailbox_id = existing.id if existing else uuid.uuid4()
        draft = Mailbox(
            id=mailbox_id,
            client_id=client_id,
            provider=provider_name,
            address=address,
            display_name=identity.display_name,
            status="connected",
            scopes=sorted(grant.scopes),
            access_token_enc=ctx.keys.encrypt_str(
                grant.access_token, aad_for("mailboxes", mailbox_id, "access_token")
            ),
            refresh_token_enc=ctx.keys.encrypt_str(
                grant.refresh_token or "", aad_for("mailboxes", mailbox_id, "refresh_token")
            ),
            access_expires_at=grant.expires_at,
            last_refresh_at=now,
            last_error=None,
            connected_at=now,
            updated_at=now,
        )
        mailbox = await store.save_connected_mailbox(conn, draft)
        payload = MailboxConnected(
            mailbox_id=mailbox.id,
            client_id=client_id,
            provider=provider_name,
            address=address,
            display_name=mailbox.display_name,
            scopes=mailbox.scopes,
            reconnected=existing is not None,
        )
        await add_event(conn, new_event(payload, client_id=client_id))
        # The first connected mailbox answers form leads until an admin picks another.
        client = await store.claim_primary_mailbox(conn, client_id, mailbox.id)
        if client is not None:
            await add_event(conn, new_event(client_changed(client), client_id=client_id))
    return Connected(mailbox=mailbox, reconnected=existing is not None)


async def disconnect_mailbox(ctx: OAuthContext, mailbox_id: UUID, reason: str) -> Mailbox | None:
    """Revoke at the provider where it allows, wipe the tokens, tell the others."""
    async with ctx.pool.acquire() as conn:
        mailbox = await store.get_mailbox(conn, mailbox_id)
    if mailbox is None:
        return None
    provider = ctx.providers.get(mailbox.provider)
    if provider is not None and mailbox.refresh_token_enc:
        token = ctx.keys.decrypt_str(
            mailbox.refresh_token_enc, aad_for("mailboxes", mailbox.id, "refresh_token")
        )
        await provider.revoke(token)
    async with ctx.pool.acquire() as conn, conn.transaction():
        current = await store.get_mailbox(conn, mailbox_id, for_update=True)
        if current is None:
            return None
        already = current.status == "disconnected"
        await store.wipe_mailbox_tokens(conn, mailbox_id, "disconnected", None)
        if not already:
            payload = MailboxDisconnected(
                mailbox_id=mailbox_id,
                client_id=current.client_id,
                provider=current.provider,
                address=current.address,
                reason=reason,
            )
            await add_event(conn, new_event(payload, client_id=current.client_id))
    return replace(current, status="disconnected", access_token_enc=None, refresh_token_enc=None)
