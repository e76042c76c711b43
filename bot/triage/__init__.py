"""Triage: which kind of trouble a message is, and whether a person must take it.

``triage(nlu, order_total)`` turns what the language model understood into
the public triage record: one of the nine issue types (the shop's labels for
monthly analysis), a confidence, and the escalation decision with its reason,
severity and evidence (from ``bot.triage.escalation``, rules on the text plus
the NLU's top intent; ``order_total`` lets it judge demanded amounts).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from bot.faq import faq_id_of
from bot.support import ISSUE_TYPES
from bot.triage.escalation import REASON_OF_INTENT, detect_escalation

OTHER = "other"
NO_ESCALATION = "none"
# Intents that pipeline components put on top of the model's ranking; not the model's judgement.
RULE_INTENTS = frozenset({"escalate", "nlu_fallback"})
# The language model's escalation intents other than request_human (a request, not a register).
ESCALATION_INTENTS = frozenset(intent for intent in REASON_OF_INTENT if intent != "request_human")


@dataclass(frozen=True)
class NluResult:
    """What the language model made of one message, independent of Rasa."""

    text: str
    intent_ranking: tuple[tuple[str, float], ...]
    entities: tuple[dict, ...] = ()
    faq: str | None = None  # the shop's FAQ entry the message asks, when the model is sure (bot.faq)

    @classmethod
    def from_parse_data(cls, data: dict, text: str | None = None) -> "NluResult":
        """From Rasa's parse data (``agent.parse_message`` or a tracker's ``latest_message``).

        Keeps the model's own ranking: ``escalate`` and ``nlu_fallback`` are
        put on top by pipeline components, not judged by the model.
        """
        ranking = data.get("intent_ranking") or [data.get("intent") or {}]
        return cls(
            text=(data.get("text") or "") if text is None else text,
            intent_ranking=tuple((i["name"], float(i.get("confidence") or 0.0)) for i in ranking
                                 if i and i.get("name") and i.get("name") not in RULE_INTENTS),
            entities=tuple(data.get("entities") or ()),
            faq=faq_id_of(data),
        )

    @property
    def top_intent(self) -> tuple[str | None, float]:
        """The model's best intent and its confidence, or (None, 0.0)."""
        return self.intent_ranking[0] if self.intent_ranking else (None, 0.0)


@dataclass(frozen=True)
class Triage:
    """The triage record for one message (the JSON `python -m bot triage` prints)."""

    issue_type: str
    confidence: float
    escalate: bool = False
    reason: str = NO_ESCALATION
    severity: str = "normal"
    evidence: tuple[str, ...] = field(default_factory=tuple)
    intent: str = ""
    faq: str | None = None

    def as_json_dict(self) -> dict:
        data = asdict(self)
        data["evidence"] = list(self.evidence)
        data["confidence"] = round(self.confidence, 4)
        return data


def issue_type_of(nlu: NluResult) -> tuple[str, float]:
    """The most likely of the nine issue types, with its probability.

    Conversational intents (greet, thanks, …) carry no trouble of their own,
    so their probability mass counts towards ``other``: P(other) is one minus
    the probability of the eight specific types. Escalation intents say how
    the customer writes, not what the trouble is: their mass is left out and
    the rest renormalised (an abusive message about a late parcel is a
    delivery delay).
    """
    escalation_mass = sum(conf for name, conf in nlu.intent_ranking if name in ESCALATION_INTENTS)
    remaining = max(1e-9, 1.0 - escalation_mass)
    scores = {name: conf / remaining for name, conf in nlu.intent_ranking
              if name in ISSUE_TYPES and name != OTHER}
    scores[OTHER] = max(0.0, 1.0 - sum(scores.values()))
    best = max(scores, key=scores.get)
    return best, scores[best]


def triage(nlu: NluResult, order_total: int | None = None) -> Triage:
    issue_type, confidence = issue_type_of(nlu)
    top_intent, top_confidence = nlu.top_intent
    escalation = detect_escalation(nlu.text, order_total, top_intent, top_confidence)
    return Triage(issue_type=issue_type, confidence=confidence,
                  escalate=escalation.escalate, reason=escalation.reason,
                  severity=escalation.severity, evidence=escalation.evidence,
                  intent=top_intent or "", faq=None if escalation.escalate else nlu.faq)
