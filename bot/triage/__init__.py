"""Triage: which kind of trouble a message is, and whether a person must take it.

``triage(nlu, order_total)`` turns what the language model understood into
the public triage record. Two decisions, independent of each other:

* the issue type, one of the nine (the shop's labels for monthly analysis),
  with its confidence, from the model's issue-type classifier, which learned
  from every example, escalations included, under their underlying trouble:
  an abusive message about a late parcel is a ``delivery_delay``;
* the escalation decision with its reason, severity and evidence (from
  ``bot.triage.escalation``: rules on the text plus the NLU's top intent;
  ``order_total`` lets it judge demanded amounts).

The record also names the model that made it (its fingerprint), so the
monthly analysis can tell which model labelled what.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from bot.faq_answer import FaqReading
from bot.support import ISSUE_TYPES
from bot.triage.escalation import detect_escalation
from bot.triage.incidents import INCIDENT_CONFIDENCE, PRIVACY_CONCERN, reports_incident
from bot.triage.labels import ISSUE_TYPE_KEY, MODEL_KEY, OTHER

NO_ESCALATION = "none"
# Intents that pipeline components put on top of the model's ranking; not the model's judgement.
RULE_INTENTS = frozenset({"escalate", "nlu_fallback"})


@dataclass(frozen=True)
class NluResult:
    """What the language model made of one message, independent of Rasa."""

    text: str
    intent_ranking: tuple[tuple[str, float], ...]
    entities: tuple[dict, ...] = ()
    faq: str | None = None  # the shop's FAQ entry the message asks, when the model is sure (bot.faq)
    faq_issue_type: str = OTHER  # that entry's trouble topic (data/faq.yml issue_type)
    faq_confidence: float = 0.0  # the FaqEntrySelector's confidence in that entry
    # The issue-type classifier's ranking (bot.rasa_nlu.components.IssueTypeClassifier), best first.
    issue_ranking: tuple[tuple[str, float], ...] = ()
    model: str = ""  # the fingerprint of the model that parsed the message (bot.modelfiles)

    @classmethod
    def from_parse_data(cls, data: dict, text: str | None = None) -> "NluResult":
        """From Rasa's parse data (``agent.parse_message`` or a tracker's ``latest_message``).

        Keeps the model's own ranking: ``escalate`` and ``nlu_fallback`` are
        put on top by pipeline components, not judged by the model.
        """
        ranking = data.get("intent_ranking") or [data.get("intent") or {}]
        issue = data.get(ISSUE_TYPE_KEY) if isinstance(data.get(ISSUE_TYPE_KEY), dict) else {}
        reading = FaqReading.from_parse_data(data)
        faq = reading.answer_id()
        return cls(
            text=(data.get("text") or "") if text is None else text,
            intent_ranking=tuple((i["name"], float(i.get("confidence") or 0.0)) for i in ranking
                                 if i and i.get("name") and i.get("name") not in RULE_INTENTS),
            entities=tuple(data.get("entities") or ()),
            faq=faq,
            faq_issue_type=reading.entry_issue_type if faq else OTHER,
            faq_confidence=reading.entry_confidence if faq else 0.0,
            issue_ranking=tuple((i["name"], float(i.get("confidence") or 0.0))
                                for i in issue.get("ranking") or () if i and i.get("name")),
            model=str(data.get(MODEL_KEY) or ""),
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
    model: str = ""  # fingerprint of the model that read the message

    def as_json_dict(self) -> dict:
        data = asdict(self)
        data["evidence"] = list(self.evidence)
        data["confidence"] = round(self.confidence, 4)
        return data


def issue_type_of(nlu: NluResult) -> tuple[str, float]:
    """The most likely of the nine issue types, with its probability.

    A security incident the customer reports (phishing in the shop's name,
    card details typed into a fake page, an order confirmation for nothing
    bought: ``bot.triage.incidents``) is a privacy concern by rule. Otherwise
    the issue-type classifier decides alone: it learned ``other`` from
    messages that describe no trouble, so a greeting or a thank-you around a
    complaint is no evidence of ``other`` (the old way, one minus the mass of
    the eight types, counted every conversational intent as ``other``), and
    an escalation intent is no evidence against the trouble under it.
    A parse without the classifier's result is a button press (``/delivery_delay``,
    which Rasa does not send through the pipeline): the type the customer chose,
    when it is one of the nine, else ``other`` at 0.
    """
    if reports_incident(nlu.text):
        model = dict(nlu.issue_ranking).get(PRIVACY_CONCERN, 0.0)
        return PRIVACY_CONCERN, max(model, INCIDENT_CONFIDENCE)
    if nlu.issue_ranking:
        return nlu.issue_ranking[0]
    chosen = nlu.intent_ranking[0][0] if nlu.intent_ranking else None
    return (chosen, 1.0) if chosen in ISSUE_TYPES else (OTHER, 0.0)


def triage(nlu: NluResult, order_total: int | None = None) -> Triage:
    """The triage record of one message (see the module's docstring).

    A question the bot answers from an FAQ entry on a trouble's topic
    (data/faq.yml ``issue_type``: 「返品するなら何日以内に送ればいい？」 from
    ``return_policy``) is counted under that topic when the issue-type
    classifier read no trouble in it, as sure as the less sure of the two
    readings: the writers' brief names "return procedure" under refund_return
    and "contract terms" under billing_contract, and the held-out split and
    the writers never trained on label such questions so (the project's FAQ
    phrasings teach the classifier ``other``: no trouble). The dialogue keeps reading
    it as no trouble (``issue_type_of``): the customer gets the answer, no case
    opens.
    """
    issue_type, confidence = issue_type_of(nlu)
    if issue_type == OTHER and nlu.faq and nlu.faq_issue_type != OTHER:
        issue_type, confidence = nlu.faq_issue_type, min(confidence, nlu.faq_confidence)
    top_intent, top_confidence = nlu.top_intent
    escalation = detect_escalation(nlu.text, order_total, top_intent, top_confidence)
    return Triage(issue_type=issue_type, confidence=confidence,
                  escalate=escalation.escalate, reason=escalation.reason,
                  severity=escalation.severity, evidence=escalation.evidence,
                  intent=top_intent or "", faq=None if escalation.escalate else nlu.faq, model=nlu.model)
