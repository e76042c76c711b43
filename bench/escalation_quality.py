"""Escalation detection quality on the development sets and the held-out set.

Prints per-reason precision/recall/F1 and the overall escalate yes/no recall
and precision, for the rules alone and for rules + the trained language model
(as the assistant runs; needs `./madoguchi setup` to have trained it).

    .venv/bin/python bench/escalation_quality.py [--mistakes] [--rules-only]

--mistakes also lists the development sets' misclassified messages. It never
lists the held-out set's messages: nothing may be tuned on them. The model
was trained on the development sets' escalation examples, so its figures on
them are not a measure of generalisation; the held-out set's are.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import PROJECT_ROOT, load_settings  # noqa: E402
from bot.modelfiles import current_model_path  # noqa: E402
from bot.triage.quality import load_examples, measure  # noqa: E402

DATA = PROJECT_ROOT / "tests" / "data"
SETS = (("development set", DATA / "escalation_dev.yml", True),
        ("second development set (another writer)", DATA / "escalation_dev_more.yml", True),
        ("fourth development set (a fourth writer)", DATA / "escalation_dev_fourth.yml", True),
        ("held-out set", DATA / "escalation_eval.yml", False))


def main() -> None:
    show_mistakes = "--mistakes" in sys.argv[1:]
    parse = None
    model = current_model_path(load_settings().models_dir)
    if "--rules-only" not in sys.argv[1:]:
        if model.exists():
            from bot.rasa_nlu.model import load_parser
            parse = load_parser(model)
        else:
            print(f"(no trained model at {model}: rules only; run ./madoguchi setup)")
    for title, path, may_show in SETS:
        if not path.exists():
            print(f"\n{title}: {path.relative_to(PROJECT_ROOT)} does not exist (skipped)")
            continue
        examples = load_examples(path)
        modes = [("rules", None)]
        if parse is not None:
            modes.append(("rules + model", [r.top_intent for r in parse(e.text for e in examples)]))
        for mode, model_intents in modes:
            started = time.monotonic()
            report = measure(examples, model_intents)
            elapsed = time.monotonic() - started
            print("\n" + report.format(f"{title} [{mode}], {path.relative_to(PROJECT_ROOT)}"))
            print(f"({1000 * elapsed / max(1, len(examples)):.2f} ms/message, model parse not counted)")
            if show_mistakes and may_show:
                for example, got in report.mistakes:
                    print(f"  expected {example.reason:<17} got {got.reason:<17} {example.text}")


if __name__ == "__main__":
    main()
