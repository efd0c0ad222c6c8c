"""Gmail: `users.messages.send` with our raw MIME (and `threadId` for replies); our
Message-ID is searchable with `rfc822msgid:` in SENT, which is how a lost answer is found."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from leadwire_sender.domain.mime import OutgoingEmail, build_message, gmail_raw
from leadwire_sender.providers.base import (
    OnPrepared,
    Prepared,
    SentMessage,
    ThreadInfo,
    ThreadTarget,
    call,
)

_BASE = "/gmail/v1/users/me"


class GmailProvider:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http  # base_url = GMAIL_API_BASE_URL

    async def send_reply(
        self,
        token: str,
        email: OutgoingEmail,
        target: ThreadTarget,
        prepared: Prepared | None,
        on_prepared: OnPrepared,
    ) -> SentMessage:
        return await self._send(token, email, target.thread_id)

    async def send_new(
        self, token: str, email: OutgoingEmail, prepared: Prepared | None, on_prepared: OnPrepared
    ) -> SentMessage:
        return await self._send(token, email, None)

    async def _send(self, token: str, email: OutgoingEmail, thread_id: str | None) -> SentMessage:
        body: dict[str, str] = {"raw": gmail_raw(build_message(email, datetime.now(UTC)))}
        if thread_id:
            body["threadId"] = thread_id
        response = await call(
            self._http.post(f"{_BASE}/messages/send", json=body, headers=_auth(token))
        )
        data = response.json()
        return SentMessage(message_id=str(data["id"]), thread_id=data.get("threadId"))

    async def find_sent_by_message_id(self, token: str, rfc_message_id: str) -> SentMessage | None:
        params = {"q": f"rfc822msgid:{rfc_message_id}", "labelIds": "SENT", "maxResults": "1"}
        response = await call(
            self._http.get(f"{_BASE}/messages", params=params, headers=_auth(token))
        )
        found = response.json().get("messages") or []
        if not found:
            return None
        return SentMessage(message_id=str(found[0]["id"]), thread_id=found[0].get("threadId"))

    async def thread_of(self, token: str, message_id: str) -> ThreadInfo:
        params = {"format": "metadata", "metadataHeaders": ["Message-ID", "References", "Subject"]}
        response = await call(
            self._http.get(f"{_BASE}/messages/{message_id}", params=params, headers=_auth(token))
        )
        data = response.json()
        headers = {
            h["name"].lower(): h["value"] for h in (data.get("payload") or {}).get("headers", [])
        }
        return ThreadInfo(
            message_id=str(data["id"]),
            thread_id=data.get("threadId"),
            rfc_message_id=headers.get("message-id"),
            references=tuple(headers.get("references", "").split()),
            subject=headers.get("subject", ""),
        )


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
