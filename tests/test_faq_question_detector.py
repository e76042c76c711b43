"""The FAQ-or-not decision of the pipeline, without a trained model: the arrays and the override rules.

``FaqEntrySelector`` stores its two logistic regressions as plain arrays and
scores them with ``LinearScorer``; ``FaqQuestionDetector`` turns a question
the selector is sure asks the FAQ into the intent ``faq`` where DIET placed it
nowhere or took it for a question the FAQ does not answer, and leaves
everything else alone (a trouble keeps its reading).
"""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.faq_answer import FaqReading
from bot.rasa_nlu.components import FaqQuestionDetector


def _message(text: str, intent: str, confidence: float, question: float, entry: str = "shipping_fee",
             entry_confidence: float = 0.8, issue: str = "other") -> Message:
    message = Message({TEXT: text})
    message.set("issue_type", {"name": issue, "confidence": 0.9, "ranking": []}, add_to_output=True)
    chosen = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: confidence}
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen, {INTENT_NAME_KEY: "faq", PREDICTED_CONFIDENCE_KEY: 0.1}],
                add_to_output=True)
    message.set("response_selector", {"all_retrieval_intents": ["faq"], "faq": {
        "response": {"intent_response_key": f"faq/{entry}", "confidence": entry_confidence,
                     "utter_action": f"utter_faq/{entry}", "responses": []},
        "ranking": [], "question_confidence": question}}, add_to_output=True)
    return message


def _read(message: Message) -> FaqReading:
    FaqQuestionDetector({}).process([message])
    return FaqReading.from_parse_data(message.as_dict(only_output_properties=True))


def test_a_question_diet_thought_the_faq_does_not_answer_is_answered_when_the_selector_is_sure():
    reading = _read(_message("送料って全部でいくらかかりますかね", "question_not_in_faq", 0.41, question=0.83))
    assert (reading.intent, reading.intent_confidence) == ("faq", pytest.approx(0.83))
    assert reading.answer_id() == "shipping_fee"


@pytest.mark.parametrize("intent", ["delivery_delay", "other", "change_address"])
def test_a_trouble_the_issue_classifier_sees_keeps_its_reading(intent):
    """Inside a case 「いつ届くか知りたい」 is the case's; the FAQ must not take it."""
    reading = _read(_message("いつ届くか知りたい", intent, 0.97, question=0.9, entry="shipping_days",
                             issue="delivery_delay"))
    assert reading.intent == intent and reading.answer_id() is None


def test_a_question_read_as_a_trouble_is_the_faqs_when_the_issue_classifier_sees_none():
    reading = _read(_message("見積書を出していただけますか", "other", 0.93, question=0.92, entry="bulk_order",
                             issue="other"))
    assert (reading.intent, reading.answer_id()) == ("faq", "bulk_order")


def test_a_statement_read_as_a_trouble_keeps_its_reading_even_without_a_trouble_seen():
    reading = _read(_message("見積書が必要です", "other", 0.93, question=0.92, entry="bulk_order", issue="other"))
    assert reading.intent == "other"


def test_a_question_not_understood_is_answered_when_the_selector_is_sure():
    assert _read(_message("沖縄までだと送料っていくらですk", "nlu_fallback", 0.45, question=0.7)).answer_id() == "shipping_fee"


def test_the_selector_unsure_leaves_the_trouble_as_it_is():
    reading = _read(_message("荷物が届きません", "delivery_delay", 0.9, question=0.2))
    assert reading.intent == "delivery_delay" and reading.answer_id() is None


@pytest.mark.parametrize("intent", ["escalate", "request_human", "excessive_demand", "fraud_scheme", "greet",
                                    "affirm", "deny", "request_others_data", "faq_not_solved"])
def test_escalations_requests_for_a_person_and_short_answers_keep_their_way(intent):
    assert _read(_message("送料はいくらですか", intent, 0.6, question=0.95)).intent == intent


def test_a_message_about_one_order_keeps_diets_reading_for_verification_first():
    reading = _read(_message("MD26110220はいつ発送されますか", "delivery_delay", 0.6, question=0.9,
                             entry="shipping_days"))
    assert reading.intent == "delivery_delay" and reading.answer_id() is None


def test_diets_faq_gets_surer_but_never_less_sure():
    assert _read(_message("送料は？", "faq", 0.42, question=0.8)).intent_confidence == pytest.approx(0.8)
    assert _read(_message("送料は？", "faq", 0.9, question=0.6)).intent_confidence == pytest.approx(0.9)


def test_the_entry_still_needs_its_own_confidence():
    reading = _read(_message("これってどうなってますか", "nlu_fallback", 0.4, question=0.9, entry_confidence=0.2))
    assert reading.intent == "faq" and reading.answer_id() is None


@pytest.mark.parametrize("text, intent, issue", [
    ("返品期限", "refund_return", "refund_return"),
    ("届け先変更", "change_address", "other"),
    ("注文キャンセル方法", "refund_return", "refund_return"),   # nine characters, no kana ending: still a topic
])
def test_a_topic_typed_as_search_words_is_the_faqs_when_the_selector_says_it_asks_the_faq(text, intent, issue):
    """Writer C's 「返品期限」 opened a case: the intent classifier read refund_return, the selector return_policy at 1.00."""
    reading = _read(_message(text, intent, 0.9, question=0.63, entry="return_policy", entry_confidence=1.0,
                             issue=issue))
    assert (reading.intent, reading.answer_id()) == ("faq", "return_policy")


@pytest.mark.parametrize("text", ["配送遅延", "商品が届かないので返金してほしい"])
def test_a_trouble_topic_or_report_the_selector_does_not_take_for_a_question_stays_a_trouble(text):
    reading = _read(_message(text, "delivery_delay", 0.93, question=0.09, entry="carriers", issue="delivery_delay"))
    assert reading.intent == "delivery_delay" and reading.answer_id() is None


def test_a_report_told_in_kana_is_no_topic_even_when_the_selector_says_faq():
    reading = _read(_message("とどいた しょうひんが こわれてました", "defective_product", 0.9, question=0.6,
                             entry="return_policy", issue="defective_product"))
    assert reading.intent == "defective_product" and reading.answer_id() is None
