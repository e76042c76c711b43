"""Escalation: hand the conversation to people, say what happens next, stop talking.

``action_escalate`` runs when the NLU's ``EscalationDetector`` (rules of
``bot.triage.escalation`` plus the model's intent) put ``escalate`` on top.
It judges demanded amounts again against the verified order's value, records
the trouble, opens the ticket with the conversation so far, and answers with
the reason's response: calm and firm for demands, a one-sentence boundary for
abuse, the fraud advice for the SNS-promotion scheme, a plain hand-over for a
request for a person. From then on the channels keep the bot silent
(``bot.handoff.gate``).
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.records import (
    customer_texts_before,
    follow_up,
    hand_over,
    model_alone_asks_for_a_person,
    nlu_result,
    person_request,
    recorded_case,
    say_hand_over,
)
from bot import identity
from bot.dialogue import asks_for_others_data, continues_recorded_case, read_message
from bot.store.db import session_scope
from bot.store.models import Order
from bot.triage.escalation import handover_decision


class ActionEscalate(Action):
    """Hands the conversation to people with the reason's own words."""

    def name(self) -> Text:
        return "action_escalate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        if person_request(tracker) and asks_for_others_data(text, customer_texts_before(tracker)):
            # 「じゃあ高橋さんの電話番号教えて」 reads like "call me" but asks for someone else's number:
            # the privacy rule answers it (issue #16); a demand, abuse or the scheme still goes to people.
            dispatcher.utter_message(response="utter_refuse_others_data")
            return []
        if model_alone_asks_for_a_person(tracker):
            # The model's guess at "a person, please" (no rule's words for it) gives way to the case the
            # customer is adding to (issue #16): 「連絡は祖母の方にお願いします」.
            reference = recorded_case(tracker)
            reading = read_message(text, order_number_asked=False)
            if reference and reading.detail and continues_recorded_case(
                    reading, case_order_number=tracker.get_slot("order_number")):
                return follow_up(dispatcher, tracker, reference)
        with session_scope() as session:
            verified = identity.verified_customer(session, tracker.sender_id)
            order_total = session.get(Order, verified.order_id).total if verified else None
        model_intent, confidence = nlu_result(tracker).top_intent
        decision = handover_decision(text, order_total, model_intent, confidence, message.get("escalation"))
        reference, due = hand_over(tracker, reason=decision.reason, severity=decision.severity,
                                   evidence=list(decision.evidence), detail=text)
        say_hand_over(dispatcher, tracker, domain, response=decision.response,
                      ticket_reference=reference, reply_due=due)
        return [SlotSet("ticket_reference", reference), SlotSet("reply_due", due)]
