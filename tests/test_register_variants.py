"""Register variants of the FAQ's phrasings (bot.kana, bot.rasa_nlu.faq_importer): kana, half-width, romaji."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.kana import katakana_to_romaji, romaji_to_katakana, to_half_width_katakana


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
    from bot.rasa_nlu.faq_importer import register_variants

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
    from bot.rasa_nlu.faq_importer import faq_training_data, is_register_variant

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


def test_only_the_faq_entry_selector_learns_from_the_variants():
    """The intent classifier, the issue-type classifier and the FAQ-or-not model read the phrasings as written:
    were the variants theirs, kana alone would mean "a question for the FAQ" and a trouble in kana would be one."""
    import inspect

    from bot.rasa_nlu import components

    for trainer in (components.LinearIntentClassifier.train, components.IssueTypeClassifier.train):
        assert "not is_register_variant(m)" in inspect.getsource(trainer)
    selector = inspect.getsource(components.FaqEntrySelector.train)
    assert "asked = [m for m in examples if not is_register_variant(m)]" in selector
