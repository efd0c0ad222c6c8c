"""Graph subscriptions: the validationToken handshake, change and lifecycle notifications."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sandbox.microsoft.graph_common import (
    READ,
    Caller,
    GraphError,
    authenticate,
    bad_request,
    json_body,
    odata_context,
)
from sandbox.microsoft.notifier import Delivery, Notifier
from sandbox.microsoft.store import GraphMessage, Mailbox, MicrosoftStore, Subscription

MAX_MINUTES = 10080  # Outlook message subscriptions live under 7 days
LIFECYCLE_EVENTS = ("reauthorizationRequired", "subscriptionRemoved", "missed")
_RESOURCE = re.compile(
    r"^(?:me|users(?:/(?P<user>[^/(]+)|\('(?P<user_key>[^']+)'\)))"
    r"/(?:mailfolders(?:\('(?P<quoted>[^']+)'\)|/(?P<plain>[^/]+))/)?messages$",
    re.IGNORECASE,
)


def _parse_time(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise bad_request(f"Invalid expirationDateTime '{value}'.", "InvalidRequest") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Subscriptions:
    def __init__(
        self, store: MicrosoftStore, notifier: Notifier, tenant_id: str, validation_timeout: float
    ) -> None:
        self.store, self.notifier, self.tenant_id = store, notifier, tenant_id
        self.validation_timeout = validation_timeout
        self.require_https = False  # Graph's rule; off by default for plain-http local runs
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def folder_of(self, resource: str, mailbox: Mailbox) -> str:
        """The folder a resource watches ('*' for all messages) or a Graph error."""
        match = _RESOURCE.match(resource.strip().strip("/"))
        if match is None:
            raise bad_request(
                f"Resource '{resource}' is not supported by the sandbox.", "ExtensionError"
            )
        user = match["user"] or match["user_key"]
        if user and self.store.mailbox_by_user(user) is not mailbox:
            raise GraphError(
                403,
                "ExtensionError",
                "Operation: Create; Exception: [Status Code: Forbidden; Reason: Access is denied.]",
            )
        folder = match["quoted"] or match["plain"]
        if folder is None:
            return "*"
        name = mailbox.folder_of_id(folder)
        if name is None:
            raise bad_request(
                f"The folder in resource '{resource}' does not exist.", "ExtensionError"
            )
        return name

    def live(self, sub_id: str, caller: Caller | None = None) -> Subscription:
        sub = self.store.subscriptions.get(sub_id)
        expired = sub is not None and sub.expiration < datetime.now(UTC)
        foreign = (
            sub is not None
            and caller is not None
            and (
                sub.address != caller.mailbox.address.lower()
                or sub.client_id != caller.token.client_id
            )
        )
        if sub is None or expired or foreign:
            raise GraphError(404, "ResourceNotFound", "The object was not found.")
        return sub

    async def create(self, caller: Caller, spec: dict[str, Any]) -> Subscription:
        for required in ("changeType", "notificationUrl", "resource", "expirationDateTime"):
            if not spec.get(required):
                raise bad_request(f"Invalid request: '{required}' is required.", "InvalidRequest")
        changes = [c.strip() for c in str(spec["changeType"]).split(",") if c.strip()]
        if not changes or any(c not in ("created", "updated", "deleted") for c in changes):
            raise bad_request(f"Invalid changeType '{spec['changeType']}'.", "InvalidRequest")
        client_state = spec.get("clientState")
        if client_state is not None and len(str(client_state)) > 128:
            raise bad_request("clientState must be at most 128 characters.", "InvalidRequest")
        folder = self.folder_of(str(spec["resource"]), caller.mailbox)
        expiration = self.check_expiration(spec["expirationDateTime"])
        await self._check_urls(spec)
        sub = Subscription(
            str(uuid.uuid4()),
            caller.mailbox.address.lower(),
            caller.token.client_id,
            str(spec["resource"]),
            changes,
            str(spec["notificationUrl"]),
            spec.get("lifecycleNotificationUrl"),
            client_state,
            expiration,
            str(spec.get("latestSupportedTlsVersion") or "v1_2"),
            folder,
        )
        self.store.subscriptions[sub.id] = sub
        self.schedule_reauthorization(sub)
        return sub

    async def _check_urls(self, spec: dict[str, Any]) -> None:
        """Absolute (https in strict mode) and answering the validation handshake."""
        for key in ("notificationUrl", "lifecycleNotificationUrl"):
            url = spec.get(key)
            if key == "lifecycleNotificationUrl" and not url:
                continue
            if not str(url).startswith(("https://", "http://")):
                raise bad_request(f"Invalid {key}: must be an absolute URL.", "InvalidRequest")
            if self.require_https and not str(url).startswith("https://"):
                raise bad_request(
                    f"The {key} must be a valid https URL (strict mode, as in Graph).",
                    "InvalidRequest",
                )
            problem = await self.notifier.validate(str(url), self.validation_timeout)
            if problem is not None:
                raise bad_request(problem, "InvalidRequest")

    @staticmethod
    def check_expiration(value: Any) -> datetime:
        expiration = _parse_time(value)
        now = datetime.now(UTC)
        if expiration <= now:
            raise bad_request("Subscription expiration must be in the future.", "InvalidRequest")
        if expiration > now + timedelta(minutes=MAX_MINUTES):
            raise bad_request(
                f"Subscription expiration can only be {MAX_MINUTES} minutes in the future.",
                "InvalidRequest",
            )
        return expiration

    def notify(self, mailbox: Mailbox, message: GraphMessage, change_type: str) -> None:
        now = datetime.now(UTC)
        for sub in list(self.store.subscriptions.values()):
            folder = sub.folder
            if sub.address != mailbox.address.lower() or sub.expiration < now:
                continue
            if change_type not in sub.change_types or folder not in ("*", message.folder):
                continue
            odata_id = f"Users/{mailbox.user_id}/Messages/{message.id}"
            item = {
                **self._common(sub),
                "changeType": change_type,
                "resource": odata_id,
                "resourceData": {
                    "@odata.type": "#Microsoft.Graph.Message",
                    "@odata.id": odata_id,
                    "@odata.etag": f'W/"{message.change_key}"',
                    "id": message.id,
                },
            }
            self.notifier.submit(sub.notification_url, "change", {"value": [item]}, sub.address)

    def schedule_reauthorization(self, sub: Subscription) -> None:
        """As Graph does by itself: reauthorizationRequired shortly before expiry (lead
        `graph_reauthorize_lead` seconds), once per expiration time; renewing reschedules."""
        self.cancel_timer(sub.id)
        if not sub.lifecycle_url:
            return
        lead = self.notifier.config.graph_reauthorize_lead
        due = (sub.expiration - datetime.now(UTC)).total_seconds() - lead
        expiration = sub.expiration

        def fire() -> None:
            self._timers.pop(sub.id, None)
            current = self.store.subscriptions.get(sub.id)
            if current is sub and current.expiration == expiration:
                self.lifecycle(sub.id, "reauthorizationRequired")

        loop = asyncio.get_running_loop()
        self._timers[sub.id] = loop.call_later(max(0.0, due), fire)

    def cancel_timer(self, sub_id: str) -> None:
        timer = self._timers.pop(sub_id, None)
        if timer is not None:
            timer.cancel()

    def reset(self) -> None:
        for sub_id in list(self._timers):
            self.cancel_timer(sub_id)

    def lifecycle(self, sub_id: str, event: str) -> Delivery | None:
        if event not in LIFECYCLE_EVENTS:
            raise ValueError(f"lifecycle event must be one of {LIFECYCLE_EVENTS}")
        sub = self.store.subscriptions.get(sub_id)
        if sub is None:
            raise KeyError(sub_id)
        if event == "subscriptionRemoved":
            self.store.subscriptions.pop(sub_id, None)
        if not sub.lifecycle_url:  # Graph only sends these to a lifecycle URL
            return None
        item = {**self._common(sub), "lifecycleEvent": event}
        return self.notifier.submit(sub.lifecycle_url, "lifecycle", {"value": [item]}, sub.address)

    def _common(self, sub: Subscription) -> dict[str, Any]:
        return {
            "subscriptionId": sub.id,
            "subscriptionExpirationDateTime": sub.public(self.tenant_id)["expirationDateTime"],
            "clientState": sub.client_state,
            "tenantId": self.tenant_id,
        }


def subscription_router(subs: Subscriptions) -> APIRouter:
    router = APIRouter(prefix="/v1.0", tags=["microsoft-graph"])
    store, tid = subs.store, subs.tenant_id

    def caller(request: Request) -> Caller:
        who = authenticate(store, request)
        who.require(READ)
        return who

    def entity(request: Request, sub: Subscription, status: int = 200) -> JSONResponse:
        context = odata_context(request, "subscriptions/$entity")
        return JSONResponse({"@odata.context": context, **sub.public(tid)}, status)

    @router.post("/subscriptions")
    async def create(request: Request) -> Response:
        try:
            sub = await subs.create(caller(request), await json_body(request))
        except GraphError as err:
            return err.response()
        return entity(request, sub, 201)

    @router.get("/subscriptions")
    async def list_subscriptions(request: Request) -> Response:
        try:
            who = caller(request)
        except GraphError as err:
            return err.response()
        mine = [
            s.public(tid)
            for s in store.subscriptions.values()
            if s.client_id == who.token.client_id
        ]
        return JSONResponse(
            {"@odata.context": odata_context(request, "subscriptions"), "value": mine}
        )

    @router.get("/subscriptions/{sub_id}")
    async def get_subscription(sub_id: str, request: Request) -> Response:
        try:
            return entity(request, subs.live(sub_id, caller(request)))
        except GraphError as err:
            return err.response()

    @router.patch("/subscriptions/{sub_id}")
    async def renew(sub_id: str, request: Request) -> Response:
        try:
            sub = subs.live(sub_id, caller(request))
            spec = await json_body(request)
            if "expirationDateTime" in spec:
                sub.expiration = subs.check_expiration(spec["expirationDateTime"])
                subs.schedule_reauthorization(sub)
        except GraphError as err:
            return err.response()
        return entity(request, sub)

    @router.post("/subscriptions/{sub_id}/reauthorize")
    async def reauthorize(sub_id: str, request: Request) -> Response:
        try:
            subs.live(sub_id, caller(request))
        except GraphError as err:
            return err.response()
        return Response(status_code=204)

    @router.delete("/subscriptions/{sub_id}")
    async def delete(sub_id: str, request: Request) -> Response:
        try:
            subs.live(sub_id, caller(request))
        except GraphError as err:
            return err.response()
        store.subscriptions.pop(sub_id, None)
        subs.cancel_timer(sub_id)
        return Response(status_code=204)

    return router
