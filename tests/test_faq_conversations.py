"""The FAQ in whole conversations over REST: answered at once, asked once, never a trouble flow.

The questions are not phrasings from data/faq.yml (the model must find them),
one or two per topic group of the demo shop's FAQ.
"""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import select

from actions.faq import button_question
from bot import templates
from bot.channels.rest import conversation_id_for
from bot.config import PROJECT_ROOT
from bot.faq import fold_question, load_faq
from bot.store.db import engine_for, session_scope
from bot.store.models import FaqAnswer, Ticket, Trouble
from tests.responses import response_text

pytestmark = pytest.mark.server

ENTRIES = {e.id: e for e in load_faq(PROJECT_ROOT / "data" / "faq.yml")}
SUGGESTIONS_TEXT = templates.FAQ_SUGGESTIONS
ORDER_NUMBER_QUESTION = response_text("utter_ask_order_number")

QUESTIONS_BY_TOPIC = {
    "shop": [("営業時間って土曜日もやってるんでしょうか", "business_hours"),
             ("そちらのお店って、どこかに店舗があるんですか", "physical_store")],
    "shipping": [("送料って全部でいくらかかりますかね", "shipping_fee"),
                 ("海外の住所にも配送していただけるのでしょうか", "shipping_abroad")],
    "payment": [("支払いはどんな方法が選べますか", "payment_methods"),
                ("領収書って発行してもらうことできますか", "receipt")],
    "orders": [("注文したあとでキャンセルすることってできるんでしょうか", "cancel_before_shipping"),
               ("返品ってどういう条件ならできますか", "return_policy")],
    "gifts": [("プレゼント用に包装してもらうことはできますか", "gift_wrapping")],
    "membership": [("ポイントっていつまで使えるんですか", "points")],
}


def faq_rows(assistant, sender: str) -> list[FaqAnswer]:
    with session_scope(engine_for(assistant.database_url)) as session:
        rows = session.execute(select(FaqAnswer).where(FaqAnswer.conversation_id == conversation_id_for(sender))
                               .order_by(FaqAnswer.id)).scalars().all()
        session.expunge_all()
        return list(rows)


def count_of(assistant, model, sender: str) -> int:
    with session_scope(engine_for(assistant.database_url)) as session:
        return len(session.execute(select(model).where(model.conversation_id == conversation_id_for(sender)))
                   .scalars().all())


@pytest.mark.parametrize("topic", list(QUESTIONS_BY_TOPIC))
def test_each_topic_is_answered_at_once_then_asked_once_whether_it_helped(assistant, topic):
    for question, entry_id in QUESTIONS_BY_TOPIC[topic]:
        assert all(fold_question(question) != fold_question(q) for q in ENTRIES[entry_id].questions)
        sender = assistant.new_sender()
        answer = assistant.exchange(sender, question)
        assert [m.get("text") for m in answer] == [ENTRIES[entry_id].answer, response_text("utter_faq_ask_solved")], \
            (question, answer)
        assert [b["title"] for b in answer[1]["buttons"]] == ["解決した", "解決しない"]
        assert count_of(assistant, Trouble, sender) == 0  # not the trouble flow
        [row] = faq_rows(assistant, sender)
        assert (row.faq_id, row.outcome, row.question) == (entry_id, "answered", "")

        thanks = assistant.say(sender, answer[1]["buttons"][0]["payload"])
        assert thanks == [response_text("utter_faq_solved")]
        assert faq_rows(assistant, sender)[0].solved is True


def test_not_solved_offers_the_trouble_flow_or_a_person(assistant):
    sender = assistant.new_sender()
    assistant.say(sender, "送料って全部でいくらかかりますかね")
    replies = assistant.exchange(sender, "解決しない")
    assert replies[0]["text"] == response_text("utter_faq_not_solved")
    assert "その内容をそのままお送りください" in replies[0]["text"]
    [person] = replies[0]["buttons"]
    assert faq_rows(assistant, sender)[0].solved is False
    assert count_of(assistant, Ticket, sender) == 0

    handed = assistant.say(sender, person["payload"])
    assert "担当者におつなぎします" in handed[0]
    assert count_of(assistant, Ticket, sender) == 1


def test_not_solved_then_a_trouble_starts_the_trouble_flow(assistant):
    sender = assistant.new_sender()
    assistant.say(sender, "返品ってどういう条件ならできますか")
    assistant.say(sender, "解決しない")
    replies = assistant.say(sender, "届いた商品が壊れていました")
    assert replies == [response_text("utter_ack_defective_product"), ORDER_NUMBER_QUESTION]


def test_a_question_the_faq_does_not_answer_is_said_plainly_with_a_person_offered(assistant):
    sender = assistant.new_sender()
    question = "このニットって素材は何ですか？チクチクしますか"
    replies = assistant.exchange(sender, question)
    assert [m["text"] for m in replies] == [response_text("utter_faq_not_in_faq")]
    assert replies[0]["buttons"][0]["payload"] == "担当者と話したい"
    assert count_of(assistant, Trouble, sender) == 0
    [row] = faq_rows(assistant, sender)
    # kept as the report shows it: NFKC-normalised and masked (？ becomes ?)
    assert (row.outcome, row.faq_id, row.question) == ("not_in_faq", None, unicodedata.normalize("NFKC", question))


# Questions asked before buying that the FAQ has no entry for (none is a phrasing of a split). The intent model
# reads some of them as a trouble of the product's kind; whatever it reads, no case opens and no order number is
# asked: the bot says the FAQ has no answer (or, unsure, offers entries), with a person offered (issue #15).
QUESTIONS_BEFORE_BUYING = [
    "モバイルバッテリーの容量は何ミリアンペアですか？",  # read as product_safety (2026-12-02's model)
    "この急須は直火にかけても大丈夫ですか？",  # faq, but the issue-type classifier sure of product_safety
    "この加湿器は何畳の部屋まで使えますか？",  # faq, the classifier sure of defective_product
    "このトースターの消費電力は何ワットですか？",  # not understood, the classifier sure of product_safety
    "ステンレスボトルは食洗機に入れても大丈夫ですか？",
]


@pytest.mark.parametrize("question", QUESTIONS_BEFORE_BUYING)
def test_a_question_before_buying_opens_no_case_and_asks_no_order_number(assistant, question):
    sender = assistant.new_sender()
    replies = assistant.exchange(sender, question)
    texts = [m["text"] for m in replies]
    assert ORDER_NUMBER_QUESTION not in texts
    assert texts[0] in (response_text("utter_faq_not_in_faq"), SUGGESTIONS_TEXT, response_text("utter_faq_unsure"))
    assert any(b["payload"] == "担当者と話したい" for m in replies for b in m.get("buttons") or [])
    assert count_of(assistant, Trouble, sender) == 0
    [row] = faq_rows(assistant, sender)
    assert row.outcome in ("not_in_faq", "unsure") and row.question


def test_a_trouble_is_never_answered_from_the_faq(assistant):
    sender = assistant.new_sender()
    replies = assistant.say(sender, "返品したいです。届いたシャツのサイズが合いませんでした")
    assert replies[0] == response_text("utter_ack_refund_return")
    assert not any(e.answer in replies for e in ENTRIES.values())
    assert faq_rows(assistant, sender) == []


@pytest.mark.parametrize("topic, entry_id", [("キャンセル方法", "cancel_before_shipping"), ("返品条件", "return_policy")])
def test_a_topic_typed_as_search_words_is_answered_though_the_classifier_reads_a_trouble_in_it(assistant, topic,
                                                                                                  entry_id):
    """The issue-type classifier reads refund_return in both; a topic is no report, so the FAQ answers."""
    assert all(fold_question(topic) != fold_question(q) for q in ENTRIES[entry_id].questions)
    sender = assistant.new_sender()
    answer = assistant.exchange(sender, topic)
    assert [m.get("text") for m in answer] == [ENTRIES[entry_id].answer, response_text("utter_faq_ask_solved")]
    assert count_of(assistant, Trouble, sender) == 0


@pytest.mark.parametrize("topic, acknowledgement", [("配送遅延", "utter_ack_delivery_delay"),
                                                    ("返金", "utter_ack_refund_return")])
def test_a_trouble_typed_as_search_words_starts_the_trouble_flow(assistant, topic, acknowledgement):
    sender = assistant.new_sender()
    replies = assistant.say(sender, topic)
    assert replies[0] == response_text(acknowledgement)
    assert not any(e.answer in replies for e in ENTRIES.values())
    assert faq_rows(assistant, sender) == []


def test_an_english_question_gets_the_english_answer_and_other_english_the_bilingual_note(assistant):
    sender = assistant.new_sender()
    replies = assistant.say(sender, "Is there a charge for shipping?")
    assert replies == [ENTRIES["shipping_fee"].answer_en, response_text("utter_faq_ask_solved_en")]
    [row] = faq_rows(assistant, sender)
    assert row.language == "en"

    # Between two entries (delivery: its cost or its days?), the bot may only say so plainly, never guess:
    # on 2026-11-30 the model put shipping_fee first at 0.29, below the answer threshold.
    unsure = assistant.say(assistant.new_sender(), "How much do you charge for delivery?")
    assert unsure in ([ENTRIES["shipping_fee"].answer_en, response_text("utter_faq_ask_solved_en")],
                      [response_text("utter_faq_english_note")])

    other = assistant.new_sender()
    note = assistant.say(other, "The lid of the kettle I bought is cracked, what should I do?")
    assert note == [response_text("utter_faq_english_note")]
    assert count_of(assistant, Trouble, other) == 0


def test_every_suggestion_button_sends_a_question_the_bot_answers_with_its_entry(assistant):
    """Unsure, the bot offers 「もしかして」 buttons that send one of an entry's questions (actions.faq):
    each of them must get that entry's answer, or a button would lead nowhere."""
    wrong = {}
    for entry in ENTRIES.values():
        replies = assistant.say(assistant.new_sender(), button_question(entry))
        if replies != [entry.answer, response_text("utter_faq_ask_solved")]:
            wrong[entry.id] = replies
    assert wrong == {}


# Long, elderly-register questions from writer C's development split whose entry the model put first but
# far under the answer threshold (0.15-0.17 on 2026-12-01): DIET's borderline readings vary between
# trainings, so the test needs one of them, not each, to be unsure.
UNSURE_QUESTIONS = [
    ("お葉書に割引の番号が書いてあったのですが、これはどこに入れればよろしいのでしょうか。", "coupon"),
    ("町内会の記念品として、タオルを五十枚ほど名前を入れて作っていただきたいのですが、どちらに相談すればよいのでしょうか。",
     "bulk_order"),
    ("いただいたお茶を開けずにとってあるのですが、好みの味ではなかったようで、こういう食べ物でもお返しすることはできるのでしょうか。",
     "return_policy"),
]


def test_unsure_the_bot_offers_maybe_buttons_and_a_pressed_one_gets_its_answer(assistant):
    """「もしかして」: the entries the model ranks first as buttons, then 「担当者と話す」; a button answers."""
    offered = 0
    for question, entry_id in UNSURE_QUESTIONS:
        sender = assistant.new_sender()
        replies = assistant.exchange(sender, question)
        texts = [m.get("text") for m in replies]
        assert not any(e.answer in texts for e in ENTRIES.values() if e.id != entry_id), (question, texts)
        if texts != [SUGGESTIONS_TEXT]:
            continue
        offered += 1
        buttons = replies[0]["buttons"]
        assert buttons[-1] == templates.FAQ_TALK_TO_PERSON
        assert 2 <= len(buttons) <= 4 and all(b["title"] == b["payload"] for b in buttons[:-1])
        [row] = faq_rows(assistant, sender)
        assert row.outcome == "unsure" and count_of(assistant, Trouble, sender) == 0
        [right] = [b for b in buttons if b["payload"] == button_question(ENTRIES[entry_id])]
        assert assistant.say(sender, right["payload"]) == [ENTRIES[entry_id].answer,
                                                           response_text("utter_faq_ask_solved")]
        assert [(r.outcome, r.faq_id) for r in faq_rows(assistant, sender)][1:] == [("answered", entry_id)]
    assert offered >= 1, ("no question got the 「もしかして」 buttons: the bot offers none, or this model was sure "
                          "of all three (then choose questions further under the answer threshold)")
