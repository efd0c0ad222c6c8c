"""One Gmail mailbox: messages, threads, labels and the history log."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from sandbox.google.gmail_mime import snippet_of

SYSTEM_LABELS = [
    "INBOX",
    "SENT",
    "UNREAD",
    "STARRED",
    "IMPORTANT",
    "SPAM",
    "TRASH",
    "DRAFT",
    "CATEGORY_PERSONAL",
    "CATEGORY_SOCIAL",
    "CATEGORY_PROMOTIONS",
    "CATEGORY_UPDATES",
    "CATEGORY_FORUMS",
]
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fwd?|aw|sv|wg)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_MSGID = re.compile(r"<[^<>\s]+>")


def normalize_subject(subject: str) -> str:
    return " ".join(_SUBJECT_PREFIX.sub("", subject or "").split()).casefold()


def referenced_ids(msg: EmailMessage) -> list[str]:
    """Message-IDs named in In-Reply-To and References."""
    text = f"{msg.get('In-Reply-To', '')} {msg.get('References', '')}"
    return _MSGID.findall(text)


class HistoryGone(Exception):
    """startHistoryId is older than what the mailbox retains."""


@dataclass
class StoredMessage:
    id: str
    thread_id: str
    raw: bytes
    message: EmailMessage
    label_ids: list[str]
    internal_date: int  # ms since epoch
    history_id: int
    payload: dict[str, Any] | None = None  # format=full payload, built once (MIME never changes)
    _snippet: str | None = None

    @property
    def snippet(self) -> str:
        # Lazy: finding the text body is the costliest part of filing a message.
        if self._snippet is None:
            self._snippet = snippet_of(self.message)
        return self._snippet

    def ref(self) -> dict[str, Any]:
        return {"id": self.id, "threadId": self.thread_id}

    def ref_with_labels(self) -> dict[str, Any]:
        return {"id": self.id, "threadId": self.thread_id, "labelIds": list(self.label_ids)}


_HISTORY_KEYS = {
    "messageAdded": "messagesAdded",
    "messageDeleted": "messagesDeleted",
    "labelAdded": "labelsAdded",
    "labelRemoved": "labelsRemoved",
}


@dataclass
class HistoryRecord:
    id: int
    kind: str  # messageAdded | messageDeleted | labelAdded | labelRemoved
    message: dict[str, Any]  # {id, threadId, labelIds} as of the change
    labels: list[str] = field(default_factory=list)  # for label changes
    at: float = field(default_factory=time.time)  # for the time-bounded history window

    def as_json(self) -> dict[str, Any]:
        ref = {"id": self.message["id"], "threadId": self.message["threadId"]}
        out: dict[str, Any] = {"id": str(self.id), "messages": [ref]}
        key = _HISTORY_KEYS[self.kind]
        entry: dict[str, Any] = {"message": self.message}
        if self.kind.startswith("label"):
            entry["labelIds"] = self.labels
        out[key] = [entry]
        return out


@dataclass
class Watch:
    topic_name: str
    label_ids: list[str]
    expiration_ms: int
    label_filter_behavior: str = "include"  # include | exclude (Gmail's labelFilterBehavior)

    def covers(self, labels: set[str]) -> bool:
        """Whether a change touching messages with these labels is pushed."""
        if not self.label_ids:
            return True
        related = bool(labels.intersection(self.label_ids))
        return related if self.label_filter_behavior == "include" else not related


class GmailMailbox:
    def __init__(self, address: str, display_name: str, retention: int, **options: Any) -> None:
        self.address = address
        self.display_name = display_name
        self.options = options
        self.retention = retention
        self.messages: dict[str, StoredMessage] = {}
        self.threads: dict[str, list[str]] = {}
        self.by_rfc822: dict[str, str] = {}
        self.history: list[HistoryRecord] = []
        self.history_id = 100_000 + secrets.randbelow(900_000)
        self.history_floor = self.history_id  # a start id below this answers 404
        self.watch: Watch | None = None
        self.sent: list[str] = []

    # --- threading -------------------------------------------------------------
    def thread_for(self, msg: EmailMessage, requested: str | None, sending: bool) -> str | None:
        """Gmail joins a thread only if a reference and the subject both match.

        A message the mailbox sends joins only the thread the request names (threadId);
        received mail is threaded by its references alone."""
        if sending and not requested:
            return None
        refs = [self.by_rfc822[r] for r in referenced_ids(msg) if r in self.by_rfc822]
        subject = normalize_subject(str(msg.get("Subject", "")))
        candidates = [requested] if requested else [self.messages[m].thread_id for m in refs]
        for thread_id in candidates:
            first = self.messages[self.threads[thread_id][0]]
            same_subject = normalize_subject(str(first.message.get("Subject", ""))) == subject
            referenced = any(self.messages[m].thread_id == thread_id for m in refs)
            if same_subject and referenced:
                return thread_id
        return None

    # --- changes ---------------------------------------------------------------
    def _next_history(self) -> int:
        self.history_id += 1 + secrets.randbelow(3)  # Gmail's ids grow, not one by one
        return self.history_id

    def _log(self, record: HistoryRecord) -> None:
        self.history.append(record)
        if len(self.history) > self.retention:
            dropped = self.history[: len(self.history) - self.retention]
            del self.history[: len(dropped)]
            self.history_floor = dropped[-1].id

    def add(
        self,
        raw: bytes,
        msg: EmailMessage,
        labels: list[str],
        thread_id: str | None = None,
        sending: bool = False,
    ) -> StoredMessage:
        msg_id = secrets.token_hex(8)
        thread_id = self.thread_for(msg, thread_id, sending) or msg_id
        history_id = self._next_history()
        stored = StoredMessage(
            msg_id,
            thread_id,
            raw,
            msg,
            list(dict.fromkeys(labels)),
            int(time.time() * 1000),
            history_id,
        )
        self.messages[msg_id] = stored
        self.threads.setdefault(thread_id, []).append(msg_id)
        if msg.get("Message-ID"):
            self.by_rfc822[str(msg["Message-ID"]).strip()] = msg_id
        self._log(HistoryRecord(history_id, "messageAdded", stored.ref_with_labels()))
        return stored

    def modify(self, msg_id: str, add: list[str], remove: list[str]) -> set[str]:
        """Change labels; the labels the message had before or has after (empty: no change)."""
        stored = self.messages[msg_id]
        added = [lbl for lbl in add if lbl not in stored.label_ids]
        removed = [lbl for lbl in remove if lbl in stored.label_ids and lbl not in add]
        if not added and not removed:
            return set()
        touched = set(stored.label_ids) | set(added)
        stored.label_ids = [lbl for lbl in stored.label_ids if lbl not in removed] + added
        for kind, labels in (("labelAdded", added), ("labelRemoved", removed)):
            if labels:
                stored.history_id = self._next_history()
                self._log(HistoryRecord(stored.history_id, kind, stored.ref_with_labels(), labels))
        return touched

    def delete(self, msg_id: str) -> StoredMessage:
        """Delete permanently (messages.delete, or emptying the trash): messageDeleted."""
        stored = self.messages.pop(msg_id)
        thread = self.threads.get(stored.thread_id, [])
        if msg_id in thread:
            thread.remove(msg_id)
        if not thread:
            self.threads.pop(stored.thread_id, None)
        rfc822 = str(stored.message.get("Message-ID", "")).strip()
        if self.by_rfc822.get(rfc822) == msg_id:
            del self.by_rfc822[rfc822]
        self._log(HistoryRecord(self._next_history(), "messageDeleted", stored.ref_with_labels()))
        return stored

    def expire_history(self, older_than: float | None = None) -> None:
        """Forget records (all, or those older than `older_than` seconds): a startHistoryId
        before the oldest kept record now answers 404."""
        if older_than is None:
            self.history.clear()
            self.history_floor = self.history_id
            return
        cutoff = time.time() - older_than
        dropped = [rec for rec in self.history if rec.at < cutoff]
        if dropped:
            del self.history[: len(dropped)]
            self.history_floor = dropped[-1].id

    # --- reads -----------------------------------------------------------------
    def history_since(
        self, start: int, types: set[str], label: str | None, max_age: float | None = None
    ) -> list[HistoryRecord]:
        if max_age is not None:  # the window is bounded by time as well as by count
            self.expire_history(older_than=max_age)
        if start < self.history_floor:
            raise HistoryGone(start)
        out = []
        for rec in self.history:
            if rec.id <= start or (types and rec.kind not in types):
                continue
            if label and label not in rec.message["labelIds"] and label not in rec.labels:
                continue
            out.append(rec)
        return out

    def newest_first(self) -> list[StoredMessage]:
        return sorted(
            self.messages.values(), key=lambda m: (m.internal_date, m.history_id), reverse=True
        )

    def profile(self) -> dict[str, Any]:
        return {
            "emailAddress": self.address,
            "messagesTotal": len(self.messages),
            "threadsTotal": len(self.threads),
            "historyId": str(self.history_id),
        }
