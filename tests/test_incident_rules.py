"""Security incidents are privacy concerns by rule (bot.triage.incidents), in kanji or kana alike."""

from __future__ import annotations

import pytest

from bot.triage import NluResult, issue_type_of, triage
from bot.triage.incidents import INCIDENT_CONFIDENCE, INCIDENT_RULES, incident_rule


@pytest.mark.parametrize("rule", INCIDENT_RULES, ids=lambda rule: rule.name)
def test_every_row_reads_its_own_example(rule):
    assert incident_rule(rule.example) is rule


@pytest.mark.parametrize("text", [
    "クレカの番号入れちゃった…",
    "カード情報を入力してしまいました。止めたほうがいいですか",
    "フィッシングメールにひっかかったかも",
    "ﾌｨｯｼﾝｸﾞｻｲﾄでした",
    "身に覚えのない請求があります",
    "勝手にログインされた形跡があります",
    "ちゅうもんしたおぼえがないのに めーるがきました",
    "ぱすわーど ほかのさいとと おなじものです",
])
def test_incidents_in_other_words_and_registers(text):
    assert incident_rule(text) is not None


@pytest.mark.parametrize("text", [
    "カード番号を入力したらエラーになりました",  # a payment error: a system trouble
    "カード番号を入れてください、と出たのですが入れても大丈夫ですか",  # asks before typing anything
    "パスワードを忘れました",
    "ログインできません",
    "クレジットカード情報を登録したままです",
    "注文した覚えはあります",
    "SMSで発送のお知らせが来ました",
    "届いた商品が偽物でした",
])
def test_troubles_and_questions_that_are_no_incident(text):
    assert incident_rule(text) is None


def _read_as(text: str, ranking: tuple[tuple[str, float], ...]) -> NluResult:
    return NluResult(text=text, intent_ranking=(("nlu_fallback", 0.45),), issue_ranking=ranking)


def test_the_rule_overrules_the_classifier_and_the_triage_record_says_so():
    text = "そこをおしたら かーどのばんごうを いれてくださいと でたので いれてしまいました"
    nlu = _read_as(text, (("other", 0.28), ("wrong_delivery", 0.19), ("privacy_concern", 0.05)))
    assert issue_type_of(nlu) == ("privacy_concern", INCIDENT_CONFIDENCE)
    assert triage(nlu).issue_type == "privacy_concern"


def test_without_an_incident_the_classifier_decides_alone():
    nlu = _read_as("荷物がまだ届きません", (("delivery_delay", 0.93), ("other", 0.05)))
    assert issue_type_of(nlu) == ("delivery_delay", 0.93)
