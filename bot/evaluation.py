"""Measure triage quality on a labelled split: per-type precision, recall and F1."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")


def strip_annotations(example: str) -> str:
    """`[ノートパソコン](product)が届かない` -> `ノートパソコンが届かない`."""
    return _ANNOTATION.sub(lambda m: m.group(1) or m.group(2), example)


def load_labelled_examples(paths: list[Path]) -> list[tuple[str, str]]:
    """(text, intent) pairs from Rasa NLU YAML files."""
    pairs = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
        for block in data.get("nlu", []):
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    pairs.append((strip_annotations(line[2:].strip()), block["intent"]))
    return pairs


@dataclass(frozen=True)
class LabelScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


def text_key(text: str) -> str:
    """A text as far as a duplicate goes: annotations, spaces and punctuation out."""
    return "".join(ch for ch in strip_annotations(text) if ch.isalnum())


def training_text_keys(root: Path) -> set[str]:
    """``text_key`` of every text the model trains on: the NLU files (the writers' too) and the FAQ's questions."""
    from bot.faq import load_faq

    faq = [q for entry in load_faq(root / "data" / "faq.yml") for q in entry.questions + entry.questions_en]
    nlu = load_labelled_examples(sorted((root / "data" / "nlu").rglob("*.yml")))
    return {text_key(t) for t, _ in nlu} | {text_key(q) for q in faq}


def score(gold: list[str], predicted: list[str], labels: list[str]) -> list[LabelScore]:
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(LabelScore(label, precision, recall, f1, tp + fn))
    return scores


def macro_f1(scores: list[LabelScore]) -> float:
    return sum(s.f1 for s in scores) / len(scores)


def format_report(scores: list[LabelScore], title: str) -> str:
    lines = [title, f"{'issue type':<20}{'precision':>10}{'recall':>10}{'F1':>8}{'n':>6}"]
    for s in scores:
        lines.append(f"{s.label:<20}{s.precision:>10.3f}{s.recall:>10.3f}{s.f1:>8.3f}{s.support:>6}")
    lines.append(f"{'macro F1':<20}{'':>20}{macro_f1(scores):>8.3f}")
    return "\n".join(lines)
