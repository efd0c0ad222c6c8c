"""Score ingest's parser and lead classifier against a labelled corpus of raw mail.

    python scripts/eval_ingest.py [CORPUS_DIR]      # or MAIL_CORPUS_DIR=...; make eval-ingest

The corpus (NNNN.eml + labels.csv: file,label,source,note) lives outside the repository
and is only read. Prints, per label, how many messages became leads / not-leads /
bounces / unparseable, then the non-lead reasons and every parse failure.
"""

from __future__ import annotations

import csv
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from leadwire_ingest.domain.classify import MailboxFacts, classify
from leadwire_ingest.domain.message import Unparseable, parse_message

DEFAULT_CORPUS = Path("../shared/mail-corpus")  # beside the checkout, as on the dev machines
# What each label should become; "odd" and "thread_reply" have no single right answer.
EXPECTED = {
    "lead_like": "lead",
    "thread_reply": "lead",
    "auto_reply": "not_lead",
    "list": "not_lead",
    "spam": "not_lead",
    "bounce": "bounce",
    "odd": "?",
}
FACTS = MailboxFacts(mailbox_address="inbox@leadwire-eval.test")


def corpus_dir() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    return Path(os.environ.get("MAIL_CORPUS_DIR", DEFAULT_CORPUS))


def evaluate(root: Path) -> int:
    rows = list(csv.DictReader((root / "labels.csv").open(encoding="utf-8")))
    table: dict[str, Counter[str]] = defaultdict(Counter)
    reasons: Counter[str] = Counter()
    failures: list[str] = []
    misses: list[str] = []
    spent = 0.0
    for row in rows:
        raw = (root / row["file"]).read_bytes()
        started = time.perf_counter()
        parsed = parse_message(raw)
        if isinstance(parsed, Unparseable):
            table[row["label"]]["unparseable"] += 1
            failures.append(f"{row['file']} ({row['label']}): {parsed.reason}")
            continue
        decision = classify(parsed, FACTS)
        spent += time.perf_counter() - started
        table[row["label"]][decision.outcome] += 1
        reasons[decision.code] += 1
        expected = EXPECTED.get(row["label"], "?")
        got = (
            "not_lead"
            if decision.outcome == "bounce" and expected == "not_lead"
            else decision.outcome
        )
        if expected != "?" and got != expected:
            misses.append(
                f"{row['file']} {row['label']} → {decision.outcome}: {decision.reason[:90]}"
            )
    print(f"corpus: {root} ({len(rows)} messages)\n")
    print("| label | n | lead | not_lead | bounce | unparseable | expected |")
    print("|---|---|---|---|---|---|---|")
    for label in sorted(table):
        c = table[label]
        print(
            f"| {label} | {sum(c.values())} | {c['lead']} | {c['not_lead']} | {c['bounce']} "
            f"| {c['unparseable']} | {EXPECTED.get(label, '?')} |"
        )
    print("\nreasons:", ", ".join(f"{k}={v}" for k, v in reasons.most_common()))
    print(f"\nparse + classify: {spent / len(rows) * 1000:.2f} ms per message (mean)")
    print(f"\nparse failures: {len(failures)}")
    for line in failures:
        print("  " + line)
    print(f"\nmisclassified (vs expected): {len(misses)}")
    for line in misses:
        print("  " + line)
    return 0


def main() -> int:
    root = corpus_dir()
    if not (root / "labels.csv").is_file():
        print(f"no labelled corpus at {root} (set MAIL_CORPUS_DIR)", file=sys.stderr)
        return 2
    return evaluate(root)


if __name__ == "__main__":
    raise SystemExit(main())
