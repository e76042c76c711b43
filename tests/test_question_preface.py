"""A bare 「ちょっと聞きたいんだけど」 announces a question: a greeting, never a request for a person."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.text import announces_a_question
from bot.rasa_nlu.components import QuestionPrefaceDetector


@pytest.mark.parametrize("text", [
    "すみません、ちょっとお聞きしたいのですが",
    "すみません、ちょっと聞きたいことがあって",
    "ちょっと聞きたいんだけど",
    "ｽﾐﾏｾﾝ ﾁｮｯﾄ ｷｷﾀｲﾉﾃﾞｽｶﾞ",
    "質問があります。",
    "ひとつ質問してもいいですか？",
    "お世話になっております。お伺いしたいことがあります",
    "相談したいことがあるんですが…",
])
def test_prefaces(text):
    assert announces_a_question(text)


@pytest.mark.parametrize("text", [
    "担当者に聞きたい",  # a person, by the escalation rules
    "スタッフさんに直接聞きたいです",
    "送料について聞きたい",  # the question itself
    "ちょっと聞きたいんだけど送料いくら？",
    "電話で相談したい",
    "すみません",
    "荷物が届かないので聞きたいのですが",
])
def test_not_prefaces(text):
    assert not announces_a_question(text)


def test_the_detector_puts_greet_on_top_and_keeps_diets_ranking_below():
    message = Message({TEXT: "すみません、ちょっとお聞きしたいのですが"})
    diet = [{INTENT_NAME_KEY: "request_human", PREDICTED_CONFIDENCE_KEY: 0.84},
            {INTENT_NAME_KEY: "other", PREDICTED_CONFIDENCE_KEY: 0.04}]
    message.set(INTENT, diet[0], add_to_output=True)
    message.set(INTENT_RANKING_KEY, diet, add_to_output=True)
    QuestionPrefaceDetector().process([message])
    assert message.get(INTENT) == {INTENT_NAME_KEY: "greet", PREDICTED_CONFIDENCE_KEY: 1.0}
    assert [i[INTENT_NAME_KEY] for i in message.get(INTENT_RANKING_KEY)] == ["greet", "request_human", "other"]


def test_other_messages_keep_diets_reading():
    message = Message({TEXT: "担当者と話したい"})
    chosen = {INTENT_NAME_KEY: "request_human", PREDICTED_CONFIDENCE_KEY: 0.99}
    message.set(INTENT, chosen, add_to_output=True)
    QuestionPrefaceDetector().process([message])
    assert message.get(INTENT) == chosen
