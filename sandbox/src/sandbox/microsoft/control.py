"""Microsoft-specific control routes, mounted under /_sandbox/microsoft."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Body, HTTPException

from sandbox.microsoft.convert import body_preview
from sandbox.microsoft.store import Mailbox, graph_time

if TYPE_CHECKING:
    from sandbox.microsoft import MicrosoftFake

_OPTION_KEYS = {"deny_consent", "denied_scopes", "throttle"}


def apply_options(mailbox: Mailbox, options: dict[str, Any]) -> None:
    """deny_consent, denied_scopes (e.g. ["Mail.Send"]), throttle {count, retry_after}."""
    unknown = set(options) - _OPTION_KEYS
    if unknown:
        raise ValueError(f"unknown Microsoft mailbox options: {sorted(unknown)}")
    if "deny_consent" in options:
        mailbox.deny_consent = bool(options["deny_consent"])
    if "denied_scopes" in options:
        scopes = options["denied_scopes"] or []
        if not isinstance(scopes, list):
            raise ValueError("denied_scopes must be a list of scope names")
        mailbox.denied_scopes = {
            str(s).lower().removeprefix("https://graph.microsoft.com/") for s in scopes
        }
    if "throttle" in options:
        spec = options["throttle"] or {}
        mailbox.throttle_remaining = int(spec.get("count", 1))
        mailbox.throttle_retry_after = int(spec.get("retry_after", 1))


def microsoft_control_router(fake: MicrosoftFake) -> APIRouter:
    router = APIRouter(tags=["control: microsoft"])
    store = fake.store

    def mailbox(address: str) -> Mailbox:
        found = store.mailbox(address)
        if found is None:
            raise HTTPException(404, f"no Microsoft mailbox {address!r}")
        return found

    @router.get("/mailboxes")
    def list_mailboxes() -> list[dict[str, Any]]:
        return [m.public() for m in store.mailboxes.values()]

    @router.post("/mailboxes/{address}/options")
    def set_options(address: str, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        target = mailbox(address)
        try:
            apply_options(target, body)
        except (TypeError, ValueError) as exc:
            raise HTTPException(400, str(exc)) from exc
        return {**target.public(), "throttle_remaining": target.throttle_remaining}

    @router.get("/mailboxes/{address}/messages")
    def messages(address: str) -> list[dict[str, Any]]:
        return [
            {
                "id": m.id,
                "folder": m.folder,
                "conversationId": m.conversation_id,
                "internetMessageId": m.internet_message_id,
                "subject": m.subject,
                "isRead": m.is_read,
                "isDraft": m.is_draft,
                "receivedDateTime": graph_time(m.received),
                "bodyPreview": body_preview(m),
            }
            for m in mailbox(address).messages.values()
        ]

    @router.post("/mailboxes/{address}/expire-tokens")
    def expire_tokens(address: str) -> dict[str, Any]:
        """Every access token of the mailbox expires now (tests refresh-on-401)."""
        target = mailbox(address).address.lower()
        expired = [t for t in store.access_tokens.values() if t.address == target]
        for token in expired:
            token.expires_at = 0
        return {"address": address, "expired": len(expired)}

    @router.post("/mailboxes/{address}/expire-delta")
    async def expire_delta(address: str) -> dict[str, Any]:
        """Every deltaLink/nextLink issued so far answers 410 SyncStateNotFound."""
        target = mailbox(address)
        target.delta_epoch += 1
        return {"address": target.address, "delta_epoch": target.delta_epoch}

    @router.get("/subscriptions")
    def subscriptions(address: str | None = None) -> list[dict[str, Any]]:
        return [
            {**s.public(fake.tenant_id), "address": s.address}
            for s in store.subscriptions.values()
            if address is None or s.address == address.lower()
        ]

    @router.post("/subscriptions/{sub_id}/lifecycle")
    def lifecycle(sub_id: str, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        try:
            delivery = fake.subscriptions.lifecycle(sub_id, str(body.get("event", "")))
        except KeyError as exc:
            raise HTTPException(404, f"no subscription {sub_id!r}") from exc
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from exc
        return {"sent": delivery is not None, "delivery": delivery.public() if delivery else None}

    @router.post("/subscriptions/{sub_id}/expire-soon")
    async def expire_soon(sub_id: str, body: dict[str, Any] | None = Body(None)) -> dict[str, Any]:
        """{"seconds": N} (default 60): the subscription now expires in N seconds, so Graph's
        own reauthorizationRequired lifecycle event is sent (within the reauthorize lead)."""
        sub = store.subscriptions.get(sub_id)
        if sub is None:
            raise HTTPException(404, f"no subscription {sub_id!r}")
        seconds = float((body or {}).get("seconds", 60))
        sub.expiration = datetime.now(UTC) + timedelta(seconds=seconds)
        fake.subscriptions.schedule_reauthorization(sub)
        return {"id": sub_id, "expirationDateTime": graph_time(sub.expiration)}

    @router.post("/subscriptions/{sub_id}/expire")
    def expire_subscription(sub_id: str) -> dict[str, Any]:
        sub = store.subscriptions.get(sub_id)
        if sub is None:
            raise HTTPException(404, f"no subscription {sub_id!r}")
        sub.expiration = datetime.now(UTC)
        return {"id": sub_id, "expired": True}

    @router.post("/notifications/faults", status_code=201)
    async def add_notification_fault(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        """{"mode": "duplicate"|"delay"|"reorder", "count"?, "delay_seconds"?, "address"?}"""
        try:
            return fake.notifier.shaper.add(body).public()
        except (TypeError, ValueError) as exc:
            raise HTTPException(400, str(exc)) from exc

    @router.delete("/notifications/faults")
    async def clear_notification_faults() -> dict[str, Any]:
        fake.notifier.shaper.clear()
        return {"cleared": True}

    @router.get("/notifications")
    def notifications() -> list[dict[str, Any]]:
        return [d.public() for d in fake.notifier.log]

    @router.post("/settings")
    def settings(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        """rotate_refresh_tokens, validation_timeout (s), access_token_lifetime (s)."""
        unknown = set(body) - {
            "rotate_refresh_tokens",
            "validation_timeout",
            "access_token_lifetime",
            "strict_notification_urls",
        }
        if unknown:
            raise HTTPException(400, f"unknown settings: {sorted(unknown)}")
        return fake.apply_settings(body)

    return router
