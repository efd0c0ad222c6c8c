"""Eval of the guard and the rule-based qualification on the labelled example leads.

Prints both confusion tables (run with -s to see them) and asserts floors that matter:
no wanted lead is thrown away as spam, no spam or injection ever passes, and most
labels agree. The exact figures go to the report, not into assertions.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from leadwire.events import ClientChanged, LeadReceived
from leadwire_drafter.domain.guard import judge
from leadwire_drafter.domain.language import detect_language
from leadwire_drafter.domain.qualification import qualify
from leadwire_drafter.testing import sample_client, sample_lead

DATA = json.loads((Path(__file__).parents[1] / "data" / "labelled_leads.json").read_text())
VERDICTS = ("pass", "suspicious", "spam")


def _lead(item: dict[str, Any]) -> LeadReceived:
    fields: dict[str, Any] = {
        "from_address": item["from"],
        "from_name": "",
        "subject": item.get("subject", ""),
        "body_text": item.get("body", ""),
        "signals": item.get("signals", {}),
        "attachments": item.get("attachments", []),
    }
    if item.get("source") == "form":
        fields.update(
            source="form", mailbox_id=None, provider=None, provider_message_id=None,
            form_fields=item["form_fields"],
        )  # fmt: skip
    return sample_lead(**fields)


def _client() -> ClientChanged:
    return sample_client(**DATA["client"])


def _table(title: str, pairs: list[tuple[str, str]], labels: tuple[str, ...]) -> str:
    counts = Counter(pairs)
    rows = [
        f"{title} (rows: expected, columns: got)",
        "".ljust(12) + "".join(f"{g:>12}" for g in labels),
    ]
    for expected in labels:
        rows.append(expected.ljust(12) + "".join(f"{counts[(expected, g)]:>12}" for g in labels))
    return "\n".join(rows)


@pytest.fixture(scope="module")
def results() -> list[dict[str, Any]]:
    client = _client()
    out = []
    for item in DATA["leads"]:
        lead = _lead(item)
        guard = judge(lead)
        score = qualify(lead, client)
        out.append({**item, "got_verdict": guard.verdict, "score": score.score, "guard": guard})
    return out


def test_the_set_is_big_and_varied_enough() -> None:
    categories = Counter(item["category"] for item in DATA["leads"])
    assert len(DATA["leads"]) >= 40
    assert set(categories) == {
        "clean",
        "spam",
        "phishing",
        "injection",
        "low-fit",
        "other-language",
    }


def test_guard_confusion_table(results: list[dict[str, Any]]) -> None:
    pairs = [(r["verdict"], r["got_verdict"]) for r in results]
    print("\n" + _table("guard", pairs, VERDICTS))
    for r in results:
        if r["got_verdict"] != r["verdict"]:
            print(
                f"  miss {r['id']}: expected {r['verdict']}, got {r['got_verdict']}: {r['guard'].reasons()}"
            )
    wanted = [r for r in results if r["category"] in ("clean", "other-language", "low-fit")]
    assert all(r["got_verdict"] != "spam" for r in wanted), "a wanted lead was discarded as spam"
    bad = [r for r in results if r["category"] in ("spam", "phishing", "injection")]
    assert all(r["got_verdict"] != "pass" for r in bad), "spam, phishing or injection passed"
    agree = sum(1 for e, g in pairs if e == g)
    assert agree / len(pairs) >= 0.85


def test_qualification_confusion_table(results: list[dict[str, Any]]) -> None:
    threshold = _client().qualification_threshold
    pairs = [
        (
            "qualified" if r["qualified"] else "not",
            "qualified" if r["score"] >= threshold else "not",
        )
        for r in results
    ]
    print("\n" + _table(f"qualification (threshold {threshold})", pairs, ("qualified", "not")))
    for r, (expected, got) in zip(results, pairs, strict=True):
        if expected != got:
            print(f"  miss {r['id']}: expected {expected}, score {r['score']}")
    agree = sum(1 for e, g in pairs if e == g)
    assert agree / len(pairs) >= 0.8
    clean = [r for r in results if r["category"] == "clean"]
    assert all(r["score"] >= threshold for r in clean), "a clean lead scored below the threshold"


def test_language_is_detected_for_the_other_language_leads() -> None:
    for item in DATA["leads"]:
        if "language" in item:
            assert detect_language(item["body"]) == item["language"], item["id"]
