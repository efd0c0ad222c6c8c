"""Microsoft Graph: a draft (`createReply` on the lead's message, or a new message), then
`send`. The draft's `internetMessageId` is recorded before `send`, so a lost answer is
found with `internetMessageId eq` in Sent Items, and an unsent draft is sent, not rewritten.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx

from leadwire_sender.domain.errors import ProviderFailure
from leadwire_sender.domain.mime import Mailbox, OutgoingEmail
from leadwire_sender.providers.base import (
    OnPrepared,
    Prepared,
    ProviderCallError,
    SentMessage,
    ThreadInfo,
    ThreadTarget,
    call,
)

_ME = "/v1.0/me"


class GraphProvider:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http  # base_url = GRAPH_BASE_URL

    async def send_reply(
        self,
        token: str,
        email: OutgoingEmail,
        target: ThreadTarget,
        prepared: Prepared | None,
        on_prepared: OnPrepared,
    ) -> SentMessage:
        if not target.message_id:
            return await self.send_new(token, email, prepared, on_prepared)
        if prepared is not None and await self._send_draft(token, prepared.draft_id):
            return await self._sent(token, prepared)
        response = await call(
            self._http.post(
                f"{_ME}/messages/{target.message_id}/createReply",
                json={"message": _message(email)},
                headers=_auth(token),
            )
        )
        return await self._finish(token, email, response.json(), on_prepared)

    async def send_new(
        self, token: str, email: OutgoingEmail, prepared: Prepared | None, on_prepared: OnPrepared
    ) -> SentMessage:
        if prepared is not None and await self._send_draft(token, prepared.draft_id):
            return await self._sent(token, prepared)
        spec = {**_message(email), "subject": email.subject}
        response = await call(self._http.post(f"{_ME}/messages", json=spec, headers=_auth(token)))
        return await self._finish(token, email, response.json(), on_prepared)

    async def find_sent_by_message_id(self, token: str, rfc_message_id: str) -> SentMessage | None:
        quoted = rfc_message_id.replace("'", "''")
        params = {
            "$filter": f"internetMessageId eq '{quoted}'",
            "$select": "id,conversationId,isDraft",
        }
        response = await call(
            self._http.get(
                f"{_ME}/mailFolders/sentitems/messages", params=params, headers=_auth(token)
            )
        )
        found = [m for m in response.json().get("value") or [] if not m.get("isDraft")]
        if not found:
            return None
        return SentMessage(message_id=str(found[0]["id"]), thread_id=found[0].get("conversationId"))

    async def thread_of(self, token: str, message_id: str) -> ThreadInfo:
        params = {"$select": "id,conversationId,internetMessageId,subject"}
        response = await call(
            self._http.get(f"{_ME}/messages/{message_id}", params=params, headers=_auth(token))
        )
        data = response.json()
        return ThreadInfo(
            message_id=str(data["id"]),
            thread_id=data.get("conversationId"),
            rfc_message_id=data.get("internetMessageId"),
            references=(),  # createReply writes In-Reply-To / References itself
            subject=str(data.get("subject") or ""),
        )

    async def _finish(
        self, token: str, email: OutgoingEmail, draft: dict[str, Any], on_prepared: OnPrepared
    ) -> SentMessage:
        prepared = Prepared(str(draft["id"]), str(draft.get("internetMessageId") or ""))
        await on_prepared(prepared)  # committed before `send`: a restart finds this draft
        for item in email.attachments:
            await call(
                self._http.post(
                    f"{_ME}/messages/{prepared.draft_id}/attachments",
                    json={
                        "@odata.type": "#microsoft.graph.fileAttachment",
                        "name": item.filename,
                        "contentType": item.content_type,
                        "contentBytes": base64.b64encode(item.content).decode("ascii"),
                    },
                    headers=_auth(token),
                )
            )
        if not await self._send_draft(token, prepared.draft_id):
            raise ProviderCallError(_draft_vanished())
        return await self._sent(token, prepared, draft.get("conversationId"))

    async def _send_draft(self, token: str, draft_id: str) -> bool:
        """Send an existing draft; False when it no longer exists as a draft."""
        try:
            await call(self._http.post(f"{_ME}/messages/{draft_id}/send", headers=_auth(token)))
        except ProviderCallError as exc:
            if exc.failure.status in (400, 404):
                return False
            raise
        return True

    async def _sent(
        self, token: str, prepared: Prepared, conversation_id: str | None = None
    ) -> SentMessage:
        """The Sent Items copy (its id differs from the draft's at Microsoft); a failed
        lookup after a successful `send` must not turn a sent message into an error."""
        try:
            found = await self.find_sent_by_message_id(token, prepared.rfc_message_id)
        except ProviderCallError:
            found = None
        return found or SentMessage(prepared.draft_id, conversation_id)


def _recipients(people: tuple[Mailbox, ...]) -> list[dict[str, Any]]:
    return [{"emailAddress": {"address": p.address, "name": p.name or p.address}} for p in people]


def _message(email: OutgoingEmail) -> dict[str, Any]:
    """Recipients, subject and body set explicitly (a reply to our own sent message would
    otherwise be addressed to ourselves)."""
    body = (
        {"contentType": "html", "content": email.html}
        if email.html
        else {"contentType": "text", "content": email.text}
    )
    return {
        "subject": email.subject,
        "toRecipients": _recipients(email.to),
        "ccRecipients": _recipients(email.cc),
        "bccRecipients": _recipients(email.bcc),
        "body": body,
    }


def _draft_vanished() -> ProviderFailure:
    return ProviderFailure(404, "draftVanished", "the draft was deleted before it was sent")


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
