"""The shop's FAQ file, the rules for answering from it, and the record of answers (no model needed)."""

from __future__ import annotations

import os
import shutil
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from bot.config import PROJECT_ROOT, business_calendar, faq_file
from bot.faq import (
    FaqEntry,
    FaqFileError,
    dump_faq,
    fold_question,
    is_english,
    load_faq,
    parse_faq,
    save_faq,
)
from bot.dialogue import about_own_order
from bot.text import is_question
from bot.faq_answer import MAX_SUGGESTIONS, MIN_ANSWER_CONFIDENCE, MIN_SUGGESTION_CONFIDENCE, FaqReading
from bot.faq_log import FaqOutcome, record_answer, record_feedback, summarise
from bot.modelfiles import MODEL_INPUTS, fingerprint
from bot.store.db import engine_for, session_scope
from bot.store.migrate import upgrade
from bot.store.models import Ticket
from bot.training import FAILED, RUNNING, SUCCEEDED, TrainingAlreadyRunning, read_state, start_training

# The demo shop's entries (helpers/faq_ids.md): reports and tests name them, so they are fixed.
FAQ_IDS = (
    "business_hours", "contact_methods", "shipping_fee", "shipping_days", "delivery_time_slot", "okihai",
    "carriers", "shipping_abroad", "payment_methods", "pay_later", "convenience_store_payment", "credit_card",
    "bank_transfer", "receipt", "change_address", "cancel_before_shipping", "add_to_order", "return_policy",
    "exchange", "gift_wrapping", "gift_delivery", "restock", "membership", "withdraw_membership", "points",
    "coupon", "subscription_change", "bulk_order", "physical_store",
)
ENGLISH_REQUIRED = ("business_hours", "shipping_fee", "shipping_abroad", "payment_methods", "return_policy",
                    "contact_methods", "shipping_days", "receipt")


@pytest.fixture(scope="module")
def shop_faq() -> dict[str, FaqEntry]:
    return {e.id: e for e in load_faq(PROJECT_ROOT / "data" / "faq.yml")}


def test_the_demo_shops_faq_has_every_fixed_entry_with_enough_phrasings(shop_faq):
    assert tuple(shop_faq) == FAQ_IDS
    for entry in shop_faq.values():
        assert len(entry.questions) >= 15, entry.id
        assert entry.answer.endswith(("。", "）")), entry.id
    for entry_id in ENGLISH_REQUIRED:
        assert shop_faq[entry_id].answer_en and shop_faq[entry_id].questions_en, entry_id


def test_the_return_policy_states_the_shops_return_terms_as_the_law_asks(shop_faq):
    """特定商取引法 §15-3: no cooling-off for mail order; the shown 返品特約 applies (else 8 days, customer pays)."""
    answer = shop_faq["return_policy"].answer
    for words in ("返品特約", "クーリング・オフ制度はありません", "商品到着後8日以内", "返送料はお客さまのご負担",
                  "未開封・未使用", "食品", "送料当店負担"):
        assert words in answer, words
    assert "8 days" in shop_faq["return_policy"].answer_en


def test_the_faq_agrees_with_the_demo_shop_and_the_business_calendar(shop_faq):
    with open(PROJECT_ROOT / "data" / "demo_shop.yml", encoding="utf-8") as f:
        header = f.read(2000)
    assert "free from ¥5,500; otherwise ¥600 (¥1,200 to Hokkaido and Okinawa)" in header
    fee = shop_faq["shipping_fee"].answer
    assert all(words in fee for words in ("600円", "1,200円", "5,500円", "北海道・沖縄県"))
    calendar = business_calendar()  # the defaults: 9-18 Monday to Friday, closed 12/29-1/3
    monday = datetime(2026, 11, 30, 10, 0, tzinfo=timezone(timedelta(hours=9)))
    assert calendar.is_open(monday) and not calendar.is_open(monday + timedelta(days=5))
    hours = shop_faq["business_hours"].answer
    assert "平日（月〜金）9:00〜18:00" in hours and "12月29日〜1月3日" in hours


def test_no_phrasing_is_both_an_faq_question_and_another_intents_example(shop_faq):
    """The model cannot learn a sentence as two things: FAQ phrasings stay out of data/nlu."""
    from bot.evaluation import load_labelled_examples

    phrasings = {fold_question(q): e.id for e in shop_faq.values() for q in (*e.questions, *e.questions_en)}
    clashes = [(text, intent, phrasings[fold_question(text)])
               for text, intent in load_labelled_examples(sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")))
               if fold_question(text) in phrasings]
    assert clashes == []


def _file(**changes) -> dict:
    entry = {"id": "gift_wrapping", "questions": ["ラッピングできますか", "包装してもらえますか", "のしは付けられますか",
                                                  "ギフト包装はいくら", "メッセージカードを付けたい"],
             "answer": "ギフトラッピングは1点330円です。"}
    return {"version": 1, "faq": [{**entry, **changes}]}


@pytest.mark.parametrize("changes, message", [
    ({"answer": ""}, "「gift_wrapping」: answer（回答）を書いてください"),
    ({"questions": ["ラッピングできますか"]}, "質問の言い方を5つ以上"),
    ({"id": "ギフト"}, "id は半角の小文字英字で始まり"),
    ({"answer": "{name}さま、ラッピングは330円です。"}, "{ } は使えません"),
    ({"questions_en": ["Can you gift wrap?"]}, "questions_en を書くときは answer_en も"),
    ({"colour": "red"}, "使えない項目名があります（colour）"),
])
def test_a_broken_entry_is_refused_with_a_message_naming_it(changes, message):
    with pytest.raises(FaqFileError, match=message.replace("(", r"\(").replace(")", r"\)").replace("{", r"\{")
                       .replace("}", r"\}")):
        parse_faq(_file(**changes))


def test_one_question_in_two_entries_or_one_id_twice_is_refused():
    data = _file()
    data["faq"].append({**data["faq"][0], "id": "gift_delivery"})
    with pytest.raises(FaqFileError, match="質問「ラッピングできますか」は「gift_wrapping」にもあります"):
        parse_faq(data)
    data["faq"][1] = dict(data["faq"][0])
    with pytest.raises(FaqFileError, match="同じ id が2回あります"):
        parse_faq(data)


def test_a_yaml_mistake_names_the_line(tmp_path):
    path = tmp_path / "faq.yml"
    path.write_text("faq:\n  - id: a\n    questions: [x\n", encoding="utf-8")
    with pytest.raises(FaqFileError, match="行目付近"):
        load_faq(path)


def test_what_the_console_saves_reads_back_the_same_and_keeps_the_header(tmp_path, shop_faq):
    path = tmp_path / "faq.yml"
    entries = tuple(shop_faq.values())
    save_faq(path, entries)
    assert load_faq(path) == entries
    assert path.read_text(encoding="utf-8").startswith("# まどぐち雑貨店 よくあるご質問（FAQ）")
    with pytest.raises(FaqFileError):
        save_faq(path, [*entries, entries[0]])
    assert load_faq(path) == entries  # a refused save leaves the file as it was


@pytest.mark.parametrize("text, english", [
    ("What are your business hours?", True),
    ("Do you ship internationally?", True),
    ("How much is shipping?", True),
    ("My order arrived broken and I want my money back.", True),
    ("eigyou jikan wa nanji made desu ka", False),
    ("Kono jaketto no zaiko arimasu ka?", False),
    ("denwa bangou wa arimasu ka?", False),
    ("営業時間は何時までですか", False),
    ("Is this Tシャツ unisex? サイズ感知りたい", False),
    ("hello", False),
    ("MD26110220", False),
])
def test_english_is_told_from_japanese_written_in_romaji(text, english):
    assert is_english(text) is english


def _parse(intent: str, confidence: float, entry: str, entry_confidence: float, *, runner_up: float = 0.0,
           question: float = 0.0, text: str = "") -> dict:
    return {"text": text, "intent": {"name": intent, "confidence": confidence},
            "response_selector": {"faq": {"response": {"intent_response_key": f"faq/{entry}",
                                                       "confidence": entry_confidence},
                                          "ranking": [{"intent_response_key": f"faq/{entry}",
                                                       "confidence": entry_confidence},
                                                      {"intent_response_key": "faq/business_hours",
                                                       "confidence": runner_up}],
                                          "question_confidence": question}}}


def test_the_bot_answers_only_when_the_model_is_sure_of_the_question_and_the_entry():
    assert FaqReading.from_parse_data(_parse("faq", 0.97, "receipt", 0.9)).answer_id() == "receipt"
    assert FaqReading.from_parse_data(_parse("faq", 0.97, "receipt", MIN_ANSWER_CONFIDENCE - 0.01)).answer_id() is None
    assert FaqReading.from_parse_data(_parse("faq", 0.3, "receipt", 0.9)).answer_id() is None
    # A trouble is never answered from the FAQ, whatever the FaqEntrySelector ranked first.
    assert FaqReading.from_parse_data(_parse("refund_return", 0.9, "return_policy", 0.99)).answer_id() is None
    assert FaqReading.from_parse_data(_parse("escalate", 1.0, "contact_methods", 0.99)).answer_id() is None


def _answer(entry_confidence: float, runner_up: float, question: float) -> str | None:
    return FaqReading.from_parse_data(_parse("faq", 1.0, "coupon", entry_confidence, runner_up=runner_up,
                                             question=question)).answer_id()


def test_an_entry_far_ahead_of_the_next_is_answered_under_the_usual_confidence_when_the_message_surely_asks():
    """「くーぽん は いっかい に なんまい まで つかえますか」-like registers spread the selector's probability."""
    assert MIN_ANSWER_CONFIDENCE > 0.35
    assert _answer(0.35, runner_up=0.08, question=0.6) == "coupon"  # 4.4 times the runner-up
    # A close runner-up (a question the FAQ does not answer spreads evenly), a doubtful FAQ-or-not figure,
    # or a top entry too low: unsure, the bot says so.
    assert _answer(0.35, runner_up=0.10, question=0.9) is None
    assert _answer(0.35, runner_up=0.01, question=0.45) is None
    assert _answer(0.19, runner_up=0.001, question=0.99) is None


def test_a_long_question_is_answered_at_three_times_the_runner_up_when_it_surely_asks_the_faq():
    """「注文を済ませてから、もう一つ欲しいものを見つけてしまいました…」: add_to_order 0.30 against 0.11."""
    assert _answer(0.30, runner_up=0.09, question=0.96) == "coupon"
    assert _answer(0.30, runner_up=0.09, question=0.90) is None
    assert _answer(0.30, runner_up=0.11, question=0.99) is None


@pytest.mark.parametrize("text, own", [
    ("昨日注文したタオルにもう1枚追加できますか？", True),
    ("注文番号20931のお届け先を実家に変えたいです", True),
    ("MD26110001の領収書の宛名を会社名にしてほしい", True),
    ("今朝の注文、支払い方法を後払いからカードに変えてもらえますか？", True),
    ("私が注文した急須、もう発送されましたか？", True),
    ("さっき頼んだ注文、ラッピング付け忘れたのでいまからお願いできますか？", True),
    # How the shop works, and plans that are not an order yet: the FAQ answers.
    ("注文した後に住所を変更できますか", False),
    ("今日頼んだらいつ着く？", False),
    ("今日注文したとして、だいたい何日で届きますか", False),
    ("注文後のキャンセルはできますか", False),
    ("領収書の宛名は変えられますか", False),
])
def test_a_request_about_ones_own_order_is_told_from_a_question_about_how_the_shop_works(text, own):
    assert about_own_order(text) is own


def test_a_request_about_ones_own_order_is_not_answered_from_the_faq_however_sure_the_selector_is():
    """The shop must look at that order: the trouble flow verifies it and a person acts (issue #15)."""
    own = _parse("faq", 0.99, "add_to_order", 0.89, question=0.9, text="昨日注文したタオルにもう1枚追加できますか？")
    general = _parse("faq", 0.99, "add_to_order", 0.89, question=0.9, text="注文した後に商品を追加できますか？")
    assert FaqReading.from_parse_data(own).answer_id() is None
    assert FaqReading.from_parse_data(general).answer_id() == "add_to_order"


def test_the_importer_gives_rasa_the_retrieval_intent_and_both_answers(shop_faq):
    from bot.rasa_nlu.faq_importer import FaqImporter

    importer = FaqImporter(str(PROJECT_ROOT / "config.yml"))
    nlu = importer.get_nlu_data("ja")
    assert nlu.retrieval_intents == {"faq"}
    keys = {m.get("intent_response_key") for m in nlu.intent_examples}
    assert keys == {f"faq/{i}" for i in FAQ_IDS}
    assert nlu.responses["utter_faq/receipt"] == [{"text": shop_faq["receipt"].answer}]
    domain = importer.get_domain()
    assert domain.responses["utter_faq_en_receipt"] == [{"text": shop_faq["receipt"].answer_en}]


def test_editing_the_faq_retrains(tmp_path, monkeypatch):
    assert "data/faq.yml" in MODEL_INPUTS
    for name in (*MODEL_INPUTS, "constraints.txt"):
        source, target = PROJECT_ROOT / name, tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    before = fingerprint(tmp_path)
    with open(tmp_path / "data" / "faq.yml", "a", encoding="utf-8") as f:
        f.write("\n# edited\n")
    assert fingerprint(tmp_path) != before
    # A shop that keeps its FAQ elsewhere (MADOGUCHI_FAQ_FILE) retrains when that file changes.
    elsewhere = tmp_path / "shop_faq.yml"
    shutil.copy(tmp_path / "data" / "faq.yml", elsewhere)
    monkeypatch.setenv("MADOGUCHI_FAQ_FILE", str(elsewhere))
    assert faq_file(tmp_path) == elsewhere
    moved = fingerprint(tmp_path)
    elsewhere.write_text(elsewhere.read_text(encoding="utf-8") + "\n# again\n", encoding="utf-8")
    assert fingerprint(tmp_path) != moved


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request, tmp_path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'faq.db'}"
        upgrade(url)
        return url
    return request.getfixturevalue("postgres_url")


NOW = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)


def test_the_month_counts_answers_per_entry_unanswered_questions_and_conversations_without_people(database):
    engine = engine_for(database)
    with session_scope(engine) as session:
        def ask(conversation, outcome, faq_id=None, question="", at=NOW):
            record_answer(session, conversation_id=conversation, channel="rest", outcome=outcome, faq_id=faq_id,
                          confidence=0.9, english=False, question=question, now=at)

        ask("rest:a", FaqOutcome.ANSWERED, "shipping_fee", "送料はいくら")
        ask("rest:a", FaqOutcome.ANSWERED, "receipt", "領収書ほしい")
        ask("rest:b", FaqOutcome.ANSWERED, "shipping_fee")
        ask("rest:c", FaqOutcome.ANSWERED, "points")
        ask("rest:d", FaqOutcome.NOT_IN_FAQ, None, "このニットは山田花子さん（090-1234-5678）が着ていたものと同じ？")
        ask("rest:e", FaqOutcome.UNSURE, "coupon", "あれってどうなってます？")
        ask("rest:f", FaqOutcome.ANSWERED, "points", at=NOW - timedelta(days=40))  # October
        assert record_feedback(session, "rest:a", True, NOW) == "receipt"  # the latest answer
        assert record_feedback(session, "rest:a", True, NOW) is None  # a double tap counts once
        assert record_feedback(session, "rest:b", False, NOW) == "shipping_fee"
        assert record_feedback(session, "rest:zzz", True, NOW) is None
        session.add(Ticket(reference="E20261124-00001", conversation_id="rest:c", channel="rest",
                           reason="human_request", severity="normal", status="open",
                           evidence="", created_at=NOW, first_reply_due=NOW + timedelta(hours=1)))
    with session_scope(engine) as session:
        month = summarise(session, datetime(2026, 11, 1, tzinfo=timezone.utc), datetime(2026, 12, 1, tzinfo=timezone.utc))
    assert month.asked == 6
    assert month.answered_by_entry == {"shipping_fee": 2, "receipt": 1, "points": 1}
    assert (month.solved, month.not_solved, month.unanswered) == (1, 1, 2)
    assert month.conversations_with_answer == 3
    assert month.settled_without_person == 1  # a: solved; b said 解決しない; c went to a person
    assert "090-1234-5678" not in " ".join(month.unanswered_questions)
    assert any("このニット" in q for q in month.unanswered_questions)


def _wait_for(var_dir, states, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = read_state(var_dir)
        if state.state in states:
            return state
        time.sleep(0.1)
    raise AssertionError(f"training state stayed {read_state(var_dir)}")


def test_a_background_training_reports_its_state_and_runs_once_at_a_time(tmp_path):
    var_dir = tmp_path / "var"
    assert read_state(var_dir).state == ""
    started = start_training(var_dir, (sys.executable, "-c", "import time; time.sleep(3)"))
    assert started.state == RUNNING
    with pytest.raises(TrainingAlreadyRunning):
        start_training(var_dir, (sys.executable, "-c", "pass"))
    assert _wait_for(var_dir, (SUCCEEDED,)).exit_code == 0
    start_training(var_dir, (sys.executable, "-c", "import sys; sys.exit(3)"))
    failed = _wait_for(var_dir, (FAILED,))
    assert failed.exit_code == 3 and failed.seconds is not None


def test_the_faq_file_setting_is_documented_and_defaults_to_data_faq_yml(monkeypatch):
    monkeypatch.delenv("MADOGUCHI_FAQ_FILE", raising=False)
    assert faq_file() == PROJECT_ROOT / "data" / "faq.yml"
    assert "`MADOGUCHI_FAQ_FILE`" in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    with open(PROJECT_ROOT / "config.yml", encoding="utf-8") as f:
        config = yaml.safe_load(f)
    assert {"name": "bot.rasa_nlu.faq_importer.FaqImporter"} in config["importers"]
    assert any(c["name"] == "bot.rasa_nlu.components.FaqEntrySelector" and c["retrieval_intent"] == "faq"
               for c in config["pipeline"])


def test_an_english_complaint_is_not_answered_from_the_faq_even_when_diet_reads_it_as_a_question():
    complaint = _parse("faq", 1.0, "okihai", 0.6, question=0.9,
                       text="The lid of the kettle I bought is cracked, what should I do?")
    complaint["issue_type"] = {"name": "defective_product", "confidence": 0.43}
    question = _parse("faq", 1.0, "shipping_fee", 0.8, question=0.9, text="Is there a charge for shipping?")
    question["issue_type"] = {"name": "other", "confidence": 0.97}
    # The same reading in Japanese keeps the FAQ's way: DIET and the selector decide there.
    japanese = _parse("faq", 1.0, "return_policy", 0.8, question=0.9, text="開けちゃったら返品できない？")
    japanese["issue_type"] = {"name": "refund_return", "confidence": 0.6}
    assert FaqReading.from_parse_data(complaint).answer_id() is None
    assert FaqReading.from_parse_data(question).answer_id() == "shipping_fee"
    assert FaqReading.from_parse_data(japanese).answer_id() == "return_policy"


def _reading(entry: str, text: str, issue_type: str, confidence: float = 0.7) -> FaqReading:
    parse = _parse("faq", 1.0, entry, 0.8, question=0.9, text=text)
    parse["issue_type"] = {"name": issue_type, "confidence": confidence}
    return FaqReading.from_parse_data(parse)


def test_a_report_of_what_happened_is_a_trouble_whatever_entry_the_selector_ranks_first():
    """A trouble is never answered with an FAQ entry: a statement the issue-type classifier reads as one goes on."""
    report = _reading("points", "ポイントで払ったはずなのに全額カードに請求されている", "billing_contract")
    assert report.reports_a_trouble and report.answer_id() is None
    # The same topic asked, a topic typed as search words, or a statement with no trouble in it: answered.
    assert _reading("points", "ポイントとカードって一緒に使えますか", "billing_contract").answer_id() == "points"
    assert _reading("return_policy", "返品 期限", "refund_return", 0.98).answer_id() == "return_policy"
    assert _reading("receipt", "領収書の宛名は会社名でお願いしたいです", "other").answer_id() == "receipt"


def test_a_statement_in_which_the_classifier_is_unsure_of_a_trouble_is_no_report():
    """Writer C's worry about a price slip in a gift was held back as a report of wrong_delivery read at 0.23."""
    worry = "遠方に住む姉へ贈り物を直接届けていただきたいのですが、値段の書いた紙が入っていると失礼なので心配です。"
    assert _reading("gift_delivery", worry, "wrong_delivery", 0.23).answer_id() == "gift_delivery"
    assert _reading("gift_delivery", worry, "wrong_delivery", 0.8).answer_id() is None


def _unsure(ranking: list[tuple[str, float]], *, text: str = "くーぽん いっかい なんまい", intent: str = "faq",
            issue_type: str = "other") -> FaqReading:
    return FaqReading.from_parse_data({
        "text": text, "intent": {"name": intent, "confidence": 0.9},
        "issue_type": {"name": issue_type, "confidence": 0.8},
        "response_selector": {"faq": {
            "response": {"intent_response_key": f"faq/{ranking[0][0]}", "confidence": ranking[0][1]},
            "ranking": [{"intent_response_key": f"faq/{entry}", "confidence": c} for entry, c in ranking],
            "question_confidence": 0.7}}})


def test_unsure_of_a_japanese_question_the_bot_offers_the_entries_it_ranks_first_as_buttons():
    """「もしかして」: the right entry is often second or third when the register spreads the selector's figures."""
    ranking = [("points", 0.22), ("coupon", 0.21), ("membership", 0.12), ("receipt", 0.08)]
    assert MAX_SUGGESTIONS == 3
    assert _unsure(ranking).answer_id() is None
    assert _unsure(ranking).suggestion_ids() == ("points", "coupon", "membership")
    # An entry under the floor is a guess, not a button.
    assert _unsure([("points", 0.22), ("coupon", MIN_SUGGESTION_CONFIDENCE - 0.01)]).suggestion_ids() == ("points",)


@pytest.mark.parametrize("reading", [
    _unsure([("coupon", 0.9), ("points", 0.05)]),  # answered: no buttons beside an answer
    _unsure([("return_policy", 0.3), ("exchange", 0.2)], text="届いた服のサイズが全然違っていて着られませんでした",
            issue_type="wrong_delivery"),  # a report of a trouble goes to the case
    _unsure([("shipping_days", 0.3), ("carriers", 0.2)], text="私が注文した荷物はいつ届きますか"),  # one's own order
    _unsure([("coupon", 0.3), ("points", 0.2)], text="How many coupons can I use at once?"),  # English: the note
    _unsure([("coupon", 0.3), ("points", 0.2)], intent="request_human"),  # not read as an FAQ question
], ids=["answered", "trouble report", "own order", "english", "not an faq question"])
def test_no_buttons_are_offered_where_the_faq_must_not_answer(reading):
    assert reading.suggestion_ids() == ()


def test_a_button_is_labelled_and_sent_as_one_of_the_entrys_own_questions_from_the_shops_file(tmp_path, monkeypatch):
    from actions.faq import MAX_BUTTON_QUESTION_CHARS, button_question, suggestion_buttons

    entries = list(load_faq(faq_file()))
    shop = tmp_path / "faq.yml"
    shop.write_text(dump_faq(entries), encoding="utf-8")
    monkeypatch.setenv("MADOGUCHI_FAQ_FILE", str(shop))
    first = {e.id: button_question(e) for e in entries}
    # A question that fits LINE's label, never a statement of want, which the model reads as a trouble.
    assert all(q in e.questions and is_question(q) and len(q) <= MAX_BUTTON_QUESTION_CHARS
               for e in entries for q in [first[e.id]])
    assert first["withdraw_membership"] != "退会したいのですが"
    buttons = suggestion_buttons(_unsure([("points", 0.22), ("coupon", 0.21), ("membership", 0.12)]))
    assert buttons == [{"title": first[i], "payload": first[i]} for i in ("points", "coupon", "membership")]
    # The shop removes an entry before the next training: it is no longer offered.
    shop.write_text(dump_faq([e for e in entries if e.id != "coupon"]), encoding="utf-8")
    os.utime(shop, (time.time() + 5, time.time() + 5))  # a new modification time, however coarse the clock
    assert [b["payload"] for b in suggestion_buttons(_unsure([("points", 0.22), ("coupon", 0.21)]))] == [first["points"]]


def test_no_buttons_when_the_classifier_is_sure_of_a_trouble_for_the_case_opens_instead():
    """「お葉書に割引の番号が書いてあったのですが…」 read as a privacy concern: action_answer_faq opens the case."""
    sure = _unsure([("coupon", 0.15), ("receipt", 0.12)], issue_type="privacy_concern")
    assert sure.issue_confidence == 0.8 and sure.names_a_trouble and sure.suggestion_ids() == ()


def test_a_report_that_ends_in_a_question_opens_the_case_when_the_classifier_is_sure_of_the_trouble():
    """Writer C's 「…合計より多いです。なぜですか？」 was answered with the 後払い entry (issue #15)."""
    report = "後払いの請求書の金額が、注文したときの合計より多いです。なぜですか？"
    assert _reading("pay_later", report, "billing_contract", 0.94).answer_id() is None
    assert not _reading("pay_later", report, "billing_contract", 0.94).suggestion_ids()
    # A situation told before an FAQ question, where the classifier is less sure, is still answered.
    moving = "来週の金曜に引っ越しなので、それまでに届かないと困ります。土日も発送してもらえるんでしょうか？"
    assert _reading("shipping_days", moving, "delivery_delay", 0.84).answer_id() == "shipping_days"
    # One sentence that asks is a question, however sure the classifier is (「開けちゃったら返品できない？」 above).
    assert _reading("return_policy", "開封したものは返品できないんですか？", "refund_return", 0.95).answer_id() \
        == "return_policy"
    # A greeting, an apology or an announced question before a question tells nothing either.
    for opening in ("お世話になっております。", "すみません。", "質問です。", "ちょっとお聞きしたいのですが。"):
        assert _reading("return_policy", opening + "開封したものは返品できないんですか？", "refund_return",
                        0.95).answer_id() == "return_policy"
    assert _reading("pay_later", "お世話になっております。" + report, "billing_contract", 0.94).answer_id() is None
    # Two questions tell nothing.
    assert _reading("coupon", "クーポンは併用できますか？ポイントとも使えますか？", "system_trouble", 0.95).answer_id() \
        == "coupon"
