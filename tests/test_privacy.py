"""Personal data: masking what customers type and the outbound guard on replies.

The case behind this: two households at the same address, and one customer
was told the neighbour's full name and age. The people below reproduce it:
the 山田 household (mother and son, same surname, same landline) and the 佐藤
household live at the same address; 鈴木 and 中村 live in two rooms of one building.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.privacy import (
    NOBODY,
    Clearance,
    GuardVerdict,
    PersonalDataIndex,
    PersonRecord,
    _find_sensitive,
    mask_personal_data,
    screen_reply,
)
from tests.conftest import property_examples

HANAKO = PersonRecord(
    customer_id=1, name="山田 花子", name_kana="ヤマダ ハナコ", birth_date=date(1985, 4, 12),
    phone="03-3700-1234", email="hanako.yamada@example.jp", postal_code="154-0015",
    address="東京都世田谷区桜新町2-5-8", order_numbers=("MD26110001",), tracking_numbers=("4512-3456-7890",),
)
TARO = PersonRecord(   # Hanako's son: same surname, address and landline
    customer_id=2, name="山田 太郎", name_kana="ヤマダ タロウ", birth_date=date(2012, 8, 20),
    phone="03-3700-1234", email="taro.yamada@example.jp", postal_code="154-0015",
    address="東京都世田谷区桜新町2-5-8", order_numbers=("MD26110003",),
)
KENTA = PersonRecord(  # the other household at the same address
    customer_id=3, name="佐藤 健太", name_kana="サトウ ケンタ", birth_date=date(1990, 7, 3),
    phone="070-5555-6666", email="kenta.sato@example.ne.jp", postal_code="154-0015",
    address="東京都世田谷区桜新町2-5-8", order_numbers=("MD26110002",), tracking_numbers=("3300-1122-3344",),
)
ICHIRO = PersonRecord(
    customer_id=4, name="鈴木 一郎", name_kana="スズキ イチロウ", birth_date=date(1958, 11, 3),
    phone="090-8888-9999", email="ichiro.suzuki@example.com", postal_code="150-0001",
    address="東京都渋谷区神宮前1-2-3 メゾン青山201", order_numbers=("MD26110004",),
)
MIYUKI = PersonRecord(  # next door to Ichiro, same building
    customer_id=5, name="中村 美由紀", name_kana="ナカムラ ミユキ", birth_date=date(1989, 2, 1),
    phone="080-1212-3434", email="Miyuki.N@example.com", postal_code="150-0001",
    address="東京都渋谷区神宮前1-2-3 メゾン青山202", order_numbers=("MD26110005",),
)
PEOPLE = (HANAKO, TARO, KENTA, ICHIRO, MIYUKI)
INDEX = PersonalDataIndex(PEOPLE)

FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


def full_width(text: str) -> str:
    return "".join(FULL_WIDTH.get(c, c) for c in text)


def half_width_katakana(text: str) -> str:
    """ヤマダ -> ﾔﾏﾀﾞ, the way old systems and some phones write kana."""
    table = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF66, 0xFF9E)}
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        if base in table:
            out.append(table[base] + marks.replace("\u3099", "ﾞ").replace("\u309a", "ﾟ"))
        else:
            out.append(ch)
    return "".join(out)


def hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def blocked(text: str, verified: int | None) -> bool:
    """Blocked even when the conversation proved the person (the e-mailed code)?"""
    return not screen_reply(text, INDEX, Clearance.person(verified) if verified else NOBODY).allowed


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("reply", [
    "佐藤健太様のご注文は発送済みです。",
    "佐藤 健太様",
    "佐藤　健太 様",
    "ご近所の佐藤・健太さん",
])
def test_neighbours_full_name_is_blocked_in_any_width(reply):
    verdict = screen_reply(reply, INDEX, Clearance.person(HANAKO.customer_id))
    assert verdict == GuardVerdict(False, frozenset({KENTA.customer_id}), frozenset({"name"}))


@pytest.mark.parametrize("reply", ["サトウケンタ様", "サトウ ケンタ", "さとう　けんた さま", "ｻﾄｳ ｹﾝﾀ", "ｻﾄｳｹﾝﾀ"])
def test_neighbours_kana_name_is_blocked_in_katakana_hiragana_and_half_width(reply):
    verdict = screen_reply(reply, INDEX, Clearance.person(HANAKO.customer_id))
    assert not verdict.allowed
    assert verdict.leaked_customer_ids == {KENTA.customer_id}
    assert verdict.kinds == {"kana"}


@pytest.mark.parametrize("honorific", ["様", "さま", "さん", "氏", "殿", "君", "ちゃん"])
def test_surname_or_given_name_with_an_honorific_is_blocked(honorific):
    assert blocked(f"それは佐藤{honorific}の荷物です", HANAKO.customer_id)
    assert blocked(f"それは健太{honorific}の荷物です", HANAKO.customer_id)
    assert blocked(f"それは佐藤 {honorific}の荷物です", HANAKO.customer_id)


def test_a_bare_surname_is_not_a_name_because_it_is_a_common_word():
    # 中村区 is a place, 佐藤 is sugar; only 中村様 / 中村さん point at a person.
    assert not blocked("名古屋市中村区の倉庫から佐藤の入ったお菓子を発送しました。", HANAKO.customer_id)
    assert blocked("中村様にお届けしました。", HANAKO.customer_id)


def test_everyday_words_ending_like_an_honorific_are_not_names_but_the_katakana_name_is():
    mina = PersonRecord(9, "森 美奈", "モリ ミナ", date(1970, 1, 1), "090-0000-1111", "mina@example.com",
                        "100-0001", "東京都千代田区千代田1-1")
    taku = PersonRecord(10, "森 拓", "モリ タク", date(1971, 1, 1), "090-0000-2222", "taku@example.com",
                        "100-0001", "東京都千代田区千代田1-1")
    index = PersonalDataIndex([HANAKO, mina, taku])
    assert screen_reply("みなさん、たくさんのご注文ありがとうございます。", index, Clearance.person(1)).allowed
    assert not screen_reply("ミナさんのご注文です。", index, Clearance.person(1)).allowed
    assert not screen_reply("タクさんのご注文です。", index, Clearance.person(1)).allowed


def test_shared_surname_of_parent_and_child_is_allowed():
    assert not blocked("山田様、お問い合わせありがとうございます。", TARO.customer_id)
    assert not blocked("ヤマダ様", HANAKO.customer_id)


def test_parents_name_is_blocked_when_the_child_is_verified():
    assert screen_reply("山田花子様", INDEX, Clearance.person(TARO.customer_id)).leaked_customer_ids == {HANAKO.customer_id}
    assert screen_reply("花子さん", INDEX, Clearance.person(TARO.customer_id)).leaked_customer_ids == {HANAKO.customer_id}


def test_verified_customers_own_name_is_allowed():
    assert not blocked("佐藤健太様、サトウ ケンタ様でお間違いないですか。健太さん", KENTA.customer_id)


def test_another_name_inside_the_verified_customers_longer_name_is_allowed():
    long_name = PersonRecord(20, "田中 美由紀", "タナカ ミユキ", date(1980, 1, 1), "090-2222-3333",
                             "a@example.com", "100-0001", "東京都千代田区千代田1-1")
    short_name = PersonRecord(21, "田中 美由", "タナカ ミユ", date(1981, 1, 1), "090-4444-5555",
                              "b@example.com", "200-0002", "東京都八王子市明神町2-2")
    index = PersonalDataIndex([long_name, short_name])
    assert screen_reply("田中美由紀様", index, Clearance.person(20)).allowed
    assert not screen_reply("田中美由様", index, Clearance.person(20)).allowed
    assert not screen_reply("田中美由紀様", index, Clearance.person(21)).allowed


def test_old_kanji_forms_of_a_name_are_the_same_name():
    takahashi = PersonRecord(30, "髙橋 一", "タカハシ ハジメ", date(1960, 5, 5), "090-7777-0000",
                             "t@example.com", "300-0003", "茨城県土浦市大和町3-3")
    index = PersonalDataIndex([HANAKO, takahashi])
    assert not screen_reply("高橋一様", index, Clearance.person(1)).allowed


# ---------------------------------------------------------------------------
# Addresses and postal codes
# ---------------------------------------------------------------------------

def test_shared_address_of_the_verified_household_is_allowed():
    reply = "お届け先は東京都世田谷区桜新町2-5-8（〒154-0015）です。"
    for verified in (HANAKO, TARO, KENTA):
        assert screen_reply(reply, INDEX, Clearance.person(verified.customer_id)).allowed
    assert INDEX.owners_in(reply) == {
        1: {"address", "postal_code"}, 2: {"address", "postal_code"}, 3: {"address", "postal_code"},
    }


@pytest.mark.parametrize("reply", [
    "東京都渋谷区神宮前1-2-3 メゾン青山202",
    "東京都渋谷区神宮前１－２－３　メゾン青山２０２",
    "東京都渋谷区神宮前1丁目2番3号メゾン青山202",
    "渋谷区神宮前1‐2‐3 メゾン青山202",
])
def test_neighbours_room_in_the_same_building_is_blocked(reply):
    verdict = screen_reply(reply, INDEX, Clearance.person(ICHIRO.customer_id))
    assert verdict.leaked_customer_ids == {MIYUKI.customer_id}
    assert verdict.kinds == {"address"}


@pytest.mark.parametrize("reply", ["東京都渋谷区神宮前1-2-3", "東京都渋谷区神宮前1丁目2番3号", "東京都渋谷区神宮前1-2-3 メゾン青山201"])
def test_building_address_shared_with_the_neighbour_is_allowed(reply):
    assert screen_reply(reply, INDEX, Clearance.person(ICHIRO.customer_id)).allowed


def test_address_of_another_building_is_blocked_without_the_room():
    verdict = screen_reply("東京都渋谷区神宮前1-2-3 宛に発送しました", INDEX, Clearance.person(HANAKO.customer_id))
    assert verdict.leaked_customer_ids == {ICHIRO.customer_id, MIYUKI.customer_id}


def test_a_longer_house_number_is_a_different_address():
    assert not blocked("東京都渋谷区神宮前1-2-30", HANAKO.customer_id)


@pytest.mark.parametrize("reply", ["〒150-0001", "〒１５００００１", "郵便番号1500001", "郵便番号: 150 - 0001", "150-0001"])
def test_another_customers_postal_code_is_blocked(reply):
    verdict = screen_reply(reply, INDEX, Clearance.person(HANAKO.customer_id))
    assert verdict.leaked_customer_ids == {ICHIRO.customer_id, MIYUKI.customer_id}
    assert verdict.kinds == {"postal_code"}


def test_bare_seven_digits_are_not_a_postal_code():
    assert INDEX.owners_in("在庫は1500001個です") == {}


def test_shared_postal_code_is_allowed():
    assert screen_reply("〒154-0015", INDEX, Clearance.person(KENTA.customer_id)).allowed
    assert screen_reply("〒150-0001", INDEX, Clearance.person(MIYUKI.customer_id)).allowed


# ---------------------------------------------------------------------------
# Phone, e-mail, birth date, order and tracking numbers
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("reply", [
    "070-5555-6666", "07055556666", "０７０－５５５５－６６６６", "070 5555 6666", "(070)5555-6666",
    "070ー5555ー6666", "070.5555.6666", "+81-70-5555-6666", "+81 (0)70 5555 6666", "+817055556666",
])
def test_neighbours_phone_is_blocked_in_any_format(reply):
    verdict = screen_reply(f"お電話番号は{reply}です。", INDEX, Clearance.person(HANAKO.customer_id))
    assert verdict == GuardVerdict(False, frozenset({KENTA.customer_id}), frozenset({"phone"}))


def test_phone_digits_inside_a_longer_number_are_not_the_phone():
    assert INDEX.owners_in("番号 0705555666612 です") == {}


def test_household_landline_shared_by_parent_and_child_is_allowed():
    assert screen_reply("03-3700-1234 にお電話します", INDEX, Clearance.person(TARO.customer_id)).allowed
    assert not screen_reply("03-3700-1234 にお電話します", INDEX, Clearance.person(KENTA.customer_id)).allowed


@pytest.mark.parametrize("reply", ["kenta.sato@example.ne.jp", "KENTA.SATO@EXAMPLE.NE.JP", "ｋｅｎｔａ．ｓａｔｏ＠ｅｘａｍｐｌｅ．ｎｅ．ｊｐ",
                                   "kenta.sato @ example.ne.jp"])
def test_neighbours_email_is_blocked_case_and_width_insensitively(reply):
    verdict = screen_reply(f"メール({reply})に送りました", INDEX, Clearance.person(HANAKO.customer_id))
    assert verdict.leaked_customer_ids == {KENTA.customer_id}
    assert verdict.kinds == {"email"}


def test_own_email_with_different_case_is_allowed():
    assert screen_reply("miyuki.n@EXAMPLE.com", INDEX, Clearance.person(MIYUKI.customer_id)).allowed


@pytest.mark.parametrize("reply", [
    "1990-07-03", "1990/7/3", "1990.07.03", "1990年7月3日", "１９９０年０７月０３日", "1990 年 7 月 3 日",
    "平成2年7月3日", "平成２年７月３日", "H2.7.3", "㍻2年7月3日",
])
def test_neighbours_birth_date_is_blocked(reply):
    verdict = screen_reply(f"生年月日は{reply}ですね。", INDEX, Clearance.person(HANAKO.customer_id))
    assert verdict == GuardVerdict(False, frozenset({KENTA.customer_id}), frozenset({"birth_date"}))


@pytest.mark.parametrize("reply, owner", [
    ("昭和33年11月3日", ICHIRO), ("S33/11/3", ICHIRO), ("平成元年2月1日", MIYUKI), ("昭和60年4月12日", HANAKO),
])
def test_birth_dates_in_japanese_eras_are_converted(reply, owner):
    assert INDEX.owners_in(reply) == {owner.customer_id: {"birth_date"}}


def test_reiwa_dates_are_converted():
    baby = PersonRecord(40, "小林 陽", "コバヤシ ヒナタ", date(2020, 6, 1), "090-3030-4040", "h@example.com",
                        "400-0004", "山梨県甲府市丸の内4-4")
    assert PersonalDataIndex([baby]).owners_in("令和2年6月1日") == {40: {"birth_date"}}


def test_a_date_that_is_not_a_birth_date_is_allowed():
    assert not blocked("2026年4月12日にお届けします。", KENTA.customer_id)


@pytest.mark.parametrize("reply", ["MD26110002", "ＭＤ２６１１０００２", "md-2611-0002", "MD 2611 0002", "ＭＤ－２６１１ー０００２"])
def test_neighbours_order_number_is_blocked_in_any_width(reply):
    verdict = screen_reply(f"ご注文{reply}は発送済みです", INDEX, Clearance.person(HANAKO.customer_id))
    assert verdict == GuardVerdict(False, frozenset({KENTA.customer_id}), frozenset({"order_number"}))


def test_order_digits_without_the_prefix_are_not_an_order_number():
    assert INDEX.owners_in("26110002") == {}


@pytest.mark.parametrize("reply", ["3300-1122-3344", "330011223344", "３３００ １１２２ ３３４４", "3300/1122/3344"])
def test_neighbours_tracking_number_is_blocked(reply):
    verdict = screen_reply(f"追跡番号は{reply}です", INDEX, Clearance.person(HANAKO.customer_id))
    assert verdict == GuardVerdict(False, frozenset({KENTA.customer_id}), frozenset({"tracking_number"}))


def test_own_order_and_tracking_numbers_are_allowed():
    assert screen_reply("ご注文MD26110001（追跡番号4512-3456-7890）", INDEX, Clearance.person(HANAKO.customer_id)).allowed


def test_without_a_verified_customer_any_customer_data_blocks():
    assert blocked("山田様", None)
    assert blocked("〒154-0015", None)
    assert not blocked("ご注文ありがとうございます。15,000円の返金を手配しました。", None)


def test_owners_in_reports_every_kind_for_every_owner():
    reply = "佐藤健太様 070-5555-6666 kenta.sato@example.ne.jp 1990年7月3日 MD26110002 3300-1122-3344"
    assert INDEX.owners_in(reply) == {
        KENTA.customer_id: {"name", "phone", "email", "birth_date", "order_number", "tracking_number"},
    }


def test_the_original_incident_is_blocked():
    reply = "お隣の佐藤健太様（1990年7月3日生まれ）宛のお荷物です。"
    verdict = screen_reply(reply, INDEX, Clearance.person(HANAKO.customer_id))
    assert not verdict.allowed
    assert verdict.leaked_customer_ids == {KENTA.customer_id}
    assert verdict.kinds == {"name", "birth_date"}


def test_a_leak_is_reported_even_next_to_shared_data():
    reply = "東京都世田谷区桜新町2-5-8の山田様、佐藤様宛の荷物が届いています"
    verdict = screen_reply(reply, INDEX, Clearance.person(HANAKO.customer_id))
    assert verdict.leaked_customer_ids == {KENTA.customer_id}
    assert verdict.kinds == {"name"}


# ---------------------------------------------------------------------------
# Property-based: separators and widths never hide a leak
# ---------------------------------------------------------------------------

DIGIT_SEPARATORS = ["", "", "", " ", "　", "-", "－", "ー", "‐", "−", ".", "/", "(", ")"]
NAME_SEPARATORS = ["", "", "", " ", "　", "・"]


@st.composite
def scattered(draw, text: str, separators: list[str], widen: bool = True) -> str:
    """text with random separators between characters and random full-width characters."""
    out = []
    for k, ch in enumerate(text):
        if widen and draw(st.booleans()):
            ch = FULL_WIDTH.get(ch, ch)
        out.append(ch)
        if k < len(text) - 1:
            out.append(draw(st.sampled_from(separators)))
    return "".join(out)


@st.composite
def phone_as_written(draw, person: PersonRecord) -> str:
    digits = re.sub(r"[^0-9]", "", person.phone)
    if draw(st.booleans()):
        digits = "+81" + digits[1:]
    return draw(scattered(digits, DIGIT_SEPARATORS))


@st.composite
def name_as_written(draw, person: PersonRecord) -> str:
    family, given = person.name.split()
    kana_family, kana_given = person.name_kana.split()
    choice = draw(st.sampled_from(["full", "kana", "hiragana", "half", "family", "given", "kana_given"]))
    honorific = draw(st.sampled_from(["様", "さま", "さん", "氏", "殿", "君", "ちゃん"]))
    if choice == "full":
        return draw(scattered(family + given, NAME_SEPARATORS))
    if choice == "kana":
        return draw(scattered(kana_family + kana_given, NAME_SEPARATORS))
    if choice == "hiragana":
        return draw(scattered(hiragana(kana_family + kana_given), NAME_SEPARATORS))
    if choice == "half":
        return draw(scattered(half_width_katakana(kana_family + kana_given), [" ", ""], widen=False))
    part = {"family": family, "given": given, "kana_given": kana_given}[choice]
    return draw(scattered(part, NAME_SEPARATORS)) + draw(st.sampled_from(["", " ", "　"])) + honorific


@st.composite
def order_number_as_written(draw, person: PersonRecord) -> str:
    number = draw(st.sampled_from(person.order_numbers))
    number = draw(st.sampled_from([number, number.lower(), "Md" + number[2:]]))
    return draw(scattered(number, ["", "", " ", "　", "-", "－", "ー"]))


@st.composite
def birth_date_as_written(draw, person: PersonRecord) -> str:
    d = person.birth_date
    pad = draw(st.booleans())
    month, day = (f"{d.month:02d}", f"{d.day:02d}") if pad else (str(d.month), str(d.day))
    space = st.sampled_from(["", " ", "　"])
    style = draw(st.sampled_from(["-", "/", ".", "kanji", "era"]))
    if style == "era":
        era, first = ("昭和", 1926) if d.year < 1989 else ("平成", 1989)
        year, units = (era + str(d.year - first + 1)), ("年", "月", "日")
    elif style == "kanji":
        year, units = str(d.year), ("年", "月", "日")
    else:
        year, units = str(d.year), (style, style, "")
    text = year + draw(space) + units[0] + draw(space) + month + draw(space) + units[1] + draw(space) + day + units[2]
    return "".join(FULL_WIDTH.get(c, c) if draw(st.booleans()) else c for c in text)


def data_of(person: PersonRecord):
    return st.one_of(
        phone_as_written(person), name_as_written(person),
        order_number_as_written(person), birth_date_as_written(person),
    )


AROUND = st.sampled_from(["", "お客様、", "ご確認ください：", "こちらは ", "（"])
AFTER = st.sampled_from(["", "です。", " の件", "）", "でお間違いないですか？"])


@settings(max_examples=property_examples(300), suppress_health_check=[HealthCheck.too_slow])
@given(before=AROUND, leak=data_of(KENTA), after=AFTER)
def test_neighbours_data_in_any_spacing_or_width_is_blocked(before, leak, after):
    verdict = screen_reply(before + leak + after, INDEX, Clearance.person(HANAKO.customer_id))
    assert not verdict.allowed, before + leak + after
    assert verdict.leaked_customer_ids == {KENTA.customer_id}


@settings(max_examples=property_examples(300), suppress_health_check=[HealthCheck.too_slow])
@given(before=AROUND, own=data_of(KENTA), after=AFTER)
def test_verified_customers_own_data_in_any_spacing_or_width_is_allowed(before, own, after):
    assert screen_reply(before + own + after, INDEX, Clearance.person(KENTA.customer_id)).allowed


@settings(max_examples=property_examples(200))
@given(before=AROUND, leak=data_of(HANAKO))
def test_nothing_is_allowed_without_a_verified_customer(before, leak):
    assert not screen_reply(before + leak, INDEX, NOBODY).allowed


# ---------------------------------------------------------------------------
# Masking what customers type
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("typed, masked", [
    ("電話は090-1234-5678です", "電話は[電話番号]です"),
    ("電話は０９０－１２３４－５６７８です", "電話は[電話番号]です"),
    ("090 1234 5678", "[電話番号]"),
    ("09012345678に", "[電話番号]に"),
    ("03-1234-5678", "[電話番号]"),
    ("(03)1234-5678", "[電話番号]"),
    ("０３（１２３４）５６７８まで", "[電話番号]まで"),
    ("0120-123-456", "[電話番号]"),
    ("050-1234-5678", "[電話番号]"),
    ("+81-90-1234-5678", "[電話番号]"),
    ("+81 3 1234 5678", "[電話番号]"),
    ("+81(0)90-1234-5678", "[電話番号]"),
    ("090ー1234ー5678", "[電話番号]"),
    ("自宅03-1234-5678、携帯090-1234-5678", "自宅[電話番号]、携帯[電話番号]"),
    ("090-1234-5678 03-1234-5678", "[電話番号] [電話番号]"),
])
def test_phone_numbers_are_masked_in_every_format(typed, masked):
    assert mask_personal_data(typed) == masked


@pytest.mark.parametrize("typed, masked", [
    ("メールは Hanako.Yamada@example.jp です。", "メールは [メールアドレス] です。"),
    ("ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐに送って", "[メールアドレス]に送って"),
    ("連絡先:taro_1985+shop@mail.example.co.jp", "連絡先:[メールアドレス]"),
])
def test_email_addresses_are_masked(typed, masked):
    assert mask_personal_data(typed) == masked


@pytest.mark.parametrize("typed, masked", [
    ("〒123-4567 東京都", "[郵便番号] 東京都"),
    ("〒1234567", "[郵便番号]"),
    ("〒１２３－４５６７", "[郵便番号]"),
    ("郵便番号1234567です", "郵便番号[郵便番号]です"),
    ("郵便番号は 123 4567", "郵便番号は [郵便番号]"),
    ("住所は123-4567の", "住所は[郵便番号]の"),
])
def test_postal_codes_are_masked(typed, masked):
    assert mask_personal_data(typed) == masked


def test_bare_seven_digits_are_not_masked_as_a_postal_code():
    assert mask_personal_data("商品コード1234567を2個") == "商品コード1234567を2個"


@pytest.mark.parametrize("number", ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111",
                                    "３７８２ ８２２４６３ １０００５", "4222222222222", "6011111111111117"])
def test_card_number_masked_only_when_luhn_valid(number):
    assert mask_personal_data(f"カードは{number}です") == "カードは[カード番号]です"
    broken = number[:-1] + str((int(unicodedata.normalize("NFKC", number[-1])) + 1) % 10)
    assert "[カード番号]" not in mask_personal_data(f"カードは{broken}です")


@pytest.mark.parametrize("number", ["123456789018", "1234 5678 9018", "１２３４－５６７８－９０１８"])
def test_my_number_masked_only_when_check_digit_valid(number):
    assert mask_personal_data(f"マイナンバー{number}") == "マイナンバー[マイナンバー]"
    for wrong in "012345679":
        assert mask_personal_data(f"マイナンバー{number[:-1]}{wrong}") == f"マイナンバー{number[:-1]}{wrong}"


def test_order_numbers_and_amounts_stay_unmasked():
    typed = "注文番号ＭＤ２６１１０２２０、MD26110221、md-2611-0222 の15,000円と￥３，５００が返金されません"
    assert mask_personal_data(typed) == typed


def test_only_the_personal_data_changes_and_the_rest_stays_as_typed():
    typed = "ﾍﾝｷﾝまだですか？？　ＭＤ２６１１０２２０　電話 ０９０ー１２３４ー５６７８　ﾒｰﾙ ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ！"
    assert mask_personal_data(typed) == (
        "ﾍﾝｷﾝまだですか？？　ＭＤ２６１１０２２０　電話 [電話番号]　ﾒｰﾙ [メールアドレス]！"
    )


# Independent checks, written from the definitions, to re-scan masked output.

def luhn_valid(digits: str) -> bool:
    checksum = 0
    for position, d in enumerate(int(c) for c in reversed(digits)):
        checksum += sum(divmod(d * 2, 10)) if position % 2 else d
    return checksum % 10 == 0


def my_number_check_digit(eleven: str) -> int:
    weights = [2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6]   # Qn for P1 (rightmost) .. P11
    remainder = sum(int(p) * q for p, q in zip(reversed(eleven), weights, strict=True)) % 11
    return 0 if remainder <= 1 else 11 - remainder


def test_independent_check_digit_helpers_agree_with_published_examples():
    assert my_number_check_digit("12345678901") == 8
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")


@st.composite
def card_number(draw) -> str:
    length = draw(st.integers(13, 19))
    body = draw(st.text("0123456789", min_size=length - 1, max_size=length - 1))
    return body + next(d for d in "0123456789" if luhn_valid(body + d))


@st.composite
def my_number(draw) -> str:
    body = draw(st.text("0123456789", min_size=11, max_size=11))
    return body + str(my_number_check_digit(body))


@st.composite
def phone_number(draw) -> str:
    kind = draw(st.sampled_from(["mobile", "landline", "freedial"]))
    if kind == "mobile":
        return "0" + draw(st.sampled_from("5789")) + "0" + draw(st.text("0123456789", min_size=8, max_size=8))
    if kind == "freedial":
        return "0120" + draw(st.text("0123456789", min_size=6, max_size=6))
    return "0" + draw(st.sampled_from("123456789")) + draw(st.text("0123456789", min_size=8, max_size=8))


@st.composite
def typed_in_groups(draw, digits: str) -> str:
    """How a customer types a number: groups split by one kind of separator, any width."""
    separator = draw(st.sampled_from(["", " ", "-", "－", "ー", "　"]))
    cuts = sorted(draw(st.sets(st.integers(1, len(digits) - 1), max_size=4)))
    groups = [digits[a:b] for a, b in zip([0] + cuts, cuts + [len(digits)], strict=True)]
    text = separator.join(groups)
    return full_width(text) if draw(st.booleans()) else text


# Text customers write around the numbers: no digits, no @, nothing that NFKC turns into one.
PLAIN = st.text(
    st.sampled_from(list("あいうえおかきくけこ返金まだですか届かない注文番号電話カード。、！？　 ﾍﾝｷﾝ")),
    max_size=12,
)


def digits_of(text: str) -> str:
    return re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", text))


@settings(max_examples=property_examples(300))
@given(before=PLAIN, number=card_number().flatmap(typed_in_groups), after=PLAIN)
def test_masking_never_leaves_a_luhn_valid_card_number(before, number, after):
    masked = mask_personal_data(before + number + after)
    assert masked == before + "[カード番号]" + after
    assert not any(luhn_valid(digits_of(masked)[i:j]) for i in range(len(digits_of(masked)))
                   for j in range(i + 13, min(i + 19, len(digits_of(masked))) + 1))


@settings(max_examples=property_examples(300))
@given(before=PLAIN, number=my_number().flatmap(typed_in_groups), after=PLAIN)
def test_masking_never_leaves_a_valid_my_number(before, number, after):
    masked = mask_personal_data(before + number + after)
    assert digits_of(number) not in digits_of(masked)
    # A valid My Number can also pass Luhn; it is masked either way, never left.
    assert masked in (before + "[マイナンバー]" + after, before + "[カード番号]" + after)


@settings(max_examples=property_examples(300))
@given(before=PLAIN, number=phone_number().flatmap(typed_in_groups), after=PLAIN)
def test_masking_never_leaves_a_phone_number(before, number, after):
    masked = mask_personal_data(before + number + after)
    assert masked == before + "[電話番号]" + after
    assert digits_of(masked) == ""


@settings(max_examples=property_examples(300))
@given(text=st.text(
    st.sampled_from(list("0123456789０１２３４５６７８９ -－ー()（）+＋.〒郵便番号@ａbＭD 　、。です")), max_size=60))
def test_masking_is_idempotent_and_leaves_nothing_detectable(text):
    masked = mask_personal_data(text)
    assert mask_personal_data(masked) == masked
    assert _find_sensitive(masked) == []
    # Whatever was not masked is the original text, character for character.
    pieces = re.split(r"\[(?:電話番号|メールアドレス|郵便番号|カード番号|マイナンバー)\]", masked)
    position = 0
    for piece in pieces:
        found = text.find(piece, position)
        assert found >= 0
        position = found + len(piece)


@settings(max_examples=property_examples(300))
@given(text=PLAIN, order=st.integers(0, 99_999_999), amount=st.integers(1, 9_999_999))
def test_text_without_personal_data_is_left_unchanged(text, order, amount):
    typed = f"{text}MD{order:08d}、{text}{amount:,}円{text}"
    assert mask_personal_data(typed) == typed
    assert mask_personal_data(text) == text


@settings(max_examples=property_examples(200))
@given(text=st.text(st.characters(blacklist_categories=("Cs",)).filter(
    lambda c: not re.search(r"[0-9@〇零一二三四五六七八九]", unicodedata.normalize("NFKC", c))), max_size=40))
def test_any_text_without_digits_or_at_signs_is_left_unchanged(text):
    # Kanji digits are left out too: 〇九〇一二三四五六七八 is a phone number read out digit by digit.
    assert mask_personal_data(text) == text
