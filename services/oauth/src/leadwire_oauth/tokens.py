"""The token service behind the `mailbox.token` RPC.

One refresh at a time per mailbox: an in-process lock coalesces callers in this
replica, and the mailbox row lock (SELECT … FOR UPDATE) serialises replicas.
Whoever waited re-reads the row and takes the token a peer just refreshed.

Every provider call has a deadline well inside the callers' RPC timeout and goes
through the provider's circuit breaker: an outage answers `provider_unavailable`
at once instead of queueing callers behind a hanging provider. Only grant errors
wipe a mailbox; a refused client secret keeps every token and is retried later.
"""

from __future__ import annotations

import asyncio
import math
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
    ProviderMisconfigured,
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
            guard = self._ctx.guards[mailbox.provider]
            wait = guard.try_acquire()
            if wait > 0:
                reason = f"{mailbox.provider}: {guard.reason}; retry in {math.ceil(wait)} s"
                await store.set_mailbox_status(conn, mailbox_id, "error", reason[:500])
                return _error("provider_unavailable", reason)
            try:
                grant = await self._call_provider(mailbox)
            except ReconnectRequired as exc:
                guard.succeeded()  # the provider answered; only this grant is dead
                await self._mark_revoked(conn, mailbox, exc)
                return _error("revoked", "The provider refused the grant; reconnect the mailbox.")
            except ProviderMisconfigured as exc:
                guard.refused_credentials(exc.code)
                reason = self._misconfigured(mailbox.provider, exc)
                await store.set_mailbox_status(conn, mailbox_id, "error", reason)
                return _error("provider_unavailable", reason)
            except ProviderUnavailable as exc:
                guard.failed(str(exc), exc.retry_after)
                await store.set_mailbox_status(conn, mailbox_id, "error", str(exc)[:500])
                return _error("provider_unavailable", str(exc))
            guard.succeeded()
            self.refresh_count += 1
            await self._save(conn, mailbox, grant)
            log.info(
                "mailbox_token_refreshed", mailbox_id=str(mailbox_id), provider=mailbox.provider
            )
            return self._grant_reply(mailbox, grant)

    async def _call_provider(self, mailbox: Mailbox) -> TokenGrant:
        """The provider's refresh within the deadline; anything unexpected is an outage."""
        refresh_token = self._ctx.keys.decrypt_str(
            mailbox.refresh_token_enc or b"", aad_for("mailboxes", mailbox.id, "refresh_token")
        )
        provider = self._ctx.providers[mailbox.provider]
        deadline = self._ctx.settings.provider_timeout_seconds
        try:
            return await asyncio.wait_for(provider.refresh(refresh_token), deadline)
        except TimeoutError:
            raise ProviderUnavailable(f"{mailbox.provider} token endpoint timed out") from None
        except (ReconnectRequired, ProviderMisconfigured, ProviderUnavailable):
            raise
        except Exception as exc:
            log.exception("provider_refresh_crashed", provider=mailbox.provider)
            raise ProviderUnavailable(f"{mailbox.provider} refresh failed") from exc

    @staticmethod
    def _misconfigured(provider: str, exc: ProviderMisconfigured) -> str:
        # An operator alert: every mailbox of this provider is affected, none is wiped.
        log.error("provider_misconfigured", provider=provider, error_code=exc.code)
        return (
            f"{provider} refused Leadwire's app credentials ({exc.code}); tokens are kept"
            " and the refresh is retried once the deployment is fixed"
        )

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
