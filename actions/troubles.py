"""Actions for reporting a trouble: acknowledge, collect details, record, hand over."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import (
    LOCKED,
    MAILED,
    NOT_AN_ANSWER,
    ORDER_NUMBER_UNKNOWN,
    VerifiesOrderOwner,
    validate_order_number_answer,
)
from actions.records import nlu_result, now_utc, open_ticket_for, say_hand_over, start_trouble
from bot import identity
from bot.orders import status_of_verified_order
from bot.store.db import session_scope
from bot.support import complete_trouble
from bot.text import normalise
from bot.triage import issue_type_of
from bot.constants import TroubleStatus

# A first message this long already says what happened; asking again would annoy.
DETAIL_ALREADY_GIVEN_CHARS = 20


class ActionStartTrouble(Action):
    """Classify, record at once, acknowledge; pre-fill what the first message already said."""

    def name(self) -> Text:
        return "action_start_trouble"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        nlu = nlu_result(tracker)
        # The issue type is the issue-type classifier's decision (bot.triage), whatever intent made the
        # rule fire: the record, the acknowledgement and the form follow one judgement.
        issue_type, confidence = issue_type_of(nlu)
        reference, due = start_trouble(tracker, issue_type, confidence)
        dispatcher.utter_message(response=f"utter_ack_{issue_type}")

        order_numbers = [e["value"] for e in nlu.entities if e.get("entity") == "order_number"]
        detail = nlu.text if len(normalise(nlu.text).strip()) >= DETAIL_ALREADY_GIVEN_CHARS else None
        return [
            SlotSet("issue_type", issue_type),
            SlotSet("trouble_reference", reference),
            SlotSet("reply_due", due),
            SlotSet("order_number", None),
            SlotSet("phone_last4", None),
            SlotSet("trouble_detail", detail),
            *self._prefill_order_number(order_numbers, dispatcher, tracker),
        ]

    @staticmethod
    def _prefill_order_number(order_numbers: list[str], dispatcher: CollectingDispatcher,
                              tracker: Tracker) -> list[EventType]:
        if not order_numbers:
            return []
        filled = validate_order_number_answer(order_numbers[0], dispatcher, tracker, allow_unknown=False)
        return [SlotSet(name, value) for name, value in filled.items()]


class ValidateTroubleForm(VerifiesOrderOwner, FormValidationAction):
    """Order number (or an honest 「わからない」), phone digits (or the mailed code) to verify it, then the details."""

    allow_unknown_order_number = True

    def name(self) -> Text:
        return "validate_trouble_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: Dict[Text, Any]) -> List[Text]:
        if tracker.get_slot("order_number") == ORDER_NUMBER_UNKNOWN:
            return [slot for slot in domain_slots if slot != "phone_last4"]
        if tracker.get_slot("phone_last4") == MAILED:  # the code replaces the digits
            after = domain_slots.index("phone_last4") + 1
            return [*domain_slots[:after], "one_time_code", *domain_slots[after:]]
        return domain_slots

    def extract_one_time_code(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: Dict[Text, Any]) -> Dict[Text, Any]:
        """The code as typed when this form asked for it (the slot's own mapping serves the step-up form)."""
        if tracker.get_slot("requested_slot") != "one_time_code":
            return {}
        if (tracker.latest_message.get("intent") or {}).get("name") in NOT_AN_ANSWER:
            return {}
        return {"one_time_code": tracker.latest_message.get("text")}

    def validate_trouble_detail(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: Dict[Text, Any]) -> Dict[Text, Any]:
        if value is None:  # cleared by the action that started the form, not typed
            return {"trouble_detail": None}
        text = str(value or "").strip()
        return {"trouble_detail": text or None}


class ActionRecordTrouble(Action):
    """Queue the completed trouble for a person and tell the customer by when."""

    def name(self) -> Text:
        return "action_record_trouble"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        reference = tracker.get_slot("trouble_reference")
        order_number = tracker.get_slot("order_number")
        now = now_utc()
        locked = tracker.get_slot("phone_last4") == LOCKED
        with session_scope() as session:
            complete_trouble(
                session, reference,
                order_number=None if order_number == ORDER_NUMBER_UNKNOWN else order_number,
                detail=tracker.get_slot("trouble_detail") or "", now=now,
                status=TroubleStatus.VERIFICATION_LOCKED if locked else TroubleStatus.QUEUED,
            )
            verified = identity.verified_customer(session, tracker.sender_id)
            status = status_of_verified_order(session, verified.order_id, now) if verified else None
        if status is not None:
            dispatcher.utter_message(response=f"utter_order_status_{status.key}", **status.as_response_arguments())
        if locked:  # utter_verification_locked promised a person: the conversation is theirs now
            ticket, due = open_ticket_for(tracker, reason="verification_locked", severity="normal",
                                          evidence=["本人確認の失敗回数が上限に達しました"], trouble_reference=reference)
            say_hand_over(dispatcher, tracker, domain, "utter_escalated_verification_locked",
                          ticket_reference=ticket, reply_due=due)
            return [SlotSet("trouble_detail", None), SlotSet("ticket_reference", ticket), SlotSet("reply_due", due)]
        dispatcher.utter_message(response="utter_trouble_recorded")
        return [SlotSet("trouble_detail", None)]
