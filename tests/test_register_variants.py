"""Register variants (bot.kana, bot.rasa_nlu.register_variants): kana, half-width, romaji, of FAQ phrasings and messages."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.kana import katakana_to_romaji, romaji_to_katakana, to_half_width_katakana
from tests.pipeline_components import trained, training_message


@pytest.mark.parametrize("katakana, half_width, romaji", [
    ("ヘンピン", "ﾍﾝﾋﾟﾝ", "henpin"),
    ("ハッソウ", "ﾊｯｿｳ", "hassou"),
    ("チューモン", "ﾁｭｰﾓﾝ", "chuumon"),
    ("ラッピング", "ﾗｯﾋﾟﾝｸﾞ", "rappingu"),
    ("ジュウショ", "ｼﾞｭｳｼｮ", "juusho"),
    ("シュクジツ", "ｼｭｸｼﾞﾂ", "shukujitsu"),
    ("マッチャ", "ﾏｯﾁｬ", "matcha"),
    ("ガギグゲゴパピプペポ", "ｶﾞｷﾞｸﾞｹﾞｺﾞﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "gagigugegopapipupepo"),
    ("ヲ", "ｦ", "o"),
    ("500エン", "500ｴﾝ", "500en"),
])
def test_katakana_as_phones_without_a_japanese_keyboard_type_it(katakana, half_width, romaji):
    assert to_half_width_katakana(katakana) == half_width
    assert katakana_to_romaji(katakana) == romaji


@pytest.mark.parametrize("word", ["ヘンピン", "ハッソウ", "ジュウショ", "シュクジツ", "ユウリョウ", "キャンセル", "リョウシュウショ"])
def test_romaji_written_from_katakana_reads_back_the_same(word):
    assert romaji_to_katakana(katakana_to_romaji(word)) == word


@pytest.fixture(scope="module")
def ginza():
    from bot.rasa_nlu.components import GinzaNLP

    return GinzaNLP.load_model("ja_ginza").model


def test_each_phrasing_gets_the_next_register_spelled_from_its_reading(ginza):
    from bot.rasa_nlu.register_variants import register_variants

    texts = ["土曜日も発送してますか？", "インボイスの登録番号は載ってますか", "注文後に住所変更できますか",
             "iPhoneで注文できますか？送料は500円ですか"]
    assert register_variants(texts, ginza) == [
        ("どようび も はっそうしてますか?", "hiragana"),
        ("ｲﾝﾎﾞｲｽﾉ ﾄｳﾛｸﾊﾞﾝｺﾞｳﾊ ﾉｯﾃﾏｽｶ", "half_width"),
        ("chuumongo ni juushohenkoudekimasuka", "romaji"),
        ("iPhone で ちゅうもんできますか? そうりょう は 500えんですか", "hiragana"),
    ]


def test_the_importer_adds_one_marked_variant_per_japanese_phrasing_and_none_in_english(ginza):
    from bot.config import PROJECT_ROOT
    from bot.faq import load_faq
    from bot.rasa_nlu.faq_importer import faq_training_data
    from bot.rasa_nlu.register_variants import is_register_variant

    entries = load_faq(PROJECT_ROOT / "data" / "faq.yml")
    plain = faq_training_data(entries)
    with_variants = faq_training_data(entries, nlp=ginza)
    variants = [m for m in with_variants.training_examples if is_register_variant(m)]
    written = [m.get("text") for m in plain.training_examples]
    assert not any(is_register_variant(m) for m in plain.training_examples)
    japanese = sum(len(e.questions) for e in entries)
    assert 0.9 * japanese <= len(variants) <= japanese
    assert not set(m.get("text") for m in variants) & set(written)  # never a copy of a phrasing
    assert all(m.get("intent_response_key", "").startswith("faq/") for m in variants)
    registers = Counter(m.get("metadata")["example"]["register_variant"] for m in variants)
    assert set(registers) == {"hiragana", "half_width", "romaji"} and min(registers.values()) > len(variants) / 4


def test_only_the_faq_entry_selector_learns_from_the_variants(tmp_path):
    """The intent classifier, the issue-type classifier and the FAQ-or-not model read the phrasings as written:
    were the variants theirs, kana alone would mean "a question for the FAQ" and a trouble in kana would be one.
    Trained with and without the variants, they come out the same; the entry ranking does not."""
    import numpy as np

    from bot.rasa_nlu.components import FaqEntrySelector, IssueTypeClassifier, LinearIntentClassifier

    rng = np.random.default_rng(20261202)
    written = [*(training_message(f"送料 は {i}", "faq", rng, entry="shipping_fee") for i in range(6)),
               *(training_message(f"営業 時間 {i}", "faq", rng, entry="business_hours") for i in range(6)),
               *(training_message(f"届か ない {i}", "delivery_delay", rng) for i in range(6)),
               *(training_message(f"壊れ てた {i}", "defective_product", rng) for i in range(6)),
               *(training_message(f"こんにちは {i}", "greet", rng) for i in range(6))]
    variants = [training_message(f"souryou {i}", "faq", rng, entry="shipping_fee", variant="romaji") for i in range(4)]
    for component_class, weights in ((LinearIntentClassifier, ("_weights", "_bias", "_temperature")),
                                     (IssueTypeClassifier, ("_weights", "_bias", "_temperature")),
                                     (FaqEntrySelector, ("_question_weights", "_question_bias"))):
        alone = trained(component_class, written, tmp_path, f"{component_class.__name__}-alone")
        beside = trained(component_class, written + variants, tmp_path, f"{component_class.__name__}-beside")
        for attribute in weights:
            assert np.array_equal(getattr(alone, attribute), getattr(beside, attribute)), (component_class, attribute)
    assert not np.array_equal(alone._weights, beside._weights)  # the selector's entry ranking learned from them



def test_each_customer_message_gets_two_variants_in_two_registers_with_its_intent_and_issue_type(ginza):
    """The issue type travels with the variant (a 慰謝料 demand about a broken kettle stays defective_product);
    the FAQ's phrasings (they have their own), English, and texts the training already has get none."""
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa_nlu.message_variants import message_variants

    examples = [Message.build(text="荷物がまだ届きません", intent="delivery_delay"),
                Message.build(text="ケトルが壊れた。慰謝料払え", intent="excessive_demand",
                              intent_metadata={"issue_type": "defective_product"}),
                Message.build(text="送料はいくらですか", intent="faq/shipping_fee"),
                Message.build(text="My parcel has not arrived yet", intent="delivery_delay")]
    variants = message_variants(examples, ginza, written=frozenset({"ﾆﾓﾂｶﾞ ﾏﾀﾞ ﾄﾄﾞｷﾏｾﾝ"}))
    assert [(m.get("text"), m.get("intent"), m.get("metadata")["example"]) for m in variants] == [
        ("にもつ が まだ とどきません", "delivery_delay", {"register_variant": "hiragana", "issue_type": "delivery_delay"}),
        ("ｹﾄﾙｶﾞ ｺﾜﾚﾀ ｲｼｬﾘｮｳ ﾊﾗｴ", "excessive_demand", {"register_variant": "half_width", "issue_type": "defective_product"}),
        ("ketoru ga kowareta isharyou harae", "excessive_demand",
         {"register_variant": "romaji", "issue_type": "defective_product"}),
    ]


def test_only_the_issue_type_classifier_learns_from_the_messages_variants(tmp_path):
    """A trouble's variants teach the issue type (kana, half-width and romaji troubles), never the dialogue's
    intent or the FAQ-or-not model, which read messages as written; at variant_weight 0 nothing learns them."""
    import numpy as np

    from bot.rasa_nlu.components import FaqEntrySelector, IssueTypeClassifier, LinearIntentClassifier

    rng = np.random.default_rng(20261203)
    written = [*(training_message(f"送料 は {i}", "faq", rng, entry="shipping_fee") for i in range(6)),
               *(training_message(f"営業 時間 {i}", "faq", rng, entry="business_hours") for i in range(6)),
               *(training_message(f"届か ない {i}", "delivery_delay", rng) for i in range(6)),
               *(training_message(f"壊れ てた {i}", "defective_product", rng) for i in range(6)),
               *(training_message(f"こんにちは {i}", "greet", rng) for i in range(6))]
    variants = [training_message(f"todoka nai {i}", "delivery_delay", rng, variant="romaji") for i in range(4)]
    for component_class, weights in ((LinearIntentClassifier, ("_weights", "_bias", "_temperature")),
                                     (FaqEntrySelector, ("_question_weights", "_question_bias", "_weights"))):
        alone = trained(component_class, written, tmp_path, f"{component_class.__name__}-alone")
        beside = trained(component_class, written + variants, tmp_path, f"{component_class.__name__}-beside")
        for attribute in weights:
            assert np.array_equal(getattr(alone, attribute), getattr(beside, attribute)), (component_class, attribute)
    alone = trained(IssueTypeClassifier, written, tmp_path, "issue-alone", variant_weight=0.5)
    unweighted = trained(IssueTypeClassifier, written + variants, tmp_path, "issue-unweighted", variant_weight=0.0)
    beside = trained(IssueTypeClassifier, written + variants, tmp_path, "issue-beside", variant_weight=0.5)
    assert np.array_equal(alone._weights, unweighted._weights)
    assert not np.array_equal(alone._weights, beside._weights)
    assert alone._temperature == beside._temperature  # calibrated on the messages as written


def test_writers_named_in_escalations_only_from_teach_the_intent_classifier_only_their_escalations(tmp_path):
    """Writers R to W's troubles sent short FAQ questions to the trouble flow when the dialogue learned them;
    their escalations still teach it (the requests for a person, the demands and the scheme in their words)."""
    import numpy as np
    from rasa.shared.nlu.constants import METADATA

    from bot.rasa_nlu.components import LinearIntentClassifier

    rng = np.random.default_rng(20261203)
    written = [*(training_message(f"届か ない {i}", "delivery_delay", rng) for i in range(6)),
               *(training_message(f"壊れ てた {i}", "defective_product", rng) for i in range(6)),
               *(training_message(f"人間 出して {i}", "request_human", rng) for i in range(6))]

    def by_writer_r(text, intent):
        message = training_message(text, intent, rng)
        message.set(METADATA, {"intent": {"writer": "R", "issue_type": "delivery_delay"}})
        return message

    trouble = [by_writer_r(f"来 ない {i}", "delivery_delay") for i in range(3)]
    escalation = [by_writer_r(f"担当 者 {i}", "request_human") for i in range(3)]
    alone = trained(LinearIntentClassifier, written, tmp_path, "alone", escalations_only_from=["R"])
    troubles = trained(LinearIntentClassifier, written + trouble, tmp_path, "troubles", escalations_only_from=["R"])
    escalations = trained(LinearIntentClassifier, written + escalation, tmp_path, "escalations",
                           escalations_only_from=["R"])
    everything = trained(LinearIntentClassifier, written + trouble, tmp_path, "everything")
    assert np.array_equal(alone._weights, troubles._weights)
    assert not np.array_equal(alone._weights, escalations._weights)
    assert not np.array_equal(alone._weights, everything._weights)
