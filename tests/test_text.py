"""Normalisation and the shop's entity parsers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.kana import romaji_to_katakana
from bot.text import (
    DASHES,
    find_amounts,
    find_digit_runs,
    find_order_numbers,
    find_shop_entities,
    kanji_or_digits_to_int,
    normalise,
    parse_order_number_reply,
    says_unknown,
    substance_span,
    without_word_gaps,
)


@pytest.mark.parametrize("raw, expected", [
    ("ＭＤ２６１１０２２０", "MD26110220"),
    ("ﾄﾄﾞｶﾅｲ", "トドカナイ"),
    ("￥１５，０００", "¥15,000"),
    ("ＭＤ－２６１１ー０２２０", "MD-2611-0220"),
    ("０９０－１２３４－５６７８", "090-1234-5678"),
])
def test_normalise_unifies_widths_and_dashes(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize("dash", list(DASHES))
def test_every_dash_of_the_one_list_is_read_between_digits(dash):
    """The guard and the order-number parser read digits with the same dashes (one list, bot/text.py)."""
    assert normalise(f"MD2611{dash}0220") == "MD2611-0220"
    assert [f.value for f in find_order_numbers(f"MD2611{dash}0220")] == ["MD26110220"]


def test_normalise_keeps_the_long_vowel_mark_inside_katakana_words():
    assert normalise("コーヒーメーカー") == "コーヒーメーカー"


@pytest.mark.parametrize("text", [
    "注文番号はMD26110220です", "md26110220", "ＭＤ２６１１０２２０", "MD-2611-0220", "md 2611 0220",
    "ご注文番号：ＭＤ－２６１１－０２２０", "MD#26110220",
])
def test_order_numbers_are_found_in_any_width_or_spacing(text):
    assert [f.value for f in find_order_numbers(text)] == ["MD26110220"]


def test_order_number_needs_exactly_eight_digits():
    assert find_order_numbers("MD2611022") == []
    assert find_order_numbers("MD261102201") == []


@pytest.mark.parametrize("reply, expected", [
    ("26110220", "MD26110220"), ("２６１１－０２２０です", "MD26110220"), ("MD26110220", "MD26110220"),
    ("先月の注文です", None), ("090-1234-5678", None), ("12345678 と 87654321", None),
])
def test_order_number_reply_accepts_bare_digits_only_when_unambiguous(reply, expected):
    assert parse_order_number_reply(reply) == expected


@pytest.mark.parametrize("reply", ["わからない", "分かりません", "メール消しちゃった", "覚えてない", "なし", "不明です"])
def test_says_unknown(reply):
    assert says_unknown(reply)


@pytest.mark.parametrize("text, yen", [
    ("15,000円", 15000), ("¥15000", 15000), ("￥１５，０００", 15000), ("1万円", 10000),
    ("1.5万円", 15000), ("十万円", 100000), ("3万5千円", 35000), ("１０万円の商品券", 100000),
    ("三千五百円", 3500), ("158,000円のノートPC", 158000), ("五百万円", 5000000),
])
def test_amounts_are_parsed_to_integer_yen(text, yen):
    assert [int(f.value) for f in find_amounts(text)] == [yen]


def test_words_that_only_look_like_units_are_not_amounts():
    assert find_amounts("万円") == []
    assert find_amounts("円高") == []


def test_entities_do_not_overlap():
    found = find_shop_entities("MD26110220で3,980円払いました。電話の下4桁は5678")
    assert [f.value for f in found["order_number"]] == ["MD26110220"]
    assert [f.value for f in found["amount"]] == ["3980"]
    assert [f.value for f in found["digits"]] == ["4", "5678"]


def test_digit_runs_keep_hyphenated_numbers_together():
    assert [f.value for f in find_digit_runs("０９０－１２３４－５６７８")] == ["09012345678"]


@pytest.mark.parametrize("word, kana", [
    ("henkin", "ヘンキン"), ("todokanai", "トドカナイ"), ("kitte", "キッテ"), ("shinpai", "シンパイ"),
    ("iPhone", None), ("wifi", None), ("123", None),
])
def test_romaji_is_read_as_katakana(word, kana):
    assert romaji_to_katakana(word) == kana


@given(st.text())
def test_normalise_is_idempotent(text):
    assert normalise(normalise(text)) == normalise(text)


@given(st.integers(min_value=1, max_value=99_999_999))
def test_any_written_integer_amount_parses_back(value):
    assert [int(f.value) for f in find_amounts(f"{value:,}円")] == [value]
    assert kanji_or_digits_to_int(str(value)) == value


@given(st.integers(min_value=0, max_value=99_999_999))
def test_any_order_number_is_found_in_full_width(value):
    number = f"{value:08d}"
    full_width = "ＭＤ" + "".join(chr(ord(d) + 0xFEE0) for d in number)
    assert [f.value for f in find_order_numbers(f"注文{full_width}です")] == [f"MD{number}"]


@pytest.mark.parametrize("text, substance", [
    ("こんにちは。荷物が届きません。よろしくお願いします。ありがとうございます！", "荷物が届きません"),
    ("いつもお世話になっております。商品が壊れていました", "商品が壊れていました"),
    ("あのー、すみません、届いてないんですけど", "届いてないんですけど"),
    ("返金お願いします", "返金"),  # the request stays: only whole closing phrases go
    ("あのときの商品が届かない", "あのときの商品が届かない"),  # a filler only when set apart
    ("どうも届かない", "どうも届かない"),
    ("hi, my parcel is late. thanks", "my parcel is late"),
    ("こんにちは", ""),
    ("どうもありがとうございました！", ""),
])
def test_greetings_and_closings_at_the_ends_are_not_the_substance(text, substance):
    start, end = substance_span(text)
    assert text[start:end] == substance


@pytest.mark.parametrize("text, joined", [
    ("返品担当 の フルネーム と 顔写真 送って", "返品担当のフルネームと顔写真送って"),
    ("息子が、お店の、宣伝の、お仕事を、すると、言って、おります。", "息子がお店の宣伝のお仕事をすると言っております。"),
    # ordinary prose keeps its commas, romaji its spaces
    ("先日、注文した土鍋が、まだ届きません。孫の誕生日に、間に合うでしょうか。",
     "先日、注文した土鍋が、まだ届きません。孫の誕生日に、間に合うでしょうか。"),
    ("nimotsu ga mada todokanai", "nimotsu ga mada todokanai"),
])
def test_japanese_written_a_word_at_a_time_is_read_without_the_gaps(text, joined):
    assert without_word_gaps(text) == joined
