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


# ----------------------------------------------------------------------
# Both decisions on messages labelled with both (bench/writer_quality.py, tests/test_nlu_quality.py).
# ----------------------------------------------------------------------

# Confidence bands of the reliability table, highest first.
CONFIDENCE_BANDS = (0.9, 0.7, 0.5, 0.0)


@dataclass(frozen=True)
class TriageScores:
    """Issue type and escalation scored on one set of labelled messages.

    ``issue`` holds per-type scores on all messages, ``issue_escalated`` and
    ``issue_calm`` on the escalated and the non-escalated ones alone (the
    trouble under an escalation is what the issue asks us not to lose).
    ``reason_accuracy`` is the share of caught escalations given the right
    reason; ``reliability`` is (lowest confidence of the band, messages, right).
    """

    n: int
    n_escalated: int
    issue: tuple
    issue_escalated: tuple
    issue_calm: tuple
    escalation_recall: float
    escalation_precision: float
    reason_accuracy: float
    reliability: tuple[tuple[float, int, int], ...]

    @property
    def macro_f1(self) -> float:
        return _macro(self.issue)

    @property
    def macro_f1_escalated(self) -> float:
        return _macro(self.issue_escalated)

    @property
    def macro_f1_calm(self) -> float:
        return _macro(self.issue_calm)

    def format(self, title: str) -> str:
        lines = [f"{title}: {self.n} messages ({self.n_escalated} escalated)",
                 f"  {'issue type':<20}{'P':>7}{'R':>7}{'F1':>7}{'n':>5}   {'F1 esc':>7}{'n':>5}   {'F1 calm':>7}{'n':>5}"]
        for all_, esc, calm in zip(self.issue, self.issue_escalated, self.issue_calm, strict=True):
            lines.append(f"  {all_.label:<20}{all_.precision:>7.3f}{all_.recall:>7.3f}{all_.f1:>7.3f}{all_.support:>5}"
                         f"   {esc.f1:>7.3f}{esc.support:>5}   {calm.f1:>7.3f}{calm.support:>5}")
        lines.append(f"  {'macro-F1':<20}{'':>14}{self.macro_f1:>7.3f}{'':>5}   {self.macro_f1_escalated:>7.3f}{'':>5}"
                     f"   {self.macro_f1_calm:>7.3f}")
        lines.append(f"  escalation: recall {self.escalation_recall:.3f}, precision {self.escalation_precision:.3f}, "
                     f"reason accuracy {self.reason_accuracy:.3f}")
        bands = ", ".join(f"≥{low:.1f}: {right}/{n} right ({right / n if n else 0:.3f})"
                          for low, n, right in self.reliability)
        lines.append(f"  issue-type confidence reliability: {bands}")
        return "\n".join(lines)


def _macro(scores) -> float:
    """Macro-F1 over the types that occur (a type absent from a subset would score 0 for nothing)."""
    present = [s for s in scores if s.support]
    return sum(s.f1 for s in present) / len(present) if present else 0.0


def score_triage(gold: list, predicted: list) -> TriageScores:
    """``gold``: messages with ``issue_type`` and ``reason`` (bot.triage.writers.LabelledMessage);
    ``predicted``: their ``bot.triage.Triage`` records, in the same order."""
    from bot.evaluation import score
    from bot.support import ISSUE_TYPES

    pairs = list(zip(gold, predicted, strict=True))
    types = list(ISSUE_TYPES)

    def issue_scores(subset):
        return tuple(score([g.issue_type for g, _ in subset], [p.issue_type for _, p in subset], types))

    escalated = [(g, p) for g, p in pairs if g.reason != NONE]
    calm = [(g, p) for g, p in pairs if g.reason == NONE]
    caught = [(g, p) for g, p in escalated if p.escalate]
    false_alarms = sum(p.escalate for _, p in calm)
    reliability = []
    upper = 1.01
    for low in CONFIDENCE_BANDS:
        band = [(g, p) for g, p in pairs if low <= p.confidence < upper]
        reliability.append((low, len(band), sum(g.issue_type == p.issue_type for g, p in band)))
        upper = low
    return TriageScores(
        n=len(pairs), n_escalated=len(escalated), issue=issue_scores(pairs),
        issue_escalated=issue_scores(escalated), issue_calm=issue_scores(calm),
        escalation_recall=len(caught) / len(escalated) if escalated else 1.0,
        escalation_precision=len(caught) / (len(caught) + false_alarms) if caught or false_alarms else 1.0,
        reason_accuracy=sum(g.reason == p.reason for g, p in caught) / len(caught) if caught else 1.0,
        reliability=tuple(reliability),
    )
