"""The token service behind the `mailbox.token` RPC.

One refresh at a time per mailbox: an in-process lock coalesces callers in this
replica, and the mailbox row lock (SELECT … FOR UPDATE) serialises replicas.
Whoever waited re-reads the row and takes the token a peer just refreshed.
"""

from __future__ import annotations

import asyncio
import weakref
from datetime import UTC, datetime
from uuid import UUID

import structlog

from leadwire.crypto import aad_for
from leadwire.events import MailboxRevoked, new_event
from leadwire.mailbox_tokens import MailboxTokenReply, TokenErrorCode
from leadwire.outbox import add_event
from leadwire_oauth import store
from leadwire_oauth.context import OAuthContext
from leadwire_oauth.domain.grants import (
    ProviderUnavailable,
    ReconnectRequired,
    TokenGrant,
    needs_refresh,
)
from leadwire_oauth.domain.models import Mailbox

log = structlog.get_logger(__name__)


def _error(code: TokenErrorCode, message: str) -> MailboxTokenReply:
    return MailboxTokenReply(ok=False, error=code, message=message)


class TokenService:
    def __init__(self, ctx: OAuthContext) -> None:
        self._ctx = ctx
        self._locks: weakref.WeakValueDictionary[UUID, asyncio.Lock] = weakref.WeakValueDictionary()
        self.refresh_count = 0  # for tests and metrics

    async def mailbox_token(
        self, mailbox_id: UUID, *, force_refresh: bool = False
    ) -> MailboxTokenReply:
        requested_at = datetime.now(UTC)
        async with self._ctx.pool.acquire() as conn:
            mailbox = await store.get_mailbox(conn, mailbox_id)
        unusable = self._unusable(mailbox)
        if unusable is not None:
            return unusable
        assert mailbox is not None
        if not force_refresh and not needs_refresh(mailbox.access_expires_at, requested_at):
            return self._reply(mailbox)
        lock = self._locks.get(mailbox_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[mailbox_id] = lock
        async with lock:
            return await self._refresh_locked(mailbox_id, requested_at, force_refresh)

    def _unusable(self, mailbox: Mailbox | None) -> MailboxTokenReply | None:
        if mailbox is None or mailbox.status == "disconnected":
            return _error("not_found", "No connected mailbox with this id.")
        if mailbox.status == "revoked":
            return _error("revoked", "The grant was revoked; the mailbox must be reconnected.")
        return None

    async def _refresh_locked(
        self, mailbox_id: UUID, requested_at: datetime, force_refresh: bool
    ) -> MailboxTokenReply:
        async with self._ctx.pool.acquire() as conn, conn.transaction():
            mailbox = await store.get_mailbox(conn, mailbox_id, for_update=True)
            unusable = self._unusable(mailbox)
            if unusable is not None:
                return unusable
            assert mailbox is not None
            if self._peer_already_refreshed(mailbox, requested_at, force_refresh):
                return self._reply(mailbox)
            refresh_token = self._ctx.keys.decrypt_str(
                mailbox.refresh_token_enc or b"", aad_for("mailboxes", mailbox_id, "refresh_token")
            )
            provider = self._ctx.providers[mailbox.provider]
            try:
                grant = await provider.refresh(refresh_token)
            except ReconnectRequired as exc:
                await self._mark_revoked(conn, mailbox, exc)
                return _error("revoked", "The provider refused the grant; reconnect the mailbox.")
            except ProviderUnavailable as exc:
                await store.set_mailbox_status(conn, mailbox_id, "error", str(exc)[:500])
                return _error("provider_unavailable", str(exc))
            self.refresh_count += 1
            await self._save(conn, mailbox, grant)
            log.info(
                "mailbox_token_refreshed", mailbox_id=str(mailbox_id), provider=mailbox.provider
            )
            return self._grant_reply(mailbox, grant)

    @staticmethod
    def _peer_already_refreshed(mailbox: Mailbox, requested_at: datetime, force: bool) -> bool:
        if mailbox.last_refresh_at is not None and mailbox.last_refresh_at >= requested_at:
            return True
        return not force and not needs_refresh(mailbox.access_expires_at, requested_at)

    async def _save(self, conn: store.Conn, mailbox: Mailbox, grant: TokenGrant) -> None:
        keys = self._ctx.keys
        access = keys.encrypt_str(
            grant.access_token, aad_for("mailboxes", mailbox.id, "access_token")
        )
        rotated = None
        if grant.refresh_token:
            rotated = keys.encrypt_str(
                grant.refresh_token, aad_for("mailboxes", mailbox.id, "refresh_token")
            )
        await store.save_refreshed_tokens(
            conn, mailbox.id, access, rotated, grant.expires_at, datetime.now(UTC)
        )

    async def _mark_revoked(
        self, conn: store.Conn, mailbox: Mailbox, exc: ReconnectRequired
    ) -> None:
        # The row lock makes this transition, and so its event, happen once.
        await store.wipe_mailbox_tokens(
            conn, mailbox.id, "revoked", f"{exc.code}: {exc.description}"[:500]
        )
        payload = MailboxRevoked(
            mailbox_id=mailbox.id,
            client_id=mailbox.client_id,
            provider=mailbox.provider,
            address=mailbox.address,
            error_code=exc.code,
            error_description=exc.description[:500],
        )
        await add_event(conn, new_event(payload, client_id=mailbox.client_id))
        log.warning("mailbox_revoked", mailbox_id=str(mailbox.id), error_code=exc.code)

    def _reply(self, mailbox: Mailbox) -> MailboxTokenReply:
        token = self._ctx.keys.decrypt_str(
            mailbox.access_token_enc or b"", aad_for("mailboxes", mailbox.id, "access_token")
        )
        return MailboxTokenReply(
            ok=True,
            access_token=token,
            expires_at=mailbox.access_expires_at,
            provider=mailbox.provider,
            address=mailbox.address,
        )

    @staticmethod
    def _grant_reply(mailbox: Mailbox, grant: TokenGrant) -> MailboxTokenReply:
        return MailboxTokenReply(
            ok=True,
            access_token=grant.access_token,
            expires_at=grant.expires_at,
            provider=mailbox.provider,
            address=mailbox.address,
        )
