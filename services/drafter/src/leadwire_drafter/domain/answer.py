"""Reading the LLM's structured answer: draft text plus its own qualification."""

from __future__ import annotations

import json
from dataclasses import dataclass


class AnswerError(ValueError):
    """The LLM's answer is not the JSON object the schema asked for."""


@dataclass(frozen=True)
class Answer:
    subject: str
    body: str
    # None when the model gave no usable score (then the rules score the lead).
    score: int | None
    score_reasons: tuple[str, ...]


def parse_answer(content: str) -> Answer:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise AnswerError(f"answer is not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise AnswerError("answer is not a JSON object")
    body = data.get("body")
    if not isinstance(body, str):
        raise AnswerError("answer has no string 'body'")
    subject = data.get("subject") if isinstance(data.get("subject"), str) else ""
    return Answer(
        subject=str(subject).strip(),
        body=body.strip(),
        score=_score(data),
        score_reasons=_reasons(data),
    )


def _score(data: dict[str, object]) -> int | None:
    score, reasons = data.get("score"), _reasons(data)
    # A bare number with no reason is not an assessment (a model filling a schema).
    if isinstance(score, bool) or not isinstance(score, int | float) or not reasons:
        return None
    if not 0 <= score <= 100:
        return None
    return int(score)


def _reasons(data: dict[str, object]) -> tuple[str, ...]:
    raw = data.get("score_reasons")
    if not isinstance(raw, list):
        return ()
    return tuple(str(r).strip()[:200] for r in raw if isinstance(r, str) and r.strip())[:5]
