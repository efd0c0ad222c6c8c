"""Gmail API adapter: users.watch/stop, history.list paging, messages.get raw, list.

Watches INBOX and SENT (SENT shows mail a person sent by hand). A history 404 means
the stored historyId is older than Gmail keeps: `CursorExpired`, and the sync resyncs.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from leadwire_ingest.domain.models import Mailbox
from leadwire_ingest.domain.payloads import FetchedMessage
from leadwire_ingest.providers.base import (
    AuthorizedHttp,
    Changes,
    Cursor,
    CursorExpired,
    MessagePage,
    MessageRef,
    ProviderError,
    Watch,
    summary_of,
)

WATCHED_LABELS = ["INBOX", "SENT"]
_SKIPPED_LABELS = {"DRAFT", "CHAT"}
_PAGE = 500


def _from_ms(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value) / 1000, UTC)


class GmailProvider:
    def __init__(self, http: AuthorizedHttp, base_url: str, topic: str) -> None:
        self._http = http
        self._base = base_url.rstrip("/") + "/gmail/v1/users/me"
        self._topic = topic

    async def _json(self, mailbox: Mailbox, method: str, path: str, **kw: Any) -> dict[str, Any]:
        response = await self._http.request(mailbox.mailbox_id, method, self._base + path, **kw)
        if response.status_code == 404:
            raise ProviderError("not_found", f"{path}: not found", 404)
        if not response.is_success:
            raise ProviderError("rejected", response.text[:300], response.status_code)
        return response.json() if response.content else {}

    async def start_watch(self, mailbox: Mailbox) -> Watch:
        body = {
            "topicName": self._topic,
            "labelIds": WATCHED_LABELS,
            "labelFilterBehavior": "include",
        }
        data = await self._json(mailbox, "POST", "/watch", json=body)
        return Watch(expires_at=_from_ms(data["expiration"]), history_id=str(data["historyId"]))

    async def renew_watch(self, mailbox: Mailbox) -> Watch:
        return await self.start_watch(mailbox)  # calling watch again renews it

    async def stop_watch(self, mailbox: Mailbox) -> None:
        await self._http.request(mailbox.mailbox_id, "POST", self._base + "/stop")

    async def initial_cursor(self, mailbox: Mailbox, since: datetime) -> Changes:
        """The current historyId, plus recent mail to import into the timeline."""
        profile = await self._json(mailbox, "GET", "/profile")
        recent = await self.recent(mailbox, since, _PAGE)
        return Changes(recent.refs, Cursor(history_id=str(profile["historyId"])))

    async def changes(self, mailbox: Mailbox) -> Changes:
        if not mailbox.history_id:
            raise CursorExpired("no history id yet")
        refs: dict[str, MessageRef] = {}
        params: dict[str, Any] = {
            "startHistoryId": mailbox.history_id,
            "historyTypes": "messageAdded",
            "maxResults": _PAGE,
        }
        latest = mailbox.history_id
        while True:
            path = "/history"
            response = await self._http.request(
                mailbox.mailbox_id, "GET", self._base + path, params=params
            )
            if response.status_code == 404:
                raise CursorExpired(f"historyId {mailbox.history_id} is no longer available")
            if not response.is_success:
                raise ProviderError("rejected", response.text[:300], response.status_code)
            data = response.json()
            latest = str(data.get("historyId") or latest)
            for record in data.get("history", []):
                for added in record.get("messagesAdded", []):
                    ref = _ref(added.get("message", {}))
                    if ref is not None:
                        refs[ref.message_id] = ref
            if not data.get("nextPageToken"):
                return Changes(list(refs.values()), Cursor(history_id=latest))
            params["pageToken"] = data["nextPageToken"]

    async def recent(self, mailbox: Mailbox, since: datetime, limit: int) -> Changes:
        """Messages received after `since` (newest first, at most `limit`), for a resync."""
        profile = await self._json(mailbox, "GET", "/profile")  # cursor first: nothing slips
        refs: list[MessageRef] = []
        token: str | None = None
        query = f"after:{int(since.timestamp())} -in:drafts"
        while len(refs) < limit:
            params: dict[str, Any] = {"q": query, "maxResults": min(_PAGE, limit - len(refs))}
            if token:
                params["pageToken"] = token
            data = await self._json(mailbox, "GET", "/messages", params=params)
            refs += [MessageRef(m["id"]) for m in data.get("messages", [])]
            token = data.get("nextPageToken")
            if not token:
                break
        return Changes(refs, Cursor(history_id=str(profile["historyId"])))

    async def fetch(self, mailbox: Mailbox, ref: MessageRef) -> FetchedMessage | None:
        response = await self._http.request(
            mailbox.mailbox_id,
            "GET",
            f"{self._base}/messages/{ref.message_id}",
            params={"format": "raw"},
        )
        if response.status_code == 404:
            return None  # deleted since the history named it
        if not response.is_success:
            raise ProviderError("rejected", response.text[:300], response.status_code)
        data = response.json()
        labels = frozenset(str(lbl).upper() for lbl in data.get("labelIds", []))
        if labels & _SKIPPED_LABELS:
            return None
        raw = base64.urlsafe_b64decode(data.get("raw", "") + "=" * (-len(data.get("raw", "")) % 4))
        return FetchedMessage(
            provider_message_id=data["id"],
            provider_thread_id=data.get("threadId"),
            raw=raw,
            received_at=_from_ms(data.get("internalDate") or 0),
            labels=labels,
            sent_by_mailbox="SENT" in labels,
        )

    async def list_messages(
        self, mailbox: Mailbox, q: str, max_results: int, page_token: str | None
    ) -> MessagePage:
        params: dict[str, Any] = {"q": q, "maxResults": max_results}
        if page_token:
            params["pageToken"] = page_token
        data = await self._json(mailbox, "GET", "/messages", params=params)
        summaries = []
        for ref in data.get("messages", []):
            fetched = await self.fetch(mailbox, MessageRef(ref["id"]))
            if fetched is not None:
                summaries.append(summary_of(fetched))
        return MessagePage(summaries, data.get("nextPageToken"))


def _ref(message: dict[str, Any]) -> MessageRef | None:
    labels = set(message.get("labelIds") or [])
    if "id" not in message or labels & _SKIPPED_LABELS:
        return None
    return MessageRef(message["id"], sent="SENT" in labels)
