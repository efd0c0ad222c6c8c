"""Google-specific control routes, mounted under /_sandbox/google."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Body, HTTPException

if TYPE_CHECKING:
    from sandbox.google.fake import GoogleFake


def google_control_router(fake: GoogleFake) -> APIRouter:
    router = APIRouter(tags=["control-google"])

    def box_of(address: str):  # type: ignore[no-untyped-def]
        box = fake.mailbox(address)
        if box is None:
            raise HTTPException(404, f"no google mailbox {address!r}")
        return box

    @router.post("/mailboxes/{address}/expire-history")
    async def expire_history(
        address: str, body: dict[str, Any] | None = Body(None)
    ) -> dict[str, Any]:
        """No body: drop all history; {"older_than_seconds": N}: drop records older than N s."""
        box = box_of(address)
        older_than = (body or {}).get("older_than_seconds")
        if older_than is not None and not isinstance(older_than, int | float):
            raise HTTPException(400, "older_than_seconds must be a number")
        box.expire_history(older_than)
        return {
            "address": box.address,
            "historyId": str(box.history_id),
            "oldestValidStartHistoryId": str(box.history_floor),
        }

    @router.post("/mailboxes/{address}/push")
    async def set_push(address: str, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        """{"enabled": bool, "endpoint": url|null, "audience": str|null}"""
        box = box_of(address)
        allowed = {
            "enabled": "push_enabled",
            "endpoint": "push_endpoint",
            "audience": "push_audience",
        }
        unknown = set(body) - set(allowed)
        if unknown:
            raise HTTPException(400, f"unknown push fields: {sorted(unknown)}")
        for key, option in allowed.items():
            if key in body:
                box.options[option] = body[key]
        target = fake.push_target(box)
        return {"address": box.address, "push": target.__dict__ if target else None}

    @router.post("/mailboxes/{address}/messages/{msg_id}/modify")
    async def user_modify(address: str, msg_id: str, body: dict[str, Any] = Body(...)) -> Any:
        """As the user in Gmail's UI: {"add": [labels], "remove": [labels]} (history + push)."""
        box = box_of(address)
        if msg_id not in box.messages:
            raise HTTPException(404, f"no message {msg_id!r}")
        fake.after_change(box, box.modify(msg_id, body.get("add") or [], body.get("remove") or []))
        return box.messages[msg_id].ref_with_labels()

    @router.delete("/mailboxes/{address}/messages/{msg_id}")
    async def user_delete(address: str, msg_id: str) -> dict[str, Any]:
        """As the user deleting forever: messageDeleted in history, and a push."""
        box = box_of(address)
        if msg_id not in box.messages:
            raise HTTPException(404, f"no message {msg_id!r}")
        fake.after_change(box, set(box.delete(msg_id).label_ids))
        return {"deleted": msg_id, "historyId": str(box.history_id)}

    @router.post("/mailboxes/{address}/expire-watch")
    async def expire_watch(address: str) -> dict[str, Any]:
        """The watch lapses now (no pushes until users.watch is called again)."""
        box = box_of(address)
        if box.watch is None:
            raise HTTPException(404, f"{address!r} has no watch")
        box.watch.expiration_ms = int(time.time() * 1000) - 1
        return {"address": box.address, "watch": box.watch.__dict__}

    @router.post("/push/faults", status_code=201)
    async def add_push_fault(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        """{"mode": "duplicate"|"delay"|"reorder", "count"?, "delay_seconds"?, "address"?}"""
        try:
            return fake.pusher.shaper.add(body).public()
        except (TypeError, ValueError) as exc:
            raise HTTPException(400, str(exc)) from exc

    @router.delete("/push/faults")
    async def clear_push_faults() -> dict[str, Any]:
        fake.pusher.shaper.clear()
        return {"cleared": True}

    @router.post("/push/settings")
    async def push_settings(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        """{"retry_schedule": "fast"|"realistic"} (realistic: Pub/Sub's 10 s .. 600 s)."""
        schedule = body.get("retry_schedule", fake.config.push_retry_schedule)
        if set(body) - {"retry_schedule"} or schedule not in ("fast", "realistic"):
            raise HTTPException(400, 'expected {"retry_schedule": "fast"|"realistic"}')
        fake.config.push_retry_schedule = schedule
        first, longest = fake.pusher.backoff()
        return {"retry_schedule": schedule, "first_retry_seconds": first, "max_seconds": longest}

    @router.get("/push/attempts")
    async def push_attempts(address: str | None = None) -> list[dict[str, Any]]:
        return fake.pusher.attempts_json(address)

    @router.get("/mailboxes/{address}/watch")
    async def get_watch(address: str) -> dict[str, Any] | None:
        watch = box_of(address).watch
        return watch.__dict__ if watch else None

    @router.post("/consent")
    async def consent(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        """{"deny_next": true}: the next authorization ends in error=access_denied."""
        fake.deny_next = bool(body.get("deny_next"))
        return {"deny_next": fake.deny_next}

    @router.post("/tokens/id-token")
    async def mint_id_token(body: dict[str, Any] = Body(...)) -> dict[str, str]:
        """Mint an RS256 token with any claims; {"wrong_key": true} signs with an unpublished key.
        {"push": true} starts from the Pub/Sub push claims (aud, email, email_verified)."""
        spec = dict(body)
        wrong_key = bool(spec.pop("wrong_key", False))
        claims: dict[str, Any] = {}
        if spec.pop("push", False):
            aud = fake.config.effective_push_audience or "https://sandbox.invalid/push"
            claims = {
                "aud": aud,
                "email": fake.config.push_service_account,
                "email_verified": True,
                "sub": "sandbox-pubsub",
            }
        claims.update(spec.pop("claims", spec))
        return {"token": fake.signer.mint(claims, wrong_key=wrong_key)}

    return router
