"""Microsoft Graph adapter: inbox subscription with clientState, delta paging over the
inbox and Sent Items, raw MIME via `$value`, message listing.

An expired deltaLink (410 Gone, or 400 `SyncStateNotFound`) is `CursorExpired`; the
sync then restarts the delta from the resync window.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from leadwire_ingest.domain.models import Mailbox
from leadwire_ingest.domain.payloads import FetchedMessage
from leadwire_ingest.providers.base import (
    AuthorizedHttp,
    Changes,
    Cursor,
    CursorExpired,
    MessagePage,
    MessageRef,
    MessageSummary,
    ProviderError,
    Watch,
)

INBOX_RESOURCE = "me/mailFolders('Inbox')/messages"
_EXPIRED_CODES = {"SyncStateNotFound", "SyncStateInvalid", "resyncRequired"}
_SELECT = "id,conversationId,receivedDateTime,isDraft"
_LIST_SELECT = "id,conversationId,from,toRecipients,subject,receivedDateTime,bodyPreview"


def _parse_time(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _error_code(body: Any) -> str:
    return str(body.get("error", {}).get("code", "")) if isinstance(body, dict) else ""


class GraphProvider:
    def __init__(
        self,
        http: AuthorizedHttp,
        base_url: str,
        notification_url: str,
        lifecycle_url: str,
        lifetime: timedelta,
    ) -> None:
        self._http = http
        self._api = base_url.rstrip("/") + "/v1.0"
        self._notification_url = notification_url
        self._lifecycle_url = lifecycle_url
        self._lifetime = lifetime

    async def _call(self, mailbox: Mailbox, method: str, url: str, **kw: Any) -> dict[str, Any]:
        response = await self._http.request(mailbox.mailbox_id, method, url, **kw)
        if response.status_code == 404:
            raise ProviderError("not_found", _error_code(response.json()) or url, 404)
        if not response.is_success:
            raise ProviderError("rejected", response.text[:300], response.status_code)
        return response.json() if response.content else {}

    async def start_watch(self, mailbox: Mailbox) -> Watch:
        client_state = secrets.token_urlsafe(32)
        body = {
            "changeType": "created",
            "notificationUrl": self._notification_url,
            "lifecycleNotificationUrl": self._lifecycle_url,
            "resource": INBOX_RESOURCE,
            "expirationDateTime": _iso(datetime.now(UTC) + self._lifetime),
            "clientState": client_state,
        }
        data = await self._call(mailbox, "POST", f"{self._api}/subscriptions", json=body)
        return Watch(
            expires_at=_parse_time(data.get("expirationDateTime")),
            subscription_id=str(data["id"]),
            client_state=client_state,
        )

    async def renew_watch(self, mailbox: Mailbox) -> Watch:
        """PATCH the expiry; a subscription Graph no longer knows is created again."""
        if not mailbox.subscription_id:
            return await self.start_watch(mailbox)
        body = {"expirationDateTime": _iso(datetime.now(UTC) + self._lifetime)}
        url = f"{self._api}/subscriptions/{mailbox.subscription_id}"
        try:
            data = await self._call(mailbox, "PATCH", url, json=body)
        except ProviderError as exc:
            if exc.kind != "not_found":
                raise
            return await self.start_watch(mailbox)
        return Watch(
            expires_at=_parse_time(data.get("expirationDateTime")),
            subscription_id=mailbox.subscription_id,
        )

    async def stop_watch(self, mailbox: Mailbox) -> None:
        if mailbox.subscription_id:
            url = f"{self._api}/subscriptions/{mailbox.subscription_id}"
            await self._http.request(mailbox.mailbox_id, "DELETE", url)

    async def _delta(
        self, mailbox: Mailbox, url: str, params: dict[str, str] | None, sent: bool
    ) -> tuple[list[MessageRef], str]:
        refs: list[MessageRef] = []
        headers = {"Prefer": "odata.maxpagesize=100"}
        while True:
            response = await self._http.request(
                mailbox.mailbox_id, "GET", url, params=params, headers=headers
            )
            body = response.json() if response.content else {}
            if response.status_code == 410 or _error_code(body) in _EXPIRED_CODES:
                raise CursorExpired(f"delta link expired ({response.status_code})")
            if not response.is_success:
                raise ProviderError("rejected", response.text[:300], response.status_code)
            refs += [
                MessageRef(str(item["id"]), sent=sent)
                for item in body.get("value", [])
                if "@removed" not in item and not item.get("isDraft")
            ]
            if "@odata.deltaLink" in body:
                return refs, str(body["@odata.deltaLink"])
            url, params = str(body["@odata.nextLink"]), None

    async def _fresh(self, mailbox: Mailbox, since: datetime) -> Changes:
        params = {"$select": _SELECT, "$filter": f"receivedDateTime ge {_iso(since)}"}
        inbox, inbox_link = await self._delta(
            mailbox, f"{self._api}/me/mailFolders/inbox/messages/delta", dict(params), False
        )
        sent, sent_link = await self._delta(
            mailbox, f"{self._api}/me/mailFolders/sentitems/messages/delta", dict(params), True
        )
        return Changes(inbox + sent, Cursor(delta_link=inbox_link, sent_delta_link=sent_link))

    async def initial_cursor(self, mailbox: Mailbox, since: datetime) -> Changes:
        return await self._fresh(mailbox, since)

    async def changes(self, mailbox: Mailbox) -> Changes:
        if not mailbox.delta_link or not mailbox.sent_delta_link:
            raise CursorExpired("no delta link yet")
        inbox, inbox_link = await self._delta(mailbox, mailbox.delta_link, None, False)
        sent, sent_link = await self._delta(mailbox, mailbox.sent_delta_link, None, True)
        return Changes(inbox + sent, Cursor(delta_link=inbox_link, sent_delta_link=sent_link))

    async def recent(self, mailbox: Mailbox, since: datetime, limit: int) -> Changes:
        fresh = await self._fresh(mailbox, since)
        return Changes(fresh.refs[-limit:], fresh.cursor)

    async def fetch(self, mailbox: Mailbox, ref: MessageRef) -> FetchedMessage | None:
        url = f"{self._api}/me/messages/{quote(ref.message_id, safe='')}"
        try:
            meta = await self._call(mailbox, "GET", url, params={"$select": _SELECT})
        except ProviderError as exc:
            if exc.kind == "not_found":
                return None  # deleted or moved since the delta named it
            raise
        if meta.get("isDraft"):
            return None
        raw = await self._http.request(mailbox.mailbox_id, "GET", url + "/$value")
        if raw.status_code == 404:
            return None
        if not raw.is_success:
            raise ProviderError("rejected", raw.text[:300], raw.status_code)
        return FetchedMessage(
            provider_message_id=str(meta["id"]),
            provider_thread_id=meta.get("conversationId"),
            raw=raw.content,
            received_at=_parse_time(meta.get("receivedDateTime")),
            labels=frozenset({"SENT"} if ref.sent else {"INBOX"}),
            sent_by_mailbox=ref.sent,
        )

    async def list_messages(
        self, mailbox: Mailbox, q: str, max_results: int, page_token: str | None
    ) -> MessagePage:
        if page_token:
            url, params = _decode_page_token(page_token, self._api), None
        else:
            url, params = f"{self._api}/me/messages", _list_params(q, max_results)
        data = await self._call(mailbox, "GET", url, params=params)
        messages = [_summary(item) for item in data.get("value", [])]
        next_link = data.get("@odata.nextLink")
        return MessagePage(messages, _encode_page_token(next_link) if next_link else None)


def _list_params(q: str, max_results: int) -> dict[str, str]:
    params = {"$top": str(max_results), "$select": _LIST_SELECT}
    field, _, value = q.partition(":")
    value = value.strip().replace("'", "''")
    if field == "from" and value:
        params["$filter"] = f"from/emailAddress/address eq '{value}'"
    elif field == "subject" and value:
        params["$filter"] = f"subject eq '{value}'"
    elif q.strip():
        params["$search"] = '"' + q.replace('"', "") + '"'
    return params


def _encode_page_token(next_link: str) -> str:
    return base64.urlsafe_b64encode(next_link.encode()).decode()


def _decode_page_token(token: str, api: str) -> str:
    """The nextLink inside a page token, only if it points at our Graph (no SSRF)."""
    try:
        url = base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise ProviderError("rejected", "page_token is not one we issued") from None
    if not url.startswith(api + "/"):
        raise ProviderError("rejected", "page_token is not one we issued")
    return url


def _summary(item: dict[str, Any]) -> MessageSummary:
    sender = item.get("from", {}).get("emailAddress", {})
    return MessageSummary(
        id=str(item.get("id", "")),
        thread_id=item.get("conversationId"),
        from_address=str(sender.get("address", "")).lower(),
        to=[
            str(r.get("emailAddress", {}).get("address", "")).lower()
            for r in item.get("toRecipients", [])
        ],
        subject=str(item.get("subject", "")),
        date=_parse_time(item.get("receivedDateTime")),
        snippet=str(item.get("bodyPreview", ""))[:200],
    )
