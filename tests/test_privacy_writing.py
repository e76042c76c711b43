"""Every piece of demo data, written every way a person would: the guard blocks it, masking removes it.

Each customer in data/demo_shop.yml is taken in turn, and its name, phone,
e-mail, address, age and birthday are written the ways customers and agents
really write them: kanji digits read out one by one (〇九〇の一二三四…), 、 or の
or 〜 between the groups, e-mails as "name [at] example dot jp" or アット/ドット,
names in romaji in either order (Hanako Yamada, YAMADA Hanako, Shōji, Ohtsuka),
in kana, half kana and half kanji, with or without 様/さん; addresses from the
town on (常盤5丁目12番8号); an age or a birthday next to a surname. Written
for another customer's conversation, the outbound guard must block every one;
``mask_personal_data`` with the shop's index must leave none of it. Order
numbers, amounts, dates, reference numbers and the verified order's tracking
number must come through both untouched.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.privacy import NOBODY, Clearance, mask_personal_data, screen_reply
from tests.demo_shop import demo_shop, privacy_index
from tests.conftest import property_examples

SHOP = demo_shop()["customers"]
INDEX = privacy_index()
IDS = {c["name"]: position for position, c in enumerate(SHOP, start=1)}
TODAY = date.today()

FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
KANJI_DIGITS = dict(zip("0123456789", "〇一二三四五六七八九", strict=True))


def full_width(text: str) -> str:
    return "".join(FULL_WIDTH.get(c, c) for c in text)


def hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def half_width_katakana(text: str) -> str:
    table = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF66, 0xFF9E)}
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        out.append(table.get(base, base) + marks.replace("\u3099", "ﾞ").replace("\u309a", "ﾟ"))
    return "".join(out)


def digits_of(text: str) -> str:
    """The digits a reader would see, kanji digits and ○ for zero included (written apart from bot.privacy)."""
    text = unicodedata.normalize("NFKC", text).replace("○", "〇")
    return "".join(KANJI_DIGITS_BACK.get(c, c) for c in text if c.isdigit() or c in KANJI_DIGITS_BACK)


KANJI_DIGITS_BACK = {k: d for d, k in KANJI_DIGITS.items()}


def age_of(c: dict) -> int:
    born = c["birth_date"]
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))


def family(c: dict) -> str:
    return c["name"].split()[0]


def stranger_to(c: dict) -> dict:
    """A customer who shares nothing with c: another surname, address and phone."""
    return next(o for o in SHOP if family(o) != family(c) and o["address"] != c["address"]
                and o["phone"] != c["phone"] and o["postal_code"] != c["postal_code"])


def same_surname_or_stranger(c: dict) -> dict:
    """The other household member of the same surname if there is one (伊藤 恵子 / 伊藤 大輝), else a stranger."""
    return next((o for o in SHOP if o is not c and family(o) == family(c)), None) or stranger_to(c)


def blocked_for(text: str, c: dict, verified: dict) -> bool:
    verdict = screen_reply(text, INDEX, Clearance.person(IDS[verified["name"]]))
    return not verdict.allowed and IDS[c["name"]] in verdict.leaked_customer_ids


def personal_kinds_left(masked: str, c: dict) -> set[str]:
    return set(INDEX.owners_in(masked).get(IDS[c["name"]], frozenset())) - {"order_number", "tracking_number"}


# ---------------------------------------------------------------------------
# Ways of writing
# ---------------------------------------------------------------------------

ROMAJI = {
    "キャ": "kya", "キュ": "kyu", "キョ": "kyo", "シャ": "sha", "シュ": "shu", "ショ": "sho", "チャ": "cha",
    "チュ": "chu", "チョ": "cho", "ニャ": "nya", "ニュ": "nyu", "ニョ": "nyo", "ヒャ": "hya", "ヒュ": "hyu",
    "ヒョ": "hyo", "ミャ": "mya", "ミュ": "myu", "ミョ": "myo", "リャ": "rya", "リュ": "ryu", "リョ": "ryo",
    "ギャ": "gya", "ギュ": "gyu", "ギョ": "gyo", "ジャ": "ja", "ジュ": "ju", "ジョ": "jo",
    "ア": "a", "イ": "i", "ウ": "u", "エ": "e", "オ": "o", "カ": "ka", "キ": "ki", "ク": "ku", "ケ": "ke",
    "コ": "ko", "サ": "sa", "シ": "shi", "ス": "su", "セ": "se", "ソ": "so", "タ": "ta", "チ": "chi",
    "ツ": "tsu", "テ": "te", "ト": "to", "ナ": "na", "ニ": "ni", "ヌ": "nu", "ネ": "ne", "ノ": "no",
    "ハ": "ha", "ヒ": "hi", "フ": "fu", "ヘ": "he", "ホ": "ho", "マ": "ma", "ミ": "mi", "ム": "mu",
    "メ": "me", "モ": "mo", "ヤ": "ya", "ユ": "yu", "ヨ": "yo", "ラ": "ra", "リ": "ri", "ル": "ru",
    "レ": "re", "ロ": "ro", "ワ": "wa", "ン": "n", "ガ": "ga", "ギ": "gi", "グ": "gu", "ゲ": "ge",
    "ゴ": "go", "ザ": "za", "ジ": "ji", "ズ": "zu", "ゼ": "ze", "ゾ": "zo", "ダ": "da", "デ": "de",
    "ド": "do", "バ": "ba", "ビ": "bi", "ブ": "bu", "ベ": "be", "ボ": "bo", "パ": "pa", "ピ": "pi",
    "プ": "pu", "ペ": "pe", "ポ": "po",
}


@st.composite
def romaji(draw, kana: str) -> str:
    """Hepburn as people type it: long o as ou, o, oh or ō (Shouji, Shoji, Shohji, Shōji)."""
    out, i = "", 0
    while i < len(kana):
        two = kana[i:i + 2]
        if two in ROMAJI:
            out, i = out + ROMAJI[two], i + 2
        else:
            out, i = out + ROMAJI[kana[i]], i + 1
    def long_o(m: re.Match) -> str:
        following = out[m.end():m.end() + 1]
        forms = ["ou" if m.group(0) == "ou" else "oo", "o", "ō"] + (["oh"] if following not in "aiueoy" else [])
        return draw(st.sampled_from(forms))
    return re.sub(r"o[ou]", long_o, out)


def cased(draw, word: str) -> str:
    return draw(st.sampled_from([word.lower(), word.capitalize(), word.upper()]))


@st.composite
def name_as_written(draw, c: dict) -> str:
    fam, giv = c["name"].split()
    kfam, kgiv = c["name_kana"].split()
    style = draw(st.sampled_from(["kanji", "katakana", "hiragana", "half", "romaji", "mixed", "part"]))
    space = draw(st.sampled_from(["", " ", "　", "・"]))
    if style == "romaji":
        first, second = cased(draw, draw(romaji(kfam))), cased(draw, draw(romaji(kgiv)))
        if draw(st.booleans()):
            first, second = second, first
        text = first + draw(st.sampled_from([" ", "　", "・", "-"])) + second
        text = full_width(text) if draw(st.integers(0, 5)) == 0 else text
    elif style == "part":
        part = draw(st.sampled_from([fam, giv, kfam, kgiv, hiragana(kgiv)]))
        honorific = draw(st.sampled_from(["様", "さま", "さん", "氏", " 様", "さん"]))
        if draw(st.integers(0, 3)) == 0:
            part, honorific = cased(draw, draw(romaji(draw(st.sampled_from([kfam, kgiv]))))), \
                draw(st.sampled_from(["-san", "-sama", " san", "さん", "様"]))
        return part + honorific
    else:
        first, second = {
            "kanji": (fam, giv), "katakana": (kfam, kgiv), "hiragana": (hiragana(kfam), hiragana(kgiv)),
            "half": (half_width_katakana(kfam), half_width_katakana(kgiv)),
            "mixed": draw(st.sampled_from([(fam, hiragana(kgiv)), (hiragana(kfam), giv), (fam, kgiv), (kfam, giv)])),
        }[style]
        if draw(st.booleans()):
            first, second = second, first
        text = first + space + second
    return text + draw(st.sampled_from(["", "", "様", " 様", "さん", "さま"]))


@st.composite
def phone_as_written(draw, c: dict) -> str:
    groups = str(c["phone"]).split("-")
    if draw(st.booleans()):
        digits = "".join(groups)
        groups = [digits[:3], digits[3:7], digits[7:]] if len(digits) == 11 else [digits[:2], digits[2:6], digits[6:]]
    separator = draw(st.sampled_from(["-", " ", "、", "の", "〜", "－", "ー", "　", "", "、 ", " の "]))
    style = draw(st.sampled_from(["ascii", "full", "kanji", "kanji", "per_group"]))

    def write(group: str, how: str) -> str:
        if how == "full":
            return full_width(group)
        if how == "kanji":
            zero = draw(st.sampled_from(["〇", "〇", "○"]))
            return "".join(zero if d == "0" else KANJI_DIGITS[d] for d in group)
        return group
    return separator.join(write(g, draw(st.sampled_from(["ascii", "full", "kanji"])) if style == "per_group" else style)
                          for g in groups)


AT_FORMS = ["@", "＠", "[at]", "(at)", " at ", " [at] ", "アット", "あっと", "アットマーク", " (at) ", "（at）"]
DOT_FORMS = [".", ".", "．", "[dot]", " dot ", "(dot)", "ドット", "どっと", " ドット "]


@st.composite
def email_as_written(draw, c: dict) -> str:
    local, domain = c["email"].split("@")
    local = re.sub(r"\.", lambda _: draw(st.sampled_from([".", ".", " dot ", "[dot]", "ドット"])), local)
    domain = re.sub(r"\.", lambda _: draw(st.sampled_from(DOT_FORMS)), domain)
    text = local + draw(st.sampled_from(AT_FORMS)) + domain
    text = draw(st.sampled_from([text, text.upper(), text.capitalize()]))
    return full_width(text) if draw(st.integers(0, 4)) == 0 else text


def town_and_block(address: str) -> tuple[str, list[str]]:
    """常盤 and [5, 12, 8] from 埼玉県さいたま市浦和区常盤5-12-8: the part after the last city, town, ward or county."""
    base = address.split()[0]
    m = re.match(r"^(.*[市区郡])?(.+?)([0-9][0-9\-]*)$", base)
    return m.group(2), m.group(3).split("-")


@st.composite
def address_as_written(draw, c: dict) -> str:
    style = draw(st.sampled_from(["full", "town", "town", "town"]))
    if style == "full":
        address = c["address"]
        if draw(st.booleans()):
            address = re.sub(r"^(東京都|北海道|京都府|大阪府|.{2,3}県)", "", address)
        return draw(st.sampled_from([address, full_width(address), address.replace(" ", "　")]))
    town, block = town_and_block(c["address"])
    forms = ["-".join(block), "－".join(full_width(g) for g in block), "の".join(block), "ー".join(block)]
    if len(block) == 3:
        forms += [f"{block[0]}丁目{block[1]}番{block[2]}号", f"{block[0]}丁目{block[1]}-{block[2]}",
                  f"{''.join(KANJI_DIGITS[d] for d in block[0])}丁目{block[1]}番地{block[2]}",
                  full_width(f"{block[0]}丁目{block[1]}番{block[2]}号")]
    if len(block) == 2:
        forms += [f"{block[0]}番地{block[1]}", f"{block[0]}番{block[1]}号", f"{block[0]}番地の{block[1]}"]
    return town + draw(st.sampled_from(["", " ", "　"])) + draw(st.sampled_from(forms))


def kanji_number(n: int) -> str:
    tens, ones = divmod(n, 10)
    return ((KANJI_DIGITS[str(tens)] if tens > 1 else "") + "十" if tens else "") + (KANJI_DIGITS[str(ones)] if ones else "")


@st.composite
def age_or_birthday_next_to_surname(draw, c: dict) -> str:
    surname = draw(st.sampled_from([family(c) + "様", family(c) + "さん", c["name_kana"].split()[0] + "様"]))
    age = age_of(c)
    written_age = draw(st.sampled_from([str(age), full_width(str(age)), kanji_number(age)])) + \
        draw(st.sampled_from(["歳", "才", " 歳"]))
    born = c["birth_date"]
    month_day = draw(st.sampled_from([f"{born.month}月{born.day}日", full_width(f"{born.month}月{born.day}日"),
                                      f"{born.month}/{born.day}"]))
    return draw(st.sampled_from([
        f"{surname}（{written_age}）", f"{written_age}の{surname}", f"{surname}は{written_age}です",
        f"{surname}（{month_day}生まれ）", f"{surname}は{month_day}生まれ", f"{surname}のお誕生日は{month_day}",
    ]))


CUSTOMER = st.sampled_from([c["name"] for c in SHOP]).map(lambda name: next(c for c in SHOP if c["name"] == name))
BEFORE = st.sampled_from(["", "お客様、", "担当者より：", "こちらは ", "（", "Dear "])
AFTER = st.sampled_from(["", "です。", " の件", "）", "でお間違いないですか？", " 宛にお送りしました"])
EXAMPLES = property_examples(400)


# ---------------------------------------------------------------------------
# The guard blocks it for another customer; masking removes it
# ---------------------------------------------------------------------------

def check_blocked_and_masked(c: dict, verified: dict, text: str) -> str:
    assert blocked_for(text, c, verified), text
    masked = mask_personal_data(text, INDEX)
    assert personal_kinds_left(masked, c) == set(), (text, masked)
    return masked


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data(), before=BEFORE, after=AFTER)
def test_every_customers_name_in_every_writing(data, before, after):
    c = data.draw(CUSTOMER)
    text = before + data.draw(name_as_written(c)) + after
    check_blocked_and_masked(c, stranger_to(c), text)


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data(), before=BEFORE, after=AFTER)
def test_every_customers_phone_in_every_writing(data, before, after):
    c = data.draw(CUSTOMER)
    text = before + data.draw(phone_as_written(c)) + after
    masked = check_blocked_and_masked(c, stranger_to(c), text)
    assert digits_of(str(c["phone"])) not in digits_of(masked), masked
    assert digits_of(str(c["phone"])) not in digits_of(mask_personal_data(text)), "without the index too"


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data(), before=BEFORE, after=AFTER)
def test_every_customers_email_in_every_writing(data, before, after):
    c = data.draw(CUSTOMER)
    text = before + data.draw(email_as_written(c)) + after
    check_blocked_and_masked(c, stranger_to(c), text)
    local = c["email"].split("@")[0].split(".")[0]
    assert local not in unicodedata.normalize("NFKC", mask_personal_data(text)).lower(), "without the index too"


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data(), before=BEFORE, after=AFTER)
def test_every_customers_address_in_every_writing(data, before, after):
    c = data.draw(CUSTOMER)
    text = before + data.draw(address_as_written(c)) + after
    check_blocked_and_masked(c, stranger_to(c), text)


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data(), before=BEFORE, after=AFTER)
def test_an_age_or_birthday_next_to_a_surname_is_blocked_even_for_the_same_surname(data, before, after):
    c = data.draw(CUSTOMER)
    text = before + data.draw(age_or_birthday_next_to_surname(c)) + after
    masked = check_blocked_and_masked(c, same_surname_or_stranger(c), text)
    assert digits_of(masked) == digits_of(before + after), masked


def test_the_seed_case_two_households_one_surname_at_one_address():
    """山田様（74歳） must not reach the other 山田 household, however the age or name is written."""
    mother = next(c for c in SHOP if c["name"] == "伊藤 恵子")
    son = next(c for c in SHOP if c["name"] == "伊藤 大輝")
    assert mother["address"] == son["address"] and family(mother) == family(son)
    for text in [f"伊藤様（{age_of(mother)}歳）", f"イトウ様（{kanji_number(age_of(mother))}歳）",
                 f"Ito-sama ({age_of(mother)}歳)", f"伊藤さん、{full_width(str(age_of(mother)))}才の方ですね"]:
        assert blocked_for(text, mother, son), text
    assert screen_reply(f"伊藤様（{age_of(son)}歳）", INDEX, Clearance.person(IDS[son["name"]])).allowed
    assert screen_reply("伊藤様", INDEX, Clearance.person(IDS[son["name"]])).allowed


# ---------------------------------------------------------------------------
# Card data next to a card number
# ---------------------------------------------------------------------------

def luhn_complete(body: str) -> str:
    def ok(digits: str) -> bool:
        total = 0
        for position, d in enumerate(int(x) for x in reversed(digits)):
            total += sum(divmod(d * 2, 10)) if position % 2 else d
        return total % 10 == 0
    return body + next(d for d in "0123456789" if ok(body + d))


@st.composite
def card_with_details(draw) -> tuple[str, str]:
    """A card number with its expiry and security code as people paste them, and the words around them alone."""
    number = luhn_complete(draw(st.sampled_from("3456")) + draw(st.text("0123456789", min_size=14, max_size=14)))
    grouped = draw(st.sampled_from([number, " ".join(number[i:i + 4] for i in range(0, 16, 4)),
                                    "-".join(number[i:i + 4] for i in range(0, 16, 4))]))
    month, year = draw(st.integers(1, 12)), draw(st.integers(26, 35))
    expiry = draw(st.sampled_from([f"{month:02d}/{year}", f"{month}/20{year}", f"20{year}年{month}月", f"{month:02d}/{year}"]))
    code = draw(st.text("0123456789", min_size=3, max_size=4))
    layout = draw(st.sampled_from([
        "カード番号 {n} 有効期限 {e} セキュリティコード {c}", "{n} {e} {c}", "カード：{n}、期限：{e}、CVV：{c}",
        "{n}（有効期限{e}、裏の3桁{c}）", "card {n} exp {e} cvc {c}",
    ]))
    text = layout.format(n=grouped, e=expiry, c=code)
    return (full_width(text) if draw(st.booleans()) else text), layout.format(n="", e="", c="")


@settings(max_examples=EXAMPLES, deadline=None)
@given(card=card_with_details())
def test_card_number_expiry_and_security_code_are_masked_and_never_sent(card):
    text, words = card
    masked = mask_personal_data(text)
    assert digits_of(masked) == digits_of(words), masked
    for clearance in (NOBODY, Clearance.person(1)):
        verdict = screen_reply(text, INDEX, clearance)
        assert not verdict.allowed and "card" in verdict.kinds


# ---------------------------------------------------------------------------
# What is not personal data stays as typed
# ---------------------------------------------------------------------------

ORDER_NUMBERS = {o["order_number"] for c in SHOP for o in c["orders"]}


@st.composite
def order_number_as_written(draw) -> str:
    digits = draw(st.text("0123456789", min_size=8, max_size=8))
    number = draw(st.sampled_from(["MD", "md", "Md"])) + draw(st.sampled_from(["", "-", " ", "#"])) + \
        digits[:4] + draw(st.sampled_from(["", "-", " "])) + digits[4:]
    return full_width(number) if draw(st.booleans()) else number


@st.composite
def amount_as_written(draw) -> str:
    n = draw(st.integers(1, 9_999_999))
    text = draw(st.sampled_from([f"{n:,}円", f"{n}円", f"￥{n:,}", f"¥{n}", f"{n:,} 円", f"{n // 10000 or 1}万円"]))
    return full_width(text) if draw(st.booleans()) else text


@st.composite
def date_as_written(draw) -> str:
    month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
    year = draw(st.integers(2024, 2028))
    text = draw(st.sampled_from([f"{month}月{day}日", f"{month}/{day}", f"{year}年{month}月{day}日(月)",
                                 f"{month}月{day}日 {draw(st.integers(0, 23))}:00まで", f"{year}/{month:02d}/{day:02d}"]))
    return full_width(text) if draw(st.booleans()) else text


@st.composite
def reference_as_written(draw) -> str:
    return f"{draw(st.sampled_from('TE'))}{draw(st.integers(2025, 2027))}{draw(st.integers(1, 12)):02d}" \
           f"{draw(st.integers(1, 28)):02d}-{draw(st.integers(1, 99999)):05d}"


PLAIN = st.text(st.sampled_from(list("あいうえお返金まだですか届かない注文番号、。！？　 ご確認ください")), max_size=10)


@settings(max_examples=EXAMPLES, deadline=None)
@given(pieces=st.lists(st.one_of(order_number_as_written(), amount_as_written(), date_as_written(),
                                 reference_as_written(), PLAIN), min_size=1, max_size=6))
def test_order_numbers_amounts_dates_and_references_stay_as_typed(pieces):
    text = "、".join(pieces)
    assert mask_personal_data(text) == text
    assert mask_personal_data(text, INDEX) == text
    if not any(number in unicodedata.normalize("NFKC", text).upper().replace("-", "").replace(" ", "")
               for number in ORDER_NUMBERS):
        assert screen_reply(text, INDEX, NOBODY).allowed, text


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=st.data(), before=PLAIN, after=PLAIN)
def test_the_verified_orders_number_and_tracking_number_pass_at_order_level(data, before, after):
    c = data.draw(st.sampled_from([c for c in SHOP if any(o.get("shipment") for o in c["orders"])]))
    order = data.draw(st.sampled_from([o for o in c["orders"] if o.get("shipment")]))
    tracking = str(order["shipment"]["tracking_number"])
    written = data.draw(st.sampled_from([tracking, tracking.replace("-", ""), full_width(tracking),
                                         tracking.replace("-", " ")]))
    text = f"{before}ご注文{order['order_number']}（追跡番号{written}）は{order['shipment']['expected_delivery']:%m月%d日}" \
           f"お届け予定、3,980円{after}"
    clearance = Clearance.order(IDS[c["name"]], order["order_number"], tracking)
    assert screen_reply(text, INDEX, clearance).allowed, text
    assert mask_personal_data(text) == text
    assert mask_personal_data(text, INDEX) == text
    assert not screen_reply(text, INDEX, Clearance.order(IDS[stranger_to(c)["name"]], "MD00000000")).allowed
