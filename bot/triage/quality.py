"""Measuring escalation quality on a labelled set (tests and bench/escalation_quality.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.triage.escalation import NONE, REASONS, Escalation, detect_escalation

@dataclass(frozen=True)
class LabelledExample:
    text: str
    reason: str
    order_total: int | None = None
    intent: str | None = None


def load_examples(path) -> list[LabelledExample]:
    """Examples from a YAML file: ``version: 1`` and ``examples: [{text, reason, order_total?, intent?}]``."""
    import yaml

    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    examples = []
    for i, item in enumerate(data.get("examples") or []):
        reason = item.get("reason", NONE)
        if reason not in (*REASONS, NONE):
            raise ValueError(f"{path}: example {i + 1} has unknown reason {reason!r}")
        examples.append(LabelledExample(str(item["text"]), reason, item.get("order_total"), item.get("intent")))
    return examples


@dataclass(frozen=True)
class QualityReport:
    """Per-reason scores and the escalate yes/no recall and precision."""

    per_reason: tuple  # tuple[bot.evaluation.LabelScore, ...]
    escalation_recall: float
    escalation_precision: float
    n: int
    # Kept out of repr so a failing assertion never prints a held-out set's messages.
    mistakes: tuple[tuple[LabelledExample, Escalation], ...] = field(repr=False, default=())

    def format(self, title: str) -> str:
        lines = [f"{title} ({self.n} examples)",
                 f"{'reason':<20}{'precision':>10}{'recall':>10}{'F1':>8}{'n':>6}"]
        for s in self.per_reason:
            lines.append(f"{s.label:<20}{s.precision:>10.3f}{s.recall:>10.3f}{s.f1:>8.3f}{s.support:>6}")
        lines.append(f"escalate yes/no: recall {self.escalation_recall:.3f}, precision {self.escalation_precision:.3f}")
        return "\n".join(lines)


def measure(examples: list[LabelledExample],
            model_intents: list[tuple[str, float]] | None = None) -> QualityReport:
    """Scores of ``detect_escalation`` on labelled examples.

    ``model_intents`` gives, per example, the language model's top intent and
    its confidence (rules + model, as the assistant runs); without it the
    examples' own ``intent`` field is used (rules alone).
    """
    from bot.evaluation import score

    if model_intents is None:
        predicted = [detect_escalation(e.text, e.order_total, e.intent) for e in examples]
    else:
        predicted = [detect_escalation(e.text, e.order_total, intent, confidence)
                     for e, (intent, confidence) in zip(examples, model_intents, strict=True)]
    gold = [e.reason for e in examples]
    per_reason = score(gold, [p.reason for p in predicted], [*REASONS, NONE])
    tp = sum(g != NONE and p.escalate for g, p in zip(gold, predicted, strict=True))
    fp = sum(g == NONE and p.escalate for g, p in zip(gold, predicted, strict=True))
    fn = sum(g != NONE and not p.escalate for g, p in zip(gold, predicted, strict=True))
    mistakes = tuple((e, p) for e, p in zip(examples, predicted, strict=True) if p.reason != e.reason)
    return QualityReport(tuple(per_reason), tp / (tp + fn) if tp + fn else 1.0,
                         tp / (tp + fp) if tp + fp else 1.0, len(examples), mistakes)
