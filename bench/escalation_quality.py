"""Escalation detection quality on the two development sets and the held-out set.

Prints per-reason precision/recall/F1 and the overall escalate yes/no recall
and precision. Pure Python rules, no model: runs in about a second.

    .venv/bin/python bench/escalation_quality.py [--mistakes]

--mistakes also lists the development set's misclassified messages. It never
lists the held-out set's messages: rules must not be tuned on them.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import PROJECT_ROOT  # noqa: E402
from bot.triage.escalation import load_examples, measure  # noqa: E402

DATA = PROJECT_ROOT / "tests" / "data"
SETS = (("development set", DATA / "escalation_dev.yml", True),
        ("second development set (another writer)", DATA / "escalation_dev_more.yml", True),
        ("held-out set", DATA / "escalation_eval.yml", False))


def main() -> None:
    show_mistakes = "--mistakes" in sys.argv[1:]
    for title, path, may_show in SETS:
        if not path.exists():
            print(f"\n{title}: {path.relative_to(PROJECT_ROOT)} does not exist (skipped)")
            continue
        examples = load_examples(path)
        started = time.monotonic()
        report = measure(examples)
        elapsed = time.monotonic() - started
        print("\n" + report.format(f"{title}, {path.relative_to(PROJECT_ROOT)}"))
        print(f"({1000 * elapsed / max(1, len(examples)):.2f} ms/message)")
        if show_mistakes and may_show:
            for example, got in report.mistakes:
                print(f"  expected {example.reason:<17} got {got.reason:<17} {example.text}")


if __name__ == "__main__":
    main()
