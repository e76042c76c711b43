"""The shop's FAQ in the conversation: answer at once, ask once whether it helped, never guess.

``action_answer_faq`` runs for the retrieval intent ``faq`` and for
``question_not_in_faq``. It sends the entry the FaqEntrySelector chose
(``utter_faq/<id>``, or ``utter_faq_en_<id>`` for a question written in
English) and then 「ご質問は解決しましたか。」 with the quick replies
解決した / 解決しない. When the model is not sure which entry, or the FAQ has
none, it says so plainly and offers a person; an English message without an
English answer gets the short bilingual note. Nothing here asks for an
order number: questions about one order are other intents, verified as
before. Every question is recorded (``bot.faq_log``) for the monthly report.

``action_faq_feedback`` records 解決した / 解決しない; 解決しない offers the
trouble flow (write what happened) or a person (a button).
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.records import ANSWERED, COLLECTING, now_utc
from actions.troubles import open_or_add_to_case
from bot.text import is_question
from bot.faq import RETRIEVAL_INTENT, FaqEntry, is_english
from bot.faq_answer import FaqReading
from bot.faq_log import FaqOutcome, record_answer, record_feedback
from bot.store.db import session_scope


def _has_response(domain: Dict[Text, Any], name: str) -> bool:
    return bool((domain.get("responses") or {}).get(name))


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        reading = FaqReading.from_parse_data(message)
        english = is_english(text)
        entry_id = reading.answer_id()
        if not english and not is_question(text) and (case_events := self._case_instead(dispatcher, tracker)):
            return case_events  # 「宛名は株式会社…でお願いします」 after the reference: the case's, not a question
        entry = FaqEntry(entry_id, (), "") if entry_id is not None else None
        if entry is not None and english and _has_response(domain, entry.english_response):
            dispatcher.utter_message(response=entry.english_response)
            dispatcher.utter_message(response="utter_faq_ask_solved_en")
            outcome = FaqOutcome.ANSWERED
        elif entry is not None and not english:
            dispatcher.utter_message(response=entry.response)
            dispatcher.utter_message(response="utter_faq_ask_solved")
            outcome = FaqOutcome.ANSWERED
        elif english:  # English without an English answer (or with none found): the bilingual note
            dispatcher.utter_message(response="utter_faq_english_note")
            outcome = FaqOutcome.ENGLISH_NOTE
        elif case_events := self._case_instead(dispatcher, tracker):
            return case_events  # a trouble, or more for the recorded case: not a question after all
        elif reading.intent == RETRIEVAL_INTENT:
            dispatcher.utter_message(response="utter_faq_unsure")
            outcome = FaqOutcome.UNSURE
        else:
            dispatcher.utter_message(response="utter_faq_not_in_faq")
            outcome = FaqOutcome.NOT_IN_FAQ
        with session_scope() as session:
            record_answer(session, conversation_id=tracker.sender_id,
                          channel=tracker.get_latest_input_channel() or "", outcome=outcome,
                          faq_id=entry_id or (reading.entry_id if reading.asks_faq else None),
                          confidence=reading.entry_confidence if reading.asks_faq else None,
                          english=english, question=text, now=now_utc())
        return [SlotSet("case_step", ANSWERED)]

    @staticmethod
    def _case_instead(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """Outside a case, what the FAQ cannot answer may name a trouble or add to the recorded case.

        action_start_trouble decides (the issue-type classifier sure of a
        trouble, an order number, a follow-up); nothing when it would only
        ask what the trouble is: the FAQ's own "not sure" says more.
        """
        if tracker.active_loop.get("name"):
            return []
        said_before = len(dispatcher.messages)
        events = open_or_add_to_case(dispatcher, tracker, answer_otherwise=False)
        opened = SlotSet("case_step", COLLECTING) in events
        return events if opened or len(dispatcher.messages) > said_before else []


class ActionFaqFeedback(Action):
    def name(self) -> Text:
        return "action_faq_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        solved = (tracker.latest_message.get("intent") or {}).get("name") == "faq_solved"
        with session_scope() as session:
            record_feedback(session, tracker.sender_id, solved, now_utc())
        dispatcher.utter_message(response="utter_faq_solved" if solved else "utter_faq_not_solved")
        return []
