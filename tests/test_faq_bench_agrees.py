"""The FAQ bench measures what customers get: its reading of a message agrees with the running dialogue.

``bench/faq_quality.py`` judges each message from the model's parse data
(``what_the_bot_does``, after ``bot.faq_answer.FaqReading``); customers get
whatever ``action_answer_faq`` and ``action_start_trouble`` do with it. The two
drifted apart once: 「返品条件」「キャンセル方法」 counted as answered while the
dialogue opened a case, because the action sent every statement naming a
trouble to the case before it looked at the answer. Here every message of
writer C's development split (FAQ questions in Japanese and English, troubles,
questions the FAQ does not answer) goes through both, each in a conversation
of its own: the bench says "answer e" exactly when the
bot sends entry e's answer, and a trouble the bench sends to the trouble flow
starts it and gets no FAQ answer. (Writer C's split is for choosing
thresholds anyway; the held-out sets stay out of the tests.)
"""

from __future__ import annotations

import importlib.util

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.faq import load_faq
from bot.rasa_nlu.model import load_parse_data
from bot.support import ISSUE_TYPES
from tests.responses import response_text

pytestmark = pytest.mark.server

ENTRIES = {e.id: e for e in load_faq(PROJECT_ROOT / "data" / "faq.yml")}
# How the trouble flow begins: an acknowledgement of the trouble, or (a change of address, an order's items) the
# question for the order number.
TROUBLE_FLOW_STARTS = {*(response_text(f"utter_ack_{issue_type}") for issue_type in ISSUE_TYPES),
                       response_text("utter_ask_order_number")}


def _bench():
    spec = importlib.util.spec_from_file_location("faq_quality", PROJECT_ROOT / "bench" / "faq_quality.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchs_reading_of_each_message_is_what_the_dialogue_does(assistant, model_path):
    with open(PROJECT_ROOT / "bench" / "data" / "faq_dev.yml", encoding="utf-8") as f:
        split = yaml.safe_load(f)
    texts = [t for questions in split["questions"].values() for t in questions]
    texts += [t for questions in split["english"].values() for t in questions]
    texts += [t["text"] for t in split["troubles"]] + split["unknown"] + split["english_unknown"]
    what_the_bot_does = _bench().what_the_bot_does
    readings = [what_the_bot_does(data) for data in load_parse_data(model_path)(texts)]
    answers = {**{e.answer_en: e.id for e in ENTRIES.values() if e.answer_en}, **{e.answer: e.id for e in ENTRIES.values()}}
    disagreements = []
    for text, (kind, entry) in zip(texts, readings, strict=True):
        replies = assistant.say(assistant.new_sender(), text)
        answered = next((answers[r] for r in replies if r in answers), None)
        if (kind == "answer") != (answered is not None) or (kind == "answer" and answered != entry):
            disagreements.append((text, kind, entry, answered))
        elif kind == "trouble" and not TROUBLE_FLOW_STARTS & set(replies):
            disagreements.append((text, kind, entry, replies[:1]))
    assert not disagreements, "\n".join(map(repr, disagreements))
    assert sum(kind == "answer" for kind, _ in readings) > len(texts) / 2  # the test looks at answers at all
