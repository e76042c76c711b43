"""Japanese text normalisation and the shop's own entity parsers.

Customers type the same thing many ways: ＭＤ２０２６１２３４, md-2026-1234,
￥１５，０００, 1万5千円, 十万円. Everything here works on NFKC-normalised
text so that one pattern covers full-width, half-width and half-width katakana,
and every parser returns canonical values (order numbers as ``MD########``,
amounts as integer yen) with the span they came from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.kana import fold_kana

# A husband (夫), not the 夫 inside 大丈夫 ("all right"), 丈夫 ("sturdy") or 工夫, nor 夫婦 (a couple): a regular
# expression to put inside others. The dialogue's "someone other than the customer" and the triage's "someone
# told me" both read it; 大丈夫 once made a customer's own question read as one about another person.
HUSBAND = r"(?<!丈)(?<!工)夫(?!婦)"

ORDER_NUMBER_PREFIX = "MD"
ORDER_NUMBER_DIGITS = 8

# Every dash customers (and IMEs) put between digits: the one list for the whole project (the
# privacy guard reads digits with it too). ー and ｰ (long vowel marks) are dashes only between
# digits; inside katakana words they are part of the word.
DASHES = "\u002d\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d\u2500\u2501\u30fc\uff70"
LONG_VOWELS = "\u30fc\uff70"
PLAIN_DASHES = "".join(c for c in DASHES if c not in LONG_VOWELS)
_DASH_BETWEEN_ALNUM = re.compile(rf"(?<=[0-9A-Za-z])\s*[{re.escape(DASHES)}]\s*(?=[0-9])")


def normalise(text: str) -> str:
    """NFKC plus dash unification between digits, so patterns match one form.

    The long-vowel mark ー is only turned into a hyphen between digits or
    letters and digits (MD－2026ー1234), never inside katakana words.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _DASH_BETWEEN_ALNUM.sub("-", text)
    return text


@dataclass(frozen=True)
class Found:
    """A value found in normalised text, with its character span in that text."""

    value: str
    start: int
    end: int
    text: str


_ORDER_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(?:MD|md|Md|mD)\s*[-#:]?\s*(\d{4})\s*-?\s*(\d{4})(?![0-9])"
)
_BARE_ORDER_NUMBER = re.compile(r"(?<![0-9A-Za-z\-])(\d{4})-?(\d{4})(?![0-9\-])")


def find_order_numbers(text: str) -> list[Found]:
    """Order numbers written with their MD prefix, in any width and spacing."""
    text = normalise(text)
    return [
        Found(f"{ORDER_NUMBER_PREFIX}{m.group(1)}{m.group(2)}", m.start(), m.end(), m.group(0))
        for m in _ORDER_NUMBER.finditer(text)
    ]


def parse_order_number_reply(text: str) -> str | None:
    """Read an order number from a reply to "注文番号を教えてください".

    When the customer has just been asked for it, eight digits alone
    (20261234, 2026-1234) are taken as the number without its prefix.
    """
    found = find_order_numbers(text)
    if found:
        return found[0].value
    text = normalise(text)
    bare = _BARE_ORDER_NUMBER.findall(text)
    if len(bare) == 1:
        return f"{ORDER_NUMBER_PREFIX}{bare[0][0]}{bare[0][1]}"
    return None


_UNKNOWN_ANSWERS = re.compile(
    r"[わ分解判]か(ら|りません)|不明|しらない|知らない|覚えて(い|)ない|"
    r"忘れ|なくし|無くし|消し|消え|ない$|なし|無し|ありません|wakaranai|unknown"
)


def says_unknown(text: str) -> bool:
    """True when a reply means "I don't know / don't have it"."""
    return bool(_UNKNOWN_ANSWERS.search(normalise(text).strip().lower()))


_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
                 "六": 6, "七": 7, "八": 8, "九": 9, "壱": 1, "弐": 2, "参": 3}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10_000, "億": 100_000_000}
_NUMBER_CHARS = "0-9,.〇零一二三四五六七八九壱弐参十百千万億"

_AMOUNT = re.compile(
    rf"(?P<yen_sign>¥|\\)\s*(?P<signed>[0-9][0-9,]*(?:\.[0-9]+)?\s*[万千]?)"
    rf"|(?P<number>[{_NUMBER_CHARS}]+)\s*(?P<unit>円|えん|yen|JPY)",
    re.IGNORECASE,
)


def kanji_or_digits_to_int(token: str) -> int | None:
    """Parse 15,000 / 1.5万 / 1万5千 / 十万 / 三千五百 into an integer.

    Returns None for text that is not a number (so "万円" alone is ignored).
    """
    token = token.replace(",", "").strip()
    if not token:
        return None
    total = 0
    section = 0
    current: float | None = None
    i = 0
    while i < len(token):
        ch = token[i]
        if ch.isdigit() or ch == ".":
            j = i
            while j < len(token) and (token[j].isdigit() or token[j] == "."):
                j += 1
            try:
                current = float(token[i:j])
            except ValueError:
                return None
            i = j
            continue
        if ch in _KANJI_DIGITS:
            current = (current or 0) * 10 + _KANJI_DIGITS[ch] if current is not None else _KANJI_DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (current if current is not None else 1) * _SMALL_UNITS[ch]
            current = None
        elif ch in _BIG_UNITS:
            if current is None and section == 0:
                return None
            total += (section + (current or 0)) * _BIG_UNITS[ch]
            section = 0
            current = None
        else:
            return None
        i += 1
    value = total + section + (current or 0)
    return int(round(value))


def find_amounts(text: str) -> list[Found]:
    """Amounts of money in yen: 15,000円, ¥15000, 1万円, 1.5万円, 十万円, 3万5千円."""
    text = normalise(text)
    found = []
    for m in _AMOUNT.finditer(text):
        raw = m.group("signed") if m.group("yen_sign") else m.group("number")
        value = kanji_or_digits_to_int(raw.replace(" ", ""))
        if value is None or value <= 0:
            continue
        found.append(Found(str(value), m.start(), m.end(), m.group(0)))
    return found


_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9](?:[0-9]|-(?=[0-9]))*(?![0-9])")


def find_digit_runs(text: str, exclude: list[Found] = ()) -> list[Found]:
    """Runs of digits (hyphens inside allowed) not already part of another entity.

    Used for answers such as the last four digits of a phone number.
    """
    text = normalise(text)
    taken = [(f.start, f.end) for f in exclude]
    runs = []
    for m in _DIGIT_RUN.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        runs.append(Found(m.group(0).replace("-", ""), m.start(), m.end(), m.group(0)))
    return runs


def find_shop_entities(text: str) -> dict[str, list[Found]]:
    """All entities the shop parses by rule, without overlaps between kinds."""
    orders = find_order_numbers(text)
    amounts = [a for a in find_amounts(text)
               if not any(o.start < a.end and a.start < o.end for o in orders)]
    digits = find_digit_runs(text, exclude=orders + amounts)
    return {"order_number": orders, "amount": amounts, "digits": digits}


# Greetings and closings at either end of a message: they say nothing about the trouble under it, so the
# issue-type classifier reads the message without them (「こんにちは。荷物が届きません。よろしくお願いします」
# is a delivery delay like 「荷物が届きません」). Only whole phrases at the ends, with their punctuation;
# 「返金お願いします」 keeps 「返金」.
_PLEASANTRY_PUNCTUATION = r"[\s、。,.!！?？～〜ー…・♪☆★]*"
_OPENINGS = (r"(?:いつも)?お世話になって(?:おり|い)ます|お世話になります|こんにちは|こんにちわ|こんばんは|こんばんわ|"
             r"おはようございます|おはよう|はじめまして|初めまして|失礼(?:いた|致)?します|すみません|すいません|"
             r"恐れ入ります|お疲れ様です|もしもし|"
             # fillers only when set apart: 「あのときの商品」「どうも届かない」 keep them
             r"(?:どうも|あのー?|えっと|えーと|hello|hi)(?=[\s、。,.!！?？～〜…])")
_CLOSINGS = (r"(?:どうぞ)?(?:よろしく|宜しく)(?:お願い|おねがい)(?:いた|致)?します|(?:よろしく|宜しく)です|よろしく|"
             r"(?:お願い|おねがい)(?:いた|致)?します|(?:どうも)?ありがとう(?:ございます|ございました)?|"
             r"助かります|失礼(?:いた|致)?します|以上です|thanks|thank you")
_LEADING_PLEASANTRY = re.compile(rf"{_PLEASANTRY_PUNCTUATION}(?:{_OPENINGS}){_PLEASANTRY_PUNCTUATION}", re.IGNORECASE)
_TRAILING_PLEASANTRY = re.compile(rf"{_PLEASANTRY_PUNCTUATION}(?:{_CLOSINGS}){_PLEASANTRY_PUNCTUATION}$", re.IGNORECASE)


def substance_span(text: str) -> tuple[int, int]:
    """(start, end) of ``text`` without the greetings and closings at its ends; (0, 0) when nothing else is left."""
    start, end = 0, len(text)
    while match := _LEADING_PLEASANTRY.match(text, start, end):
        if match.end() == start:
            break
        start = match.end()
    while start < end and (match := _TRAILING_PLEASANTRY.search(text, start, end)):
        if match.start() == end:
            break
        end = match.start()
    return (start, end) if start < end else (0, 0)


# Whether a message asks, and whether it only announces a question: the dialogue reads them
# (actions/faq.py) and so does the NLU (bot/rasa_nlu/components.py), so they live with the model's inputs.
# 「すみません、ちょっとお聞きしたいのですが」「相談したいことがあって」: the customer announces a question and
# has not asked it yet. Neither a request for a person nor a trouble: the bot says 「どうぞ」 (utter_greet).
QUESTION_PREFACE = re.compile(
    r"(?:(?:すみません|すいません|あの[ーぉ〜]*|えっと|えーと|こんにちは|こんばんは|お世話になって(?:おり|い)ます|"
    r"失礼(?:いた)?します|はじめまして)[、。,.!！\s]*)*"
    r"(?:ちょっと|少し|すこし|ひと?つ|一つ|1つ)?[、\s]*(?:お|ご)?"
    r"(?:聞き|きき|伺い|うかがい|尋ね|たずね|質問|しつもん|相談|そうだん|問い合わせ|といあわせ)"
    r"(?:し|させて(?:いただき|もらい)?)?(?:たい)?(?:こと|ん|の)?(?:が|も)?(?:ある|あり|あって|あるん|ありまして)?"
    r"(?:しても(?:いい|よろしい)(?:です|でしょう)?か?)?"
    r"(?:んだ|のだ|んです|のです|です|ます|まして|だ)?(?:けど|けれど|けども|が|ね|よ)?[、。,.!！?？\s…〜ー]*")


def announces_a_question(text: str) -> bool:
    """「ちょっと聞きたいんだけど」 and nothing else: a question is coming (not 「送料について聞きたい」)."""
    return bool(QUESTION_PREFACE.fullmatch(fold_kana(normalise(text or "")).strip()))


# 「…かかりますか？」「…教えてください」 ask; 「宛名は株式会社…でお願いします」 tells. Read in hiragana, so
# half-width katakana (ﾎｳｼﾞﾝﾁｭｳﾓﾝ ﾃﾞｷﾏｽｶ) asks as plainly; romaji too ("dekimasu ka", "oshiete").
QUESTION = re.compile(r"[?？]|(か|かな|かね|の)[。!！\s]*$|でしょうか|ますか|ですか|教えて|おしえて|知りたい|どうすれば|どうしたら|"
                      r"(?i:\b\w*(masu|desu|deshou)\s*ka\b|\boshiete\b)")


def is_question(text: str) -> bool:
    """Whether a message asks something (answered from the FAQ) rather than tells (added to the case)."""
    return bool(QUESTION.search(fold_kana(normalise(text or "")).strip()))


# A topic typed as into a search box, 「返品期限」「振込 名義違う」「発送まで何日」 (writer C's development split), is
# at most this many characters without spaces, unless it is all kanji and katakana.
MAX_TOPIC_CHARS = 8
_KANJI = re.compile(r"[\u4e00-\u9fff\u3005]")  # CJK ideographs and 々
_HIRAGANA = re.compile(r"[\u3041-\u309f]")
# Endings that make a sentence of it, whatever its length: 「見積書が必要です」「返品したい」「届かない」.
_SENTENCE_ENDING = re.compile(r"(です|ます|ません|でした|ました|たい|ない|ください)[。!！.]*$")


def is_search_words(text: str) -> bool:
    """Whether a message names a topic, as typed into a search box, rather than tells what happened or asks.

    Short ones (MAX_TOPIC_CHARS), and longer ones in kanji and katakana alone
    (「注文キャンセル方法」: with no hiragana there is no verb, adjective or
    auxiliary ending, so nothing is told), but never one that ends as a
    sentence does (「見積書が必要です」). Whether the topic is an FAQ entry or a
    trouble (「配送遅延」) is the model's reading; this only says the message
    is no report. Kana alone is a topic only when short: 「ｼｮｳﾋﾝｶﾞｺﾜﾚﾃﾏｼﾀ」
    tells what happened.
    """
    compact = "".join(normalise(text or "").split())
    if not compact or _SENTENCE_ENDING.search(compact):
        return False
    return len(compact) <= MAX_TOPIC_CHARS or (bool(_KANJI.search(compact)) and not _HIRAGANA.search(compact))


# Japanese written a word at a time: 「返品担当 の フルネーム と 顔写真 送って」 (phones without Japanese input,
# kana typed word by word) or 「息子が、お店の、宣伝の、お仕事を、すると、言って」 (an elderly hand, a comma
# after every word). A gap is a run of spaces or commas between two Japanese characters.
_JAPANESE = r"[\u3041-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ヵヶ]"
_WORD_GAP = re.compile(rf"(?<={_JAPANESE})[\s、,，]+(?={_JAPANESE})")
# Written so when the gaps are this dense: one for every six Japanese characters or more, and at least three.
# Ordinary prose has a comma every ten to twenty characters (「先日、注文した土鍋が、まだ届きません」).
_GAPS_PER_CHARACTER = 1 / 6
_MIN_GAPS = 3


def without_word_gaps(text: str) -> str:
    """``text`` with the gaps between its Japanese words closed, when it is written a word at a time; else
    ``text`` itself. Phrase rules (bot.triage.escalation) are written for Japanese as it is usually
    written, where 「フルネームと顔写真を送って」 has no gaps; this gives them that text to read."""
    gaps = _WORD_GAP.findall(text)
    japanese = len(re.findall(_JAPANESE, text))
    if len(gaps) < _MIN_GAPS or len(gaps) < japanese * _GAPS_PER_CHARACTER:
        return text
    return _WORD_GAP.sub("", text)
