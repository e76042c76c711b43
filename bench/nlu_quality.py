"""NLU quality on the held-out split: madoguchi's pipeline vs Rasa's stock default.

Prints per-type precision/recall/F1 and macro-F1 for both. The stock default
pipeline (WhitespaceTokenizer, char_wb n-grams, DIET) refuses language `ja`, so
it runs as Rasa ships it, with `language: en`, on the same training data.

    .venv/bin/python bench/nlu_quality.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import PROJECT_ROOT, load_settings  # noqa: E402
from bot.evaluation import format_report, load_labelled_examples, macro_f1, score  # noqa: E402
from bot.modelfiles import current_model_path  # noqa: E402
from bot.rasa_nlu.model import load_parser  # noqa: E402
from bot.support import ISSUE_TYPES  # noqa: E402
from bot.triage import triage  # noqa: E402

STOCK_CONFIG = "recipe: default.v1\nlanguage: en\npipeline:\npolicies:\n"


def evaluate(model: Path, title: str) -> float:
    examples = load_labelled_examples(sorted((PROJECT_ROOT / "tests" / "data" / "nlu_test").glob("*.yml")))
    parse = load_parser(model)
    started = time.monotonic()
    predicted = [triage(r).issue_type for r in parse(t for t, _ in examples)]
    elapsed = time.monotonic() - started
    scores = score([label for _, label in examples], predicted, list(ISSUE_TYPES))
    print(format_report(scores, f"\n{title} ({len(examples)} held-out messages, "
                                f"{1000 * elapsed / len(examples):.1f} ms/message)"))
    return macro_f1(scores)


def train_stock(out_dir: Path) -> Path:
    config = out_dir / "stock_config.yml"
    config.write_text(STOCK_CONFIG)
    subprocess.run([sys.executable, "-m", "rasa", "train", "nlu", "--config", str(config), "--nlu", "data/nlu",
                    "--out", str(out_dir), "--fixed-model-name", "stock", "--quiet"],
                   cwd=PROJECT_ROOT, check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out_dir / "stock.tar.gz"


def main() -> None:
    ours = current_model_path(load_settings().models_dir)
    if not ours.exists():
        sys.exit(f"no trained model at {ours}: run ./madoguchi setup first")
    ours_f1 = evaluate(ours, "madoguchi pipeline (config.yml)")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        stock = train_stock(Path(tmp))
        print(f"\n(stock model trained in {time.monotonic() - started:.0f} s)")
        stock_f1 = evaluate(stock, "Rasa stock default pipeline")
    print(f"\nmacro-F1: madoguchi {ours_f1:.3f} vs stock {stock_f1:.3f} ({ours_f1 - stock_f1:+.3f})")


if __name__ == "__main__":
    main()
