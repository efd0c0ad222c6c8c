"""The generic control API under /_sandbox (documented in sandbox/README.md).

Handlers are async on purpose: all provider state is then touched from the
server's event loop only, never from the threadpool, so it needs no locks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Body, HTTPException
from fastapi.responses import PlainTextResponse

from sandbox.mail import MailInputError, inbound_from_fields
from sandbox.provider import FakeMailProvider

if TYPE_CHECKING:
    from sandbox.app import Sandbox

_DEFAULT_LABELS = ["INBOX", "UNREAD"]


def control_router(sandbox: Sandbox) -> APIRouter:
    router = APIRouter(prefix="/_sandbox", tags=["control"])

    def owner(address: str) -> FakeMailProvider:
        provider = sandbox.owner_of(address)
        if provider is None:
            raise HTTPException(404, f"no mailbox {address!r}")
        return provider

    @router.get("/health")
    async def health() -> dict[str, Any]:
        return {"ok": True, "providers": sorted(sandbox.providers)}

    @router.get("/ca", response_class=PlainTextResponse)
    async def ca() -> str:
        return sandbox.config.ca_path.read_text()

    @router.post("/mailboxes", status_code=201)
    async def create_mailbox(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        spec = dict(body)
        name, address = spec.pop("provider", None), spec.pop("address", None)
        if not name or not address or "@" not in address:
            raise HTTPException(400, "'provider' and an email 'address' are required")
        provider = sandbox.mail_provider(name)
        if provider is None:
            raise HTTPException(
                400, f"no mail provider {name!r} (have {sorted(sandbox.providers)})"
            )
        display_name = spec.pop("display_name", None) or address.split("@")[0]
        try:
            mailbox = provider.create_mailbox(address, display_name, **spec)
        except (TypeError, ValueError) as exc:
            raise HTTPException(400, str(exc)) from exc
        sandbox.mailbox_owner[address.lower()] = name
        return {"provider": name, **mailbox}

    @router.get("/mailboxes")
    async def list_mailboxes() -> list[dict[str, str]]:
        return [{"address": a, "provider": p} for a, p in sorted(sandbox.mailbox_owner.items())]

    @router.post("/mailboxes/{address}/inbound", status_code=201)
    async def inbound(address: str, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        provider = owner(address)
        fields = dict(body)
        labels = fields.pop("labels", None)
        if fields.pop("spam", False):
            labels = ["SPAM", "UNREAD"]
        try:
            message, raw = inbound_from_fields(fields, default_to=address)
        except MailInputError as exc:
            raise HTTPException(400, str(exc)) from exc
        return provider.deliver(address, message, list(labels or _DEFAULT_LABELS), raw=raw)

    @router.post("/mailboxes/{address}/reply", status_code=201)
    async def reply(address: str, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        """The mailbox's person replies to one of its messages ({"id", "text"?, "html"?})."""
        provider = owner(address)
        if not body.get("id") or not (body.get("text") or body.get("html")):
            raise HTTPException(400, "'id' (the message replied to) and 'text' or 'html' needed")
        try:
            return provider.reply_as_user(address, body["id"], body.get("text"), body.get("html"))
        except KeyError as exc:
            raise HTTPException(404, str(exc.args[0])) from exc
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from exc

    @router.post("/settings")
    async def settings(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        """{"cross_mailbox_delivery": bool} (reset restores true)."""
        unknown = set(body) - {"cross_mailbox_delivery"}
        if unknown:
            raise HTTPException(400, f"unknown settings: {sorted(unknown)}")
        if "cross_mailbox_delivery" in body:
            sandbox.cross_mailbox_delivery = bool(body["cross_mailbox_delivery"])
        return {"cross_mailbox_delivery": sandbox.cross_mailbox_delivery}

    @router.get("/mailboxes/{address}/sent")
    async def sent(address: str) -> list[dict[str, Any]]:
        return owner(address).sent_messages(address)

    @router.post("/mailboxes/{address}/revoke")
    async def revoke(address: str) -> dict[str, Any]:
        owner(address).revoke_grants(address)
        return {"address": address, "revoked": True}

    @router.post("/faults", status_code=201)
    async def add_fault(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        try:
            return sandbox.faults.add(**body).public()
        except (TypeError, ValueError) as exc:
            raise HTTPException(400, str(exc)) from exc

    @router.get("/faults")
    async def list_faults() -> list[dict[str, Any]]:
        return sandbox.faults.list()

    @router.delete("/faults")
    async def clear_faults() -> dict[str, Any]:
        sandbox.faults.clear()
        return {"cleared": True}

    @router.delete("/faults/{rule_id}")
    async def delete_fault(rule_id: int) -> dict[str, Any]:
        if not sandbox.faults.remove(rule_id):
            raise HTTPException(404, f"no fault {rule_id}")
        return {"deleted": rule_id}

    @router.post("/reset")
    async def reset() -> dict[str, Any]:
        sandbox.reset()
        return {"reset": True}

    return router
