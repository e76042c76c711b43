"""Actions for reporting a trouble: acknowledge, collect details in any order, record, hand over.

A case reads every message whole (bot.dialogue, issue #16): the order
number, the phone digits and the details are taken from whichever message
gives them, so the bot asks only for what is still missing. A new trouble
in the middle of a case (「それより先に、2回引き落とされてる」) is parked and
taken up after the new one is recorded; what the customer adds after the
reference number is appended to that case in one line, never a new case.
Requests for another person's data are refused here too, in code, however
many messages they are spread over.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import (
    LOCKED,
    MAILED,
    NOT_AN_ANSWER,
    ORDER_NUMBER_UNKNOWN,
    VERIFIED,
    VerifiesOrderOwner,
)
from actions.records import (
    ANSWERED,
    COLLECTING,
    RECORDED_STEP,
    customer_texts_before,
    follow_up,
    model_alone_asks_for_a_person,
    nlu_result,
    now_utc,
    open_ticket_for,
    person_request,
    record_question,
    recorded_case,
    say_hand_over,
    start_trouble,
    without_proof,
)
from bot import identity
from bot.constants import TroubleStatus
from bot.dialogue import (
    DETAIL_CHARS,
    NOT_INFORMATION_INTENTS,
    OPENING_DETAIL_CHARS,
    Reading,
    about_own_order,
    asks_about_the_order,
    asks_before_buying,
    asks_for_others_data,
    continues_recorded_case,
    names_a_trouble,
    is_short_shipment,
    issue_type_for_case,
    read_message,
    starts_another_case,
    status_fits_case,
)
from bot.faq_log import FaqOutcome
from bot.orders import status_of_verified_order
from bot.store.db import session_scope
from bot.support import ISSUE_TYPES, complete_trouble
from bot.text import normalise
from bot.triage import issue_type_of

# Questions go to the FAQ and the case goes on after the answer (data/rules/troubles.yml).
QUESTION_INTENTS = {"faq", "question_not_in_faq"}


# 「不要」「大丈夫です」 to a parked case taken up again.
DECLINE = re.compile(r"(もう)?(不要|いらない|いりません|大丈夫|だいじょうぶ|結構|けっこう|なし|ない)(です|でした)?[。!！ ]*")


def _just_recorded_another_case(tracker: Tracker) -> bool:
    """The form runs again right after recording the case that interrupted this one, for the same message."""
    actions = [event.get("name") for event in tracker.events if event.get("event") == "action"]
    return len(actions) >= 2 and actions[-1] == "trouble_form" and actions[-2] == "action_record_trouble"


# After these, the customer's earlier messages have been read for a case already.
CASE_BOUNDARIES = {"trouble_form", "step_up_form", "action_record_trouble"}


def texts_before_this_case(tracker: Tracker) -> list[str]:
    """The customer's messages since a case last read one (or the session began), before the latest.

    「ノートパソコンの件です。MD26110263、下4桁は0937です。」 then 「画面が割れていました」:
    the number and the digits came first, the trouble second; the case takes both.
    """
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    texts: list[str] = []
    for event in events[:last_user]:
        if event.get("event") == "session_started" or (
                event.get("event") == "action" and event.get("name") in CASE_BOUNDARIES):
            texts = []
        elif event.get("event") == "user":
            texts.append(event.get("text") or "")
    return texts


def with_earlier_messages(reading: Reading, earlier: list[str]) -> tuple[Reading, str | None]:
    """The opening message's reading, completed from the messages just before it, and their details."""
    details = []
    for text in reversed(earlier):
        before = read_message(text, order_number_asked=False)
        reading = replace(
            reading,
            order_number=reading.order_number or before.order_number,
            phone_last4=reading.phone_last4 or before.phone_last4)
        if before.detail:
            details.insert(0, without_proof(text, before))
    return reading, "\n".join(details) or None


class ActionStartTrouble(Action):
    """The start of a case, or what a message adds to the case already recorded (issue #16).

    Runs for the nine trouble intents, for details with no trouble named
    (``inform``) and for messages the model could not place (``nlu_fallback``);
    ``action_answer_faq`` asks it too when the FAQ has no answer. In order:
    a request for someone else's data is refused; what follows a reference
    number is added to that case in one line; a new case opens when the
    message names a trouble (its intent, or the issue-type classifier sure of
    a trouble) or gives an order number; anything else is asked about.
    """

    def name(self) -> Text:
        return "action_start_trouble"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        return open_or_add_to_case(dispatcher, tracker, answer_otherwise=True)


def open_or_add_to_case(dispatcher: CollectingDispatcher, tracker: Tracker,
                        answer_otherwise: bool) -> List[EventType]:
    """action_start_trouble's decision; ``answer_otherwise=False`` leaves a message that opens nothing unanswered."""
    nlu = nlu_result(tracker)
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if asks_for_others_data(nlu.text, customer_texts_before(tracker)):
        dispatcher.utter_message(response="utter_refuse_others_data")
        return [SlotSet("case_step", ANSWERED)]
    reading = read_message(nlu.text, order_number_asked=False)
    reference = recorded_case(tracker)
    if reference and (intent in ISSUE_TYPES or reading.detail) and continues_recorded_case(
            reading, case_order_number=tracker.get_slot("order_number")):
        return [*follow_up(dispatcher, tracker, reference), SlotSet("case_step", ANSWERED)]
    # 「このフライパンはIHで使えますか？」: a question before buying, whatever trouble the intent model heard in
    # it (issue #15). Not a case: the FAQ has no entry for it, so that is said plainly and a person offered.
    # From the FAQ's side (answer_otherwise=False) nothing is said here: action_answer_faq says it is unsure,
    # with its 「もしかして」 buttons, or that the FAQ has no answer.
    if asks_before_buying(nlu.text):  # never with an order number or one's own order (about_own_order)
        if answer_otherwise:
            dispatcher.utter_message(response="utter_faq_not_in_faq")
            record_question(tracker, FaqOutcome.NOT_IN_FAQ, nlu.text)
        return [SlotSet("case_step", ANSWERED)]
    # The issue type is the issue-type classifier's decision (bot.triage), whatever intent made the
    # rule fire: the record, the acknowledgement and the form follow one judgement.
    issue_type, confidence = issue_type_of(nlu)
    # 「昨日注文したタオルにもう1枚追加できますか」: no trouble, but the shop must look at that order, so the
    # case opens (verification first) and a person acts on it, as for an order number.
    if (intent not in ISSUE_TYPES and not names_a_trouble(issue_type, confidence) and not reading.order_number
            and not about_own_order(nlu.text)):
        if answer_otherwise:
            dispatcher.utter_message(response="utter_default" if intent == "nlu_fallback"
                                     else "utter_inform_without_context")
        return [SlotSet("case_step", ANSWERED)]
    issue_type = issue_type_for_case(issue_type, nlu.text)
    reference, due = start_trouble(tracker, issue_type, confidence)
    dispatcher.utter_message(response=f"utter_ack_{issue_type}")
    # The form reads this message (and what came just before it) for the order number, the digits, the details.
    return [
        SlotSet("issue_type", issue_type),
        SlotSet("trouble_reference", reference),
        SlotSet("reply_due", due),
        SlotSet("order_number", None),
        SlotSet("phone_last4", None),
        SlotSet("one_time_code", None),
        SlotSet("trouble_detail", None),
        SlotSet("parked_cases", None),
        SlotSet("case_resumed", None),
        SlotSet("order_number_taken", False),
        SlotSet("requested_slot", None),
        SlotSet("case_step", COLLECTING),  # the rule starts trouble_form
    ]


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

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        """As rasa_sdk's, but the case's own slots (type, reference, parked cases) survive validation.

        rasa_sdk returns only the validated required slots; a new case opened
        mid-form or a turn that only counts must reach the tracker too, and
        any slot set makes the form go on instead of stepping aside.
        """
        extraction = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extraction)
        validation = await self._extract_validation_events(dispatcher, tracker, domain)
        validated = {event.get("name") for event in validation}
        events = [event for event in extraction if event.get("name") not in validated] + validation
        if SlotSet("requested_slot", None) in extraction:  # the customer ended a resumed case
            events.append(SlotSet("requested_slot", None))
        return events

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: Dict[Text, Any]) -> List[EventType]:
        """Everything the message gives, whichever slot the form asked for (issue #16).

        Returns nothing (the form steps aside for the rules) for a request
        for a person, an escalation, or a question for the FAQ; anything else
        is part of the case, so the form goes on and asks what is missing.
        """
        turns = SlotSet("case_turns", float(tracker.get_slot("case_turns") or 0) + 1)
        if _just_recorded_another_case(tracker):  # this message was read for the case just recorded
            return [turns]
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text") or ""
        requested = tracker.get_slot("requested_slot")
        opening = requested is None
        reading = read_message(text, order_number_asked=requested == "order_number",
                               detail_chars=OPENING_DETAIL_CHARS if opening else DETAIL_CHARS)
        others_data = asks_for_others_data(text, customer_texts_before(tracker))
        earlier_detail = None
        if opening:  # what the customer wrote just before naming the trouble belongs to it (issue #16, item 1)
            reading, earlier_detail = with_earlier_messages(reading, texts_before_this_case(tracker))
        if not self._part_of_the_case(tracker, intent, reading, others_data, opening):
            return []  # the form steps aside: the rules hand over, or answer the question, then come back
        if tracker.get_slot("case_resumed") and (intent == "deny" or DECLINE.fullmatch(normalise(text).strip())):
            # 「不要」 to the case taken up again: recorded with what it has (the form ends, see run).
            return [SlotSet("requested_slot", None), turns]
        if others_data:
            dispatcher.utter_message(response="utter_refuse_others_data")
            if tracker.get_slot("phone_last4") == VERIFIED:
                return [turns]
            # Nothing is verified for an order the customer says is someone else's.
            return [SlotSet("order_number", ORDER_NUMBER_UNKNOWN), SlotSet("phone_last4", None), turns]
        if not opening:
            issue_type, confidence = issue_type_of(nlu_result(tracker))
            if intent in ISSUE_TYPES and starts_another_case(
                    reading, issue_type=issue_type, current_type=tracker.get_slot("issue_type")):
                return self._park_and_start(dispatcher, tracker, issue_type_for_case(issue_type, text),
                                            confidence, reading, turns)
        return [*self._slots_given(dispatcher, tracker, text, reading, requested, earlier_detail), turns]

    @staticmethod
    def _part_of_the_case(tracker: Tracker, intent: str | None, reading: Reading, others_data: bool,
                          opening: bool) -> bool:
        """Whether the form reads this message, or steps aside for the rules (issue #16).

        A request for a person, a demand, abuse or the fraud scheme goes to
        people, and a question to the FAQ, unless the message plainly answers
        the case: it gives the order number, the digits or 「わからない」, asks
        for someone else's data (refused here), or, once the case is under
        way, asks about the order itself (「いつ届くか知りたい」: the case's
        order, not the shop's general shipping days). Only the model's own
        reading of "a person, please", with none of the rules' words for it,
        gives way to that; the rules' hand-overs never do.
        """
        gives_numbers = bool(reading.order_number or reading.phone_last4 or reading.unknown_order_number)
        if intent in QUESTION_INTENTS:
            about_the_order = not opening and asks_about_the_order(tracker.latest_message.get("text") or "")
            return gives_numbers or others_data or about_the_order
        if intent in NOT_AN_ANSWER:
            if others_data and person_request(tracker):
                return True  # 「高橋さんの電話番号教えて」: refused here, not handed over
            return model_alone_asks_for_a_person(tracker) and (gives_numbers or bool(reading.detail))
        return True

    @staticmethod
    def _slots_given(dispatcher: CollectingDispatcher, tracker: Tracker, text: str, reading: Reading,
                     requested: str | None, earlier_detail: str | None = None) -> List[EventType]:
        slots: Dict[str, Any] = {}
        verified = tracker.get_slot("phone_last4") == VERIFIED
        if reading.order_number and (reading.order_number != tracker.get_slot("order_number") or not verified):
            slots["order_number"] = reading.order_number
        elif reading.unknown_order_number and tracker.get_slot("order_number") is None:
            slots["order_number"] = ORDER_NUMBER_UNKNOWN
        has_order = "order_number" in slots or tracker.get_slot("order_number") not in (None, ORDER_NUMBER_UNKNOWN)
        if reading.phone_last4 and has_order and (not verified or "order_number" in slots):
            slots["phone_last4"] = reading.phone_last4
        elif reading.phone_last4 and not has_order and tracker.get_slot("order_number") is None:
            # Digits before any order number: nothing to check them against; the form asks for the number.
            dispatcher.utter_message(response="utter_order_number_before_digits")
        elif requested == "phone_last4" and identity.asks_for_mailed_code(text):
            slots["phone_last4"] = text
        if requested == "one_time_code" and identity.read_code(text):
            slots["one_time_code"] = text
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        # Asked for the details, a short answer is the answer (「16日に届く予定でした」), not a thank-you.
        answers_details = requested == "trouble_detail" and intent not in NOT_INFORMATION_INTENTS \
            and not (reading.order_number or reading.phone_last4) and bool(text.strip())
        taken = reading.detail or answers_details
        details = [tracker.get_slot("trouble_detail"), earlier_detail, without_proof(text, reading) if taken else None]
        if taken or earlier_detail:
            slots["trouble_detail"] = "\n".join(part for part in details if part)
        if not slots and not reading.phone_last4 and (
                re.search(r"\d", normalise(text)) or intent not in NOT_INFORMATION_INTENTS):
            # Numbers that are neither an order number nor four digits, or a reply that gives nothing:
            # say what form the answer takes (a thank-you or a greeting is just asked again).
            if requested == "order_number":
                dispatcher.utter_message(response="utter_order_number_not_recognised")
            elif requested == "phone_last4":
                dispatcher.utter_message(response="utter_phone_last4_not_recognised")
            elif requested == "one_time_code":
                dispatcher.utter_message(response="utter_one_time_code_not_recognised")
        # The ask for the digits names the number only in the turn the customer typed it (their own
        # words back to them); asked again later, it does not (the outbound guard would stop it).
        return [*(SlotSet(name, value) for name, value in slots.items()),
                SlotSet("order_number_taken", "order_number" in slots)]

    @staticmethod
    def _park_and_start(dispatcher: CollectingDispatcher, tracker: Tracker, issue_type: str,
                        confidence: float | None, reading: Reading, turns: SlotSet) -> List[EventType]:
        """Keep the unfinished case aside, open the new one; the order and its proof carry over."""
        parked = {
            "reference": tracker.get_slot("trouble_reference"),
            "issue_type": tracker.get_slot("issue_type"),
            "reply_due": tracker.get_slot("reply_due"),
            "detail": tracker.get_slot("trouble_detail"),
        }
        reference, due = start_trouble(tracker, issue_type, confidence)
        dispatcher.utter_message(response=f"utter_ack_{issue_type}")
        text = tracker.latest_message.get("text") or ""
        return [
            SlotSet("parked_cases", [*(tracker.get_slot("parked_cases") or []), parked]),
            SlotSet("issue_type", issue_type),
            SlotSet("trouble_reference", reference),
            SlotSet("reply_due", due),
            SlotSet("trouble_detail", without_proof(text, reading) if reading.detail else None),
            turns,
        ]

    def validate_order_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: Dict[Text, Any]) -> Dict[Text, Any]:
        if value == ORDER_NUMBER_UNKNOWN:
            return {"order_number": ORDER_NUMBER_UNKNOWN, "phone_last4": None}
        return super().validate_order_number(value, dispatcher, tracker, domain)

    def validate_trouble_detail(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: Dict[Text, Any]) -> Dict[Text, Any]:
        if value is None:  # cleared by the action that started the form, not typed
            return {"trouble_detail": None}
        text = str(value or "").strip()
        return {"trouble_detail": text or None}


class ActionRecordTrouble(Action):
    """Queue the completed trouble for a person, tell the customer by when, then go back to a parked case."""

    def name(self) -> Text:
        return "action_record_trouble"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        reference = tracker.get_slot("trouble_reference")
        order_number = tracker.get_slot("order_number")
        detail = tracker.get_slot("trouble_detail") or ""
        issue_type = tracker.get_slot("issue_type")
        corrected = issue_type_for_case(issue_type, detail) if issue_type else issue_type
        now = now_utc()
        locked = tracker.get_slot("phone_last4") == LOCKED
        with session_scope() as session:
            complete_trouble(
                session, reference,
                order_number=None if order_number == ORDER_NUMBER_UNKNOWN else order_number,
                detail=detail, now=now, issue_type=corrected,
                status=TroubleStatus.VERIFICATION_LOCKED if locked else TroubleStatus.QUEUED,
            )
            verified = identity.verified_customer(session, tracker.sender_id)
            status = status_of_verified_order(session, verified.order_id, now) if verified else None
        events: List[EventType] = [SlotSet("trouble_detail", None), SlotSet("issue_type", corrected)]
        if status is not None and status_fits_case(corrected, status.key):
            dispatcher.utter_message(response=f"utter_order_status_{status.key}", **status.as_response_arguments())
        if locked:  # utter_verification_locked promised a person: the conversation is theirs now
            ticket, due = open_ticket_for(tracker, reason="verification_locked", severity="normal",
                                          evidence=["本人確認の失敗回数が上限に達しました"], trouble_reference=reference)
            say_hand_over(dispatcher, tracker, domain, "utter_escalated_verification_locked",
                          ticket_reference=ticket, reply_due=due)
            return [*events, SlotSet("ticket_reference", ticket), SlotSet("reply_due", due),
                    SlotSet("case_step", RECORDED_STEP)]
        if corrected == "wrong_delivery" and is_short_shipment(detail):
            dispatcher.utter_message(response="utter_trouble_recorded_short_shipment", trouble_reference=reference,
                                     reply_due=tracker.get_slot("reply_due"))
        else:
            dispatcher.utter_message(response="utter_trouble_recorded", trouble_reference=reference,
                                     reply_due=tracker.get_slot("reply_due"))
        return [*events, *(self._back_to_parked_case(dispatcher, tracker) or [SlotSet("case_step", RECORDED_STEP)])]

    @staticmethod
    def _back_to_parked_case(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """The case a new trouble interrupted is taken up again where it stopped (issue #16, item 3)."""
        parked_cases = list(tracker.get_slot("parked_cases") or [])
        if not parked_cases:
            return []
        parked = parked_cases.pop()
        dispatcher.utter_message(response="utter_back_to_parked_case", trouble_reference=parked["reference"])
        return [
            SlotSet("parked_cases", parked_cases or None),
            SlotSet("issue_type", parked["issue_type"]),
            SlotSet("trouble_reference", parked["reference"]),
            SlotSet("reply_due", parked["reply_due"]),
            SlotSet("trouble_detail", parked["detail"]),
            SlotSet("case_resumed", True),
            SlotSet("case_step", COLLECTING),
            ActiveLoop("trouble_form"),  # the form is active again: it runs at once and asks what is missing
        ]
