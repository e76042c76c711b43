"""The shop's FAQ in the conversation: answer at once, ask once whether it helped, never guess.

``action_answer_faq`` runs for the retrieval intent ``faq`` and for
``question_not_in_faq``. It sends the entry the FaqEntrySelector chose
(``utter_faq/<id>``, or ``utter_faq_en_<id>`` for a question written in
English) and then 「ご質問は解決しましたか。」 with the quick replies
解決した / 解決しない. When the model is not sure which entry, or the FAQ has
none, it says so plainly and offers a person; an English message without an
English answer gets the short bilingual note. Unsure of a Japanese
question, it offers the entries it ranks first as 「もしかして」 buttons,
each sending one of that entry's own questions (which the model answers
at once). Nothing here asks for an
order number: questions about one order are other intents, verified as
before. Every question is recorded (``bot.faq_log``) for the monthly report.

``action_faq_feedback`` records 解決した / 解決しない; 解決しない offers the
trouble flow (write what happened) or a person (a button).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.records import ANSWERED, COLLECTING, now_utc, record_question
from actions.troubles import open_or_add_to_case
from bot import templates
from bot.config import load_settings
from bot.text import is_question
from bot.faq import RETRIEVAL_INTENT, FaqEntry, FaqFileError, is_english, load_faq
from bot.faq_answer import FaqReading, tells
from bot.faq_log import FaqOutcome, record_feedback
from bot.store.db import session_scope


# LINE cuts a quick reply's label at 20 characters; a button's question fits whole.
MAX_BUTTON_QUESTION_CHARS = 20
_button_questions_read: dict[tuple[Path, float], dict[str, str]] = {}


def button_question(entry: FaqEntry) -> str:
    """The phrasing a 「もしかして」 button shows and sends for an entry.

    The first of the entry's phrasings that asks (``is_question``) and fits a
    LINE label, else its first. A statement of want (「退会したいのですが」,
    「定期便のお届け周期を変えたい」) would not do: the model reads a trouble
    in it, and a report of a trouble is never answered from the FAQ.
    """
    return next((q for q in entry.questions if is_question(q) and len(q) <= MAX_BUTTON_QUESTION_CHARS),
                entry.questions[0])


def button_questions() -> dict[str, str]:
    """Each FAQ entry's button question, by id, read again only when the shop's file changes.

    It is a training phrasing, so the model answers it; an entry edited or
    removed since the last training is not offered (or still found by the
    model's reading).
    """
    path = load_settings().faq_file
    try:
        key = (path, path.stat().st_mtime)
    except OSError:
        return {}
    if key not in _button_questions_read:
        try:
            entries = load_faq(path)
        except (OSError, FaqFileError):
            return {}
        _button_questions_read.clear()
        _button_questions_read[key] = {entry.id: button_question(entry) for entry in entries if entry.questions}
    return _button_questions_read[key]


def suggestion_buttons(reading: FaqReading) -> List[Dict[str, str]]:
    """「もしかして」 buttons for an unsure question (``FaqReading.suggestion_ids``), or none."""
    questions = button_questions()
    return [{"title": questions[entry_id], "payload": questions[entry_id]}
            for entry_id in reading.suggestion_ids() if entry_id in questions]


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
        # 「宛名は株式会社…でお願いします」 after the reference: the case's, not a question. A topic typed as search
        # words (「返品条件」「キャンセル方法」) tells nothing: the FAQ answers it, as FaqReading.answer_id decided.
        if not english and tells(text) and (case_events := self._case_instead(dispatcher, tracker)):
            return case_events
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
            if buttons := suggestion_buttons(reading):
                dispatcher.utter_message(text=templates.FAQ_SUGGESTIONS,
                                         buttons=[*buttons, templates.FAQ_TALK_TO_PERSON])
            else:
                dispatcher.utter_message(response="utter_faq_unsure")
            outcome = FaqOutcome.UNSURE
        else:
            dispatcher.utter_message(response="utter_faq_not_in_faq")
            outcome = FaqOutcome.NOT_IN_FAQ
        record_question(tracker, outcome, text, faq_id=entry_id or (reading.entry_id if reading.asks_faq else None),
                        confidence=reading.entry_confidence if reading.asks_faq else None, english=english)
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
