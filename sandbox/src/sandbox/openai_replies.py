"""Deterministic chat replies for the OpenAI-compatible fake (the rule is in sandbox/README.md).

Same model + same messages → same reply, so tests can assert on drafts:
  topic  = text after "Subject:" on the first such line of the last user message,
           else that message's first non-empty line (at most 80 characters)
  name   = text after "Name:" on such a line of the last user message, if any
  digest = first 10 hex digits of sha256(model + "\\n" + canonical JSON of the messages)
  reply  = 'Hello{ name},\\n\\nThank you for your message about "{topic}". We would be glad
           to help and will follow up with the details shortly.\\n\\nBest regards\\n[sandbox-draft {digest}]'
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"\w+|[^\w\s]")
_TOPIC_LIMIT = 80


def content_text(content: Any) -> str:
    """A message's content as text: a string, or the text parts of a content list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


def prompt_tokens(messages: list[dict[str, Any]]) -> int:
    return sum(count_tokens(content_text(m.get("content"))) + 4 for m in messages) + 3


def _line_value(text: str, label: str) -> str | None:
    for line in text.splitlines():
        if line.strip().lower().startswith(label):
            return line.strip()[len(label) :].strip() or None
    return None


@dataclass(frozen=True)
class Reply:
    topic: str
    name: str | None
    digest: str

    @property
    def text(self) -> str:
        greeting = f"Hello {self.name}," if self.name else "Hello,"
        return (
            f'{greeting}\n\nThank you for your message about "{self.topic}". We would be '
            "glad to help and will follow up with the details shortly.\n\nBest regards\n"
            f"[sandbox-draft {self.digest}]"
        )

    def as_json_object(self) -> dict[str, Any]:
        return {
            "subject": f"Re: {self.topic}",
            "body": self.text,
            "topic": self.topic,
            "digest": self.digest,
        }

    def fill_schema(self, schema: dict[str, Any], name: str = "") -> Any:
        """A value matching a JSON schema, filled from the reply where names suggest it."""
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "string")
        if schema.get("enum"):
            return schema["enum"][0]
        if kind == "object" or "properties" in schema:
            props = schema.get("properties") or {}
            return {key: self.fill_schema(sub, key) for key, sub in props.items()}
        if kind == "array":
            return []
        if kind == "boolean":
            return False
        if kind in ("number", "integer"):
            return 0
        return self._string_for(name.lower())

    def _string_for(self, name: str) -> str:
        if name in ("subject", "title"):
            return f"Re: {self.topic}"
        if name in ("body", "reply", "text", "content", "draft", "message", "answer"):
            return self.text
        if name == "digest":
            return self.digest
        return self.topic if name in ("topic", "summary") else f"{name}: {self.topic}"


def make_reply(model: str, messages: list[dict[str, Any]]) -> Reply:
    canonical = json.dumps(messages, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(f"{model}\n{canonical}".encode()).hexdigest()[:10]
    users = [content_text(m.get("content")) for m in messages if m.get("role") == "user"]
    last = users[-1] if users else ""
    first_line = next((ln.strip() for ln in last.splitlines() if ln.strip()), "")
    topic = (_line_value(last, "subject:") or first_line or "your enquiry")[:_TOPIC_LIMIT]
    return Reply(topic=topic, name=_line_value(last, "name:"), digest=digest)
