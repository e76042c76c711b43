"""How the assistant reads one customer message in the middle of a case.

Real customers do not answer in the order a form asks (issue #16): they give
the order number, the phone digits and the details in one message, correct a
number they typed, change the subject, add things after the reference number,
or ask about a family member's parcel over several messages. These are the
rules that decide what a message gives, written as data and small functions a
reviewer can read, example by example (tests/test_dialogue.py). The actions
(actions/troubles.py) apply them; nothing here is learned, and the privacy
rule (another person's data) is code, not a policy of the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.faq import is_english
from bot.kana import fold_kana
from bot.text import (
    HUSBAND,
    ORDER_NUMBER_PREFIX,
    find_amounts,
    find_digit_runs,
    find_order_numbers,
    is_question,
    normalise,
    parse_order_number_reply,
    says_unknown,
)

# A message this long (without order number and digits) tells what happened.
DETAIL_CHARS = 12

# 「それより先に」「あとそれとは別に」「ところで」: the customer turns to a new trouble.
DIGRESSION = re.compile(
    r"それより|それとは(べつ|別)|(べつ|別)(件|の話|で|に)|ところで|もう(ひと|一)つ|ついでに|あと[、,]|あと(もう|それ)|"
    r"てか|それと[、,]|話(は|が)変わ")
# 「さっきの番号間違えました」「それプロテインの方の番号だった」: the number typed before was wrong.
CORRECTION = re.compile(r"間違|まちが|違(い|っ|う)|ちが(い|っ|う)|ちゃう|ではなく|じゃなく|の方の番号|最新の|訂正|やり直")

# Fewer units than ordered, or a part of the order missing: a short shipment (wrong_delivery), resent.
SHORT_SHIPMENT = re.compile(
    r"しか\s*(入|はい|届|とど)|しかな(く|い|かっ)|(入|はい)って(い)?(な|ませ)|足り(な|ま)|たりな|不足|欠品|"
    r"(ひと|1|一)つ(足|少な)|本(数|だけ)?(が)?少な|数が(足|合わ|違)")

# Someone other than the customer: family, neighbours, friends, named people, police, the person who received.
# Not the 夫 inside 大丈夫 (bot.text.HUSBAND).
THIRD_PARTY = re.compile(
    r"息子|むすこ|娘|むすめ|父|母|はは(の|が|は|も)|ちち(の|が|は)|祖母|祖父|おばあ|おじい|" + HUSBAND + r"|主人|妻|嫁|"
    r"兄|姉|弟|妹|隣|となり|近所|友達|友だち|ともだち|友人|同僚|彼氏|彼女|元カノ|元カレ|"
    r"(?<![お皆み])[一-龥ァ-ヶ]{1,4}(?<!者)(?<!屋)(?<!員)(?<!客)(?<!手)さん|下に住|1階に|一階に|二世帯|同じ(家|住所|いえ|マンション)に住|"
    r"警察|県警|捜査|照会|購入者|注文者|受け取った人|住んでる人|誰が")
# What such a customer asks for: the person's name, address, number or purchases (personal data)…
ASKS_FOR_PERSONAL_DATA = re.compile(
    r"電話番号|住所|名前|氏名|番地|マンション名|部屋番号|連絡先|何(を)?(買|頼|注文)|なに(を)?(買|頼)|いくら")
# …or the status of their order, whether they ordered, its number.
ASKS_FOR_DATA = re.compile(
    r"教え|おしえ|わかる|分かる|わかります|分かります|知りたい|しりたい|見れ|みれ|調べ|しらべ|確認させ|ききたい|聞きたい|"
    r"いつ(届|とど)|(届|とど)いた(か|日)|(届|とど)く(の|か)|注文番号|注文状況|注文内容|本当|だけでも|でいい|で(も)?構|"
    + ASKS_FOR_PERSONAL_DATA.pattern)
# The facts of someone's order: its status, contents, delivery, who received it.
ORDER_FACTS = re.compile(
    r"注文(状況|内容|の有無)|(何|なに)(を)?(頼|買|注文)|いつ(届|とど)|(届|とど)いた(か|日)|(届|とど)いて(る|い)|"
    r"(届|とど)く(の|か)|発送(状況|され|した)|配送記録|受け取った人|見れ|みれ|調べ|しらべ")
# Words of a customer speaking of their own things ("my parcel"): not a third party's.
OWN = re.compile(r"私の|わたしの|自分の|うちの(荷物|注文)")

# 「まだ注文はしてないです」「注文の話じゃないので番号はないです」: there is no order number to give.
NO_ORDER = re.compile(r"注文(は|を)?(まだ)?(して(い)?な|していませ|してませ)|(番号|ばんごう)(は)?(ない|無い|ありませ)|"
                      r"注文(の話)?じゃない|買ったことがない|身に覚え")

# Thanks, goodbyes and yes/no are never an order number, digits or the details of a trouble.
NOT_INFORMATION_INTENTS = {"thanks", "goodbye", "greet", "affirm", "deny", "bot_challenge"}


@dataclass(frozen=True)
class Reading:
    """What one message gives, whatever was asked: order number, phone digits, detail, intentions."""

    order_number: str | None
    phone_last4: str | None
    unknown_order_number: bool
    detail: str | None
    digression: bool
    correction: bool


def read_message(text: str, *, order_number_asked: bool, detail_chars: int = DETAIL_CHARS) -> Reading:
    """Read everything a message gives at once (issue #16: information in any order).

    The order number with its MD prefix anywhere (eight bare digits only when
    it was just asked for); four digits that are not part of the order
    number, an amount or a date as the phone digits; the rest of the text, if
    it says something (``detail_chars`` characters besides numbers and
    particles), as detail.
    """
    normal = normalise(text or "")
    orders = find_order_numbers(normal)
    order_number = orders[0].value if orders else None
    if order_number is None and order_number_asked:
        order_number = parse_order_number_reply(normal)
    exclude = orders + find_amounts(normal)
    if order_number and not orders:
        exclude = exclude + [r for r in find_digit_runs(normal) if len(r.value) == 8]
    runs = [r for r in find_digit_runs(normal, exclude=exclude) if not _is_date_or_count(normal, r.end)]
    four = [r.value for r in runs if len(r.value) == 4]
    phone_last4 = four[0] if len(four) == 1 else None
    if phone_last4 is None and not four:
        phones = [r.value for r in runs if 10 <= len(r.value) <= 11]
        phone_last4 = phones[0][-4:] if len(phones) == 1 else None
    rest = normal
    for found in sorted(exclude + runs, key=lambda f: -f.start):
        rest = rest[:found.start] + rest[found.end:]
    rest = re.sub(r"(注文番号|ご注文番号|ちゅうもんばんごう|番号|電話(番号)?(の)?(下|しも)?(4|4|四)(桁|けた|つ)?|"
                  r"でんわ(の)?|下4桁|しも4けた|MD|md|です|でs|でございます|は|の|、|。|,|\.|\s|/|（|）|\(|\))",
                  "", rest)
    detail = text.strip() if len(rest) >= detail_chars else None
    return Reading(
        order_number=order_number,
        phone_last4=phone_last4,
        unknown_order_number=order_number is None and (says_unknown(normal) or bool(NO_ORDER.search(normal))),
        detail=detail,
        digression=bool(DIGRESSION.search(normal)),
        correction=bool(CORRECTION.search(normal)),
    )


def _is_date_or_count(text: str, end: int) -> bool:
    """「10月20日」「3日」「2袋」: digits followed by a unit are not phone digits."""
    return bool(re.match(r"\s*(月|日|年|時|分|個|本|枚|袋|セット|円|件|回|週|か月|ヶ月|歳|才|号|cm|kg|g|ml)",
                         text[end:end + 4]))


def is_short_shipment(text: str) -> bool:
    """「3セット注文したのに2セットしか入っていなかった」: fewer units than ordered, or an item missing."""
    return bool(SHORT_SHIPMENT.search(fold_kana(normalise(text or ""))))


def mentions_third_party(text: str) -> bool:
    return bool(THIRD_PARTY.search(fold_kana(normalise(text or ""))))


def asks_about_the_order(text: str) -> bool:
    """「いつ届くか知りたい」「発送されましたか」: a question about an order's own facts (status, delivery, contents).

    Inside a case it asks about the case's order, whatever the intent
    model makes of it: one training read 「いつ届くか知りたい」 as a late
    delivery, the next as the FAQ's shipping days, and a customer whose order
    was locked got the shop's general shipping days instead of a person.
    """
    return bool(ORDER_FACTS.search(fold_kana(normalise(text or ""))))


# A request about the customer's own particular order (「昨日注文したタオルにもう1枚追加できますか」
# 「注文番号20931のお届け先を変えたい」): not a general question, whatever entry it resembles. The shop must
# look at that order (merge it, change it, say where it is), so it goes through verification (the trouble
# flow, then a person), as issue #15 asks, and bot.faq_answer never answers it from the FAQ. The FAQ answers
# how the shop works (「注文した後に住所を変更できますか」), and a plan is not an order yet (「今日注文したら」).
_ORDERED = r"(注文|ちゅうもん|頼ん|たのん|買っ|かっ(?=た|て)|購入|申し込ん)(?!(し)?たら|だら|したとして|すると|する(場合|なら)|すれば)"
OWN_ORDER = re.compile(
    r"(昨日|きのう|今朝|けさ|さっき|先ほど|さきほど|先程|先日|せんじつ|先週|せんしゅう|今日|きょう|一昨日|おととい|"
    r"この(前|間)|こないだ|[0-9一二三四五六七八九十]+(日|週間|か月|ヶ月)前)(に)?[^。？?！!]{0,12}" + _ORDERED + "|"
    r"(私|わたし|自分|じぶん|うち)(が|の)[^。？?！!]{0,6}" + _ORDERED + "|"
    r"(今回|こんかい|この|その|今の|いまの)(ご)?注文|注文(番号|ばんごう|No\.?|ナンバー)\s*(は|:|：)?\s*[0-9]")


def about_own_order(text: str) -> bool:
    """True when the message is about one order of the customer's own (an order number, 「昨日注文した…」)."""
    normal = fold_kana(normalise(text or ""))
    return bool(find_order_numbers(normal) or OWN_ORDER.search(normal))


def asks_for_others_data(text: str, earlier: list[str]) -> bool:
    """A request for another person's data, in this message or built up over the conversation (issue #16).

    This message asks for data (an order's status, contents, number, a
    name, an address, a phone number…) and this message or an earlier one
    of the same conversation is about someone else (a son, the neighbour
    downstairs, a named person, the police). Saying something about a family
    member without asking anything is not a request.
    """
    normal = fold_kana(normalise(text or ""))
    if not ASKS_FOR_DATA.search(normal):
        return False
    if read_message(normal, order_number_asked=False).phone_last4 and not ASKS_FOR_PERSONAL_DATA.search(normal):
        return False  # giving the phone digits (the proof) is proving an order, not asking about someone
    if THIRD_PARTY.search(normal) and not OWN.search(normal):
        return True
    # Across messages, only a request for the person's data or their order's facts counts:
    # 「送り返し方を教えてください」 after 「夫婦二人分には…」 asks how, not about anyone.
    if not (ASKS_FOR_PERSONAL_DATA.search(normal) or ORDER_FACTS.search(normal)):
        return False
    return any(mentions_third_party(message) for message in earlier) and not OWN.search(normal)


# Which order-status line fits which kind of case after verification (issue #16, item 7): the
# delivery line belongs to delivery cases; money and return cases hear only about returns,
# cancellations and refunds; a broken product, a login problem or a receipt hears none.
STATUS_KEYS_FOR_CASE = {
    "delivery_delay": None,  # every status
    "wrong_delivery": None,
    "refund_return": {"returned_to_sender", "cancelled", "returning", "refunded"},
    "billing_contract": {"cancelled", "returning", "refunded"},
    # "いつ届きますか" read as a general question: where a parcel not yet arrived is, never the delivered line.
    "other": {"received", "preparing", "in_transit", "in_transit_no_date", "delayed"},
}


def status_fits_case(issue_type: str | None, status_key: str) -> bool:
    if issue_type not in STATUS_KEYS_FOR_CASE:
        return False
    keys = STATUS_KEYS_FOR_CASE[issue_type]
    return keys is None or status_key in keys


def masked_order_number(order_number: str) -> str:
    """The order number as the customer typed it, for confirming what the bot took (their own words)."""
    return order_number if order_number.startswith(ORDER_NUMBER_PREFIX) else f"{ORDER_NUMBER_PREFIX}{order_number}"


# An explicit request for the order's items or a new delivery address (these need the e-mailed code).
STEP_UP_REQUEST = re.compile(
    r"(住所|届け先|配送先|送り先|届先).{0,8}(変更|変え|かえ|直し)|(変更|変え).{0,6}(住所|届け先|配送先)|"
    r"注文(の)?(内容|明細)|何を(注文|頼|買)|(注文|頼|買)った(もの|物|商品)(を|が)?(確認|教え|知り|見)|明細を(見|教)")


def requests_step_up_explicitly(text: str) -> bool:
    """「配送先を変更したい」「何を注文したか確認したい」, not 「宛名は株式会社…で」 said about a receipt."""
    return bool(STEP_UP_REQUEST.search(normalise(text or "")))


# The first message of a case names the trouble; only this much more says what happened
# (「荷物がまだ届きません」 is the trouble, not its details: the bot still asks for the date and the tracking).
OPENING_DETAIL_CHARS = 20


def starts_another_case(reading: Reading, *, issue_type: str | None, current_type: str | None) -> bool:
    """「それより先に、2回引き落とされてる」: the customer turns to a trouble of another type (issue #16).

    Only with words that change the subject: a message that merely reads
    like another type (a broken box mentioned in a late-delivery case) is
    part of the same case, so one customer's one story is never split.
    """
    return bool(reading.digression and issue_type and issue_type != current_type)


def continues_recorded_case(reading: Reading, *, case_order_number: str | None) -> bool:
    """After the reference number, what the customer adds belongs to that case (issue #16, item 2).

    Unless they change the subject (「あと、それとは別に…」) or name another order.
    """
    if reading.digression:
        return False
    return reading.order_number is None or reading.order_number == case_order_number


# Types whose "fewer units than ordered" is a short shipment: resent, never a return of goods not received.
SHORT_SHIPMENT_TYPES = {"wrong_delivery", "refund_return", "defective_product", "delivery_delay", "other"}


def issue_type_for_case(issue_type: str, text: str) -> str:
    """「3セット注文したのに2セットしか入っていなかった」 is a wrong delivery (short shipment), whatever it reads like."""
    if issue_type in SHORT_SHIPMENT_TYPES and is_short_shipment(text):
        return "wrong_delivery"
    return issue_type


# The issue-type classifier this sure of a trouble (not "other") opens a case even where the intent model
# read details, a question or nothing it knew (「福袋の返品について伺います。注文番号は…」 read as inform).
# Below it, the intent model's reading stands (the details are asked for, or the question answered).
TROUBLE_CONFIDENCE = 0.55


def names_a_trouble(issue_type: str | None, confidence: float | None) -> bool:
    return bool(issue_type and issue_type != "other" and (confidence or 0.0) >= TROUBLE_CONFIDENCE)


# Issue #15: 「このフライパンはIHで使えますか？」「タオルの素材は綿100％ですか？」 are asked before buying. When the FAQ
# has no entry for them, the intent model often reads a trouble of the product's kind (product_safety for a
# kettle, wrong_delivery for a size) and the case used to open and ask for an order number. A question about
# a product or the shop that tells of nothing that happened is said plainly to be outside the FAQ, with a
# person offered (bot.faq_answer, actions.troubles.open_or_add_to_case). Written on writer C's development
# split (bench/data/faq_dev.yml) and the training data's troubles; the texts are folded to hiragana first.
#
# Something happened: a past event (届いた, 割れていました, 膨らんだ), a state that should not be (届かない,
# 使えません, 来ています), 「…のに」. A hypothetical (「温めたら割れますか」) and a wish (「買いたい」) are not events.
HAPPENED = re.compile(
    r"のに|(ました|でした|かった|だった|[っいしきぎえれけげめちびねせてでへ来出見着]た|[んい]だ)(?![いくめまだしゃらろけり])|"
    r"(な(い|く|かっ)|ません|ず[、。に])(?!(ん|の)?(です|でしょう)?か)|"
    r"(届い|来|きて|なっ|され|壊れ|割れ|欠け|漏れ|汚れ|残っ|止まっ|へこん|溶け|焦げ|錆び|さび)て(い)?(る|ます)")
# What a customer asks about a product or the shop before buying: size, material, origin, how it may be
# used, whether the shop sells or carries something, jobs and accounts of the shop.
PRODUCT_QUESTION = re.compile(
    r"使え|つかえ|使って(も|は)|使う(の|こと)|入れて(も|は)|かけて(も|は)|持ち込|持って(いっ|行っ)|対応し|大丈夫|平気|"
    r"容量|さいず|大きさ|重さ|長さ|高さ|素材|材質|原材料|成分|産地|原産|生産|製造|どこの国|国産|"
    r"何(りっとる|せんち|cm|みり|mm|ml|ぐらむ|g|年|色|種類|ワット|わっと)|どのくらい|どれくらい|どのぐらい|"
    r"おすすめ|お勧め|甘い|辛い|電圧|防水|機能|(つ|付)いて(い)?ますか|ありますか|あります\?|ありますでしょうか|"
    r"売って|扱って|取り扱|買え|買う(こと|の)|購入(でき|する(こと|の))|買い取|保証期間|賞味期限|かろりー|かふぇいん|"
    r"洗え|洗って(も|は)|洗濯|食洗機|電子れんじ|れんじ|直火|ih|おーぶん|乾燥機|採用|求人|募集|あるばいと|ぱーと|"
    r"出店|あぷり|いんすた|ぶろぐ|転載|載せ|たいぷ|大きめ|小さめ|段差|乗り越え|電気代|替え|交換用|ふぃるたー")
# Words of a trouble itself keep a question in the trouble flow whatever else it asks.
TROUBLE_WORDS = re.compile(
    r"不良|故障|破損|壊れ|欠け|漏れ|焦げ|煙|発火|火花|異物|異臭|えらー|不具合|ばぐ|無効|届か|未着|誤配|請求|返金|返品|"
    r"取り?替え(て|られ)|交換(し|でき|して|を|は|って)|個人情報|位置情報|でーた|ぷらいばしー|(?i:privacy)|漏洩|流出|不正|詐欺")


def asks_before_buying(text: str) -> bool:
    """A question about a product or the shop that tells of nothing that happened to an order (issue #15).

    「電気ケトルの容量は何リットルですか？」「ｷｯｽﾞｻｲｽﾞﾉ ｴﾌﾟﾛﾝｯﾃ ｱﾘﾏｽｶ」: yes.
    「届いた電気ケトルの電源が入りません。交換できますか？」 (an event),
    「注文番号20931の…」 (an order), 「発火しませんか？」 (a trouble's word): no.
    """
    normal = fold_kana(normalise(text or ""))
    return bool(is_question(text) and not is_english(text) and PRODUCT_QUESTION.search(normal) and not HAPPENED.search(normal)
                and not TROUBLE_WORDS.search(normal) and not about_own_order(text))
