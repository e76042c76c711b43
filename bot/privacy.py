"""Personal data: masking what customers type, and guarding what the bot says.

A real case in Japanese mail order: two households at one address, and an
operator told one customer the neighbour's full name and age. This module is
the ONLY place that decides what counts as personal data:

* ``mask_personal_data`` hides phone numbers, e-mail addresses, postal codes,
  card numbers (with the security code and expiry written next to them) and My
  Numbers in what customers type, before it reaches logs and agents'
  transcripts; given the shop's ``PersonalDataIndex`` it also hides every known
  customer's name, address, birth date and an age written next to a name. It
  matches on normalised copies (NFKC, one dash, kanji digits, romaji read as
  kana) but replaces spans of the ORIGINAL text, so the rest stays exactly as typed.
* ``PersonalDataIndex`` + ``screen_reply`` is the outbound guard: every reply
  is checked before it leaves, and a reply carrying any data of a customer
  other than the one verified in this conversation is blocked. A value the
  verified customer shares with someone else (same address, same household
  phone, same surname) is the verified customer's own and does not block, but
  an age or a birthday next to a shared surname tells the two apart. What the
  verified customer's own data may appear depends on the ``Clearance``: four
  phone digits prove the order (its number and tracking number), the e-mailed
  code proves the person (their name, address, phone, e-mail, birth date).

The guard errs on the side of blocking: it must not miss a leak because the
reply wrote digits full-width or in kanji (〇九〇), put spaces, dashes, 、 or の
in odd places, wrote an e-mail as "name [at] example dot jp", or wrote a name
in hiragana, romaji, reversed or half kana and half kanji.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Callable, Iterable, Mapping

from bot.kana import fold_kana, romaji_to_katakana
from bot.text import DASHES, LONG_VOWELS, PLAIN_DASHES, kanji_or_digits_to_int

__all__ = [
    "NOBODY",
    "Clearance",
    "GuardVerdict",
    "PersonRecord",
    "PersonalDataIndex",
    "mask_personal_data",
    "screen_reply",
]

PLACEHOLDERS = {
    "email": "[メールアドレス]",
    "card": "[カード番号]",
    "security_code": "[セキュリティコード]",
    "card_expiry": "[有効期限]",
    "my_number": "[マイナンバー]",
    "phone": "[電話番号]",
    "postal_code": "[郵便番号]",
    "name": "[氏名]",
    "kana": "[氏名]",
    "address": "[住所]",
    "birth_date": "[生年月日]",
    "age": "[年齢]",
}
# Kinds of a known customer's data that masking leaves alone: they identify an
# order, not a person, and an analyst needs them (the guard still checks them).
_NOT_MASKED = frozenset({"order_number", "tracking_number"})

# Digits read out one by one in kanji (〇九〇の一二三四). ○ and ◯ stand in for 〇 on many keyboards.
_KANJI_DIGITS = {"〇": "0", "零": "0", "○": "0", "◯": "0", "一": "1", "二": "2", "三": "3", "四": "4",
                 "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_KANJI_DIGIT_RUN = re.compile(r"[〇零○◯一二三四五六七八九]{2,}|(?<=[0-9])[〇零一二三四五六七八九]|[〇零一二三四五六七八九](?=[0-9])")
# ---------------------------------------------------------------------------
# Check digits
# ---------------------------------------------------------------------------

def _luhn_ok(digits: str) -> bool:
    """Luhn check: a random digit run passes only 1 time in 10, so it filters card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = ord(ch) - 48
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def _my_number_ok(digits: str) -> bool:
    """The official My Number check digit (個人番号の検査用数字), on 12 ASCII digits."""
    if len(digits) != 12 or not digits.isascii() or not digits.isdigit():
        return False
    body, check = digits[:11], ord(digits[11]) - 48
    total = 0
    for n in range(1, 12):
        p = ord(body[11 - n]) - 48          # P1 is the digit next to the check digit
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    remainder = total % 11
    expected = 0 if remainder <= 1 else 11 - remainder
    return check == expected


def _phone_ok(digits: str) -> bool:
    """Japanese domestic numbers: 10 digits 0[1-9]... (landline, 0120, 0570), 11 digits 0X0... (mobile, IP, 0800)."""
    if len(digits) == 10:
        return digits[0] == "0" and digits[1] != "0"
    if len(digits) == 11:
        return digits[0] == "0" and digits[1] != "0" and digits[2] == "0"
    return False


# ---------------------------------------------------------------------------
# Normalised copies that remember where each character came from
# ---------------------------------------------------------------------------

class _Text:
    """A normalised copy of a text with, per character, the span of the original it came from.

    Matching happens on copies (NFKC, one dash, kanji digits, romaji read as
    kana, long vowels folded); masking replaces the ORIGINAL span, and "an age
    next to a name" compares original positions of things found in different copies.
    """

    __slots__ = ("text", "starts", "ends")

    def __init__(self, text: str, starts: list[int], ends: list[int]) -> None:
        self.text, self.starts, self.ends = text, starts, ends

    @staticmethod
    def nfkc(text: str) -> _Text:
        """Per-character NFKC (a voiced mark split off by it is composed again by ``_compose``)."""
        parts = [ch if ch.isascii() else _nfkc_char(ch) for ch in text]
        joined = "".join(parts)
        if len(joined) == len(text):
            return _Text(joined, list(range(len(text))), list(range(1, len(text) + 1)))
        starts: list[int] = []
        ends: list[int] = []
        for i, part in enumerate(parts):
            starts += [i] * len(part)
            ends += [i + 1] * len(part)
        return _Text(joined, starts, ends)

    def original(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]

    def replace_chars(self, changes: Mapping[int, str]) -> _Text:
        """One character for another at given positions; offsets unchanged."""
        if not changes:
            return self
        chars = list(self.text)
        for k, c in changes.items():
            chars[k] = c
        return _Text("".join(chars), self.starts, self.ends)

    def sub(self, pattern: re.Pattern, repl: str | Callable[[re.Match], str]) -> _Text:
        """re.sub keeping offsets: a replacement's characters all point at the whole matched span."""
        text, starts, ends = [], [], []
        pos = 0
        for m in pattern.finditer(self.text):
            if m.start() == m.end():
                continue
            new = repl if isinstance(repl, str) else repl(m)
            if new == m.group(0):
                continue
            text.append(self.text[pos:m.start()])
            starts += self.starts[pos:m.start()]
            ends += self.ends[pos:m.start()]
            text.append(new)
            starts += [self.starts[m.start()]] * len(new)
            ends += [self.ends[m.end() - 1]] * len(new)
            pos = m.end()
        if pos == 0:
            return self
        text.append(self.text[pos:])
        starts += self.starts[pos:]
        ends += self.ends[pos:]
        return _Text("".join(text), starts, ends)


@lru_cache(maxsize=4096)
def _nfkc_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch)


_VOICED_MARK = re.compile(r".[\u3099\u309a]")


def _compose(view: _Text) -> _Text:
    """ﾀﾞ comes out of per-character NFKC as タ + a combining mark: make it ダ again."""
    return view.sub(_VOICED_MARK, lambda m: unicodedata.normalize("NFC", m.group(0)))


def _digit_beside(chars: str | list[str], k: int, step: int) -> bool:
    """Is the nearest non-space character in direction step an ASCII digit?"""
    k += step
    while 0 <= k < len(chars) and chars[k].isspace():
        k += step
    return 0 <= k < len(chars) and "0" <= chars[k] <= "9"


def _digit_view(view: _Text) -> _Text:
    """NFKC, every dash between digits as '-', digits read out in kanji as ASCII digits; same offsets."""
    t = view.text
    changes = {}
    for m in _KANJI_DIGIT_RUN.finditer(t):
        run = m.group(0)
        if any(c not in "○◯" for c in run):
            for k in range(m.start(), m.end()):
                changes[k] = _KANJI_DIGITS[t[k]]
    view = view.replace_chars(changes)
    t = view.text
    changes = {}
    for k, c in enumerate(t):
        if c in PLAIN_DASHES:
            changes[k] = "-"
        elif c in LONG_VOWELS and _digit_beside(t, k, -1) and _digit_beside(t, k, 1):
            changes[k] = "-"
    return view.replace_chars(changes)


# ---------------------------------------------------------------------------
# Masking: patterns that are personal data whoever they belong to
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Span:
    kind: str
    start: int
    end: int


# How people write the @ and the dots of an e-mail address so that filters miss it.
_AT = (r"(?:\s{0,3}@\s{0,3}"
       r"|\s{0,3}[\[(<{]\s{0,2}(?:at|アット|あっと)\s{0,2}[\])>}]\s{0,3}"
       r"|\s{0,3}(?:アットマーク|アット|あっとまーく|あっと)\s{0,3}"
       r"|\s{1,3}at\s{1,3})")
_DOT_WORD = (r"(?:\s{0,3}[\[(<{]\s{0,2}(?:dot|ドット|どっと)\s{0,2}[\])>}]\s{0,3}"
             r"|\s{0,3}(?:ドット|どっと)\s{0,3}|\s{1,3}dot\s{1,3})")
_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9_%+\-]+(?:(?:\.|{_DOT_WORD})[A-Za-z0-9_%+\-]+)*"
    rf"{_AT}[A-Za-z0-9\-]+(?:(?:\.|{_DOT_WORD})[A-Za-z0-9\-]+)+",
    re.IGNORECASE,
)
_ORDER_NUMBER_MASK = re.compile(r"(?<![A-Za-z0-9])[Mm][Dd][\s#:\-]{0,3}(?:[0-9][\s\-]?){7}[0-9](?![0-9])")
# Amounts and the shop's own reference numbers (T20261124-00001) are never personal data.
_AMOUNT_MASK = re.compile(r"[¥\\]\s*[0-9][0-9,]*(?:\.[0-9]+)?|[0-9][0-9,]*(?:\.[0-9]+)?\s*(?:円|えん)")
_REFERENCE_MASK = re.compile(r"(?<![A-Za-z0-9])[TEte]\s*[0-9]{8}\s*-\s*[0-9]{5}(?![0-9])")
# Digit groups with at most three separator characters between them: 090 - 1234 - 5678,
# (03)1234-5678, 090、1234、5678, 〇九〇の一二三四の五六七八.
_MASK_RUN = re.compile(r"[0-9]+(?:[\s\-().、,の〜~]{1,3}[0-9]+)*")
_GROUP = re.compile(r"[0-9]+")
_POSTAL_CONTEXT = re.compile(r"(?:〒|郵便番号)\s*(?:[:：]|は)?\s*$")
_PLUS_BEFORE = re.compile(r"\+\s*$")
# Twelve digits after these words are a parcel's tracking number, not a My Number.
_TRACKING_CONTEXT = re.compile(r"(?:追跡|伝票|送り状|問い?合わ?せ番号|配送番号|荷物番号|tracking)[^0-9]{0,8}$",
                               re.IGNORECASE)
_MAX_WINDOW_DIGITS = 19
# A card number never runs into a date: in "4111…1111 7/28" the 7 is the expiry month.
_DATE_GOES_ON = re.compile(r"\s*[/月年]")
_KIND_RANK = {"email": 0, "card": 1, "my_number": 2, "phone": 3, "postal_code": 4}
_SECURITY_CODE = re.compile(
    r"(?:セキュリティ[ー]?(?:コード|番号)|CVV2?|CVC2?|CID|CSC|検証番号|裏面?の?[34三四]桁(?:の数字|の番号)?)"
    r"\s*(?:[:=]|は|が)?\s*([0-9]{3,4})(?![0-9])",
    re.IGNORECASE,
)
_EXPIRY = re.compile(
    r"(?<![0-9/])(?:0?[1-9]|1[0-2])\s*/\s*(?:20)?[0-9]{2}(?![0-9/])"
    r"|(?<![0-9])(?:20)?[0-9]{2}\s*年\s*(?:0?[1-9]|1[0-2])\s*月(?!\s*[0-9]{1,2}\s*日)"
    r"|(?<![0-9])(?:0?[1-9]|1[0-2])\s*月\s*/?\s*(?:20)?[0-9]{2}\s*年"
)
_EXPIRY_KEYWORD = re.compile(r"(?:有効期限|期限|exp(?:iry|iration)?|valid\s*thru)\s*(?:[:=]|は)?\s*$", re.IGNORECASE)
_BARE_CODE = re.compile(r"(?<![0-9])[0-9]{3,4}(?![0-9,.]|\s*[年月日円個点件歳時分])")
_NEXT_TO_CARD = 40       # characters between a card number and its expiry or security code
_BIRTH_KEYWORD_DATE = re.compile(
    r"(?:生年月日|誕生日)\s*(?:は|:|が)?\s*([0-9]{4}\s*[-/.年]\s*[0-9]{1,2}\s*[-/.月]\s*[0-9]{1,2}\s*日?)"
    r"|(?<![0-9])([0-9]{4}\s*[-/.年]\s*[0-9]{1,2}\s*[-/.月]\s*[0-9]{1,2}\s*日?)\s*(?=生まれ|うまれ|生)"
)


def _digit_candidates(norm: str, known: frozenset[str] = frozenset()) -> list[tuple[bool, int, _Span]]:
    """Every window of consecutive digit groups that is a card, My Number, phone or postal code.

    Windows start and end at group boundaries, so 090-1234-5678 03-1234-5678
    on one line gives two phones, not one 21-digit run. A window is "natural"
    when it does not cut the run at the same kind of separator it uses inside
    (4111-1111-1111|-1112 is not natural), which decides between overlapping windows.
    ``known`` digit strings (the shop's tracking numbers) are never a card or My Number.
    """
    found: list[tuple[bool, int, _Span]] = []
    for run in _MASK_RUN.finditer(norm):
        groups = [(run.start() + g.start(), run.start() + g.end()) for g in _GROUP.finditer(run.group(0))]
        seps = [norm[groups[k][1]:groups[k + 1][0]] for k in range(len(groups) - 1)]
        for i, (first_start, _) in enumerate(groups):
            digits = ""
            for j in range(i, len(groups)):
                digits += norm[groups[j][0]:groups[j][1]]
                if len(digits) > _MAX_WINDOW_DIGITS + 3:   # +81(0) adds up to three
                    break
                inside = set(seps[i:j])
                cuts = ([seps[i - 1]] if i > 0 else []) + ([seps[j]] if j < len(seps) else [])
                natural = not any(c in inside for c in cuts)
                end = groups[j][1]
                n = len(digits)
                if (13 <= n <= _MAX_WINDOW_DIGITS and _luhn_ok(digits) and digits not in known
                        and not _DATE_GOES_ON.match(norm, end)):
                    found.append((natural, n, _Span("card", first_start, end)))
                if (n == 12 and _my_number_ok(digits) and digits not in known
                        and not _TRACKING_CONTEXT.search(norm[max(0, first_start - 20):first_start])):
                    found.append((natural, n, _Span("my_number", first_start, end)))
                if _phone_ok(digits):
                    start = first_start
                    if norm[start - 1:start] == "(" and ")" in norm[start:end]:
                        start -= 1
                    found.append((natural, n, _Span("phone", start, end)))
                plus = _PLUS_BEFORE.search(norm, 0, first_start)
                if plus and digits.startswith("81") and n >= 11:
                    rest = digits[2:]
                    rest = rest[1:] if rest.startswith("0") else rest
                    if _phone_ok("0" + rest):
                        found.append((natural, n + 1, _Span("phone", plus.start(), end)))
                if n == 7:
                    one_hyphen = j == i + 1 and seps[i] == "-" and groups[i][1] - groups[i][0] == 3
                    context = _POSTAL_CONTEXT.search(norm, 0, first_start)
                    if context and (j == i or groups[i][1] - groups[i][0] == 3):
                        mark = norm.find("〒", context.start(), first_start)
                        start = mark if mark >= 0 else first_start
                        found.append((natural, n, _Span("postal_code", start, end)))
                    elif one_hyphen:
                        found.append((natural, n, _Span("postal_code", first_start, end)))
    return found


def _card_details(norm: str, cards: list[_Span], taken: list[_Span]) -> list[_Span]:
    """The security code and expiry written next to a card number (or a security code named as one)."""
    found: list[_Span] = []

    def free(start: int, end: int) -> bool:
        return not any(t.start < end and start < t.end for t in taken + found)

    for m in _SECURITY_CODE.finditer(norm):
        if free(m.start(1), m.end(1)):
            found.append(_Span("security_code", m.start(1), m.end(1)))
    near_card = [(max(0, c.start - _NEXT_TO_CARD), c.end + _NEXT_TO_CARD) for c in cards]
    mentions_card = "カード" in norm or bool(cards)
    for m in _EXPIRY.finditer(norm):
        beside = any(lo <= m.start() and m.end() <= hi for lo, hi in near_card)
        named = mentions_card and _EXPIRY_KEYWORD.search(norm[max(0, m.start() - 12):m.start()])
        if (beside or named) and free(m.start(), m.end()):
            found.append(_Span("card_expiry", m.start(), m.end()))
    for card in cards:
        after = card.end
        for expiry in sorted((s for s in found if s.kind == "card_expiry"), key=lambda s: s.start):
            if 0 <= expiry.start - after <= 12:
                after = expiry.end
        m = _BARE_CODE.search(norm, after, after + 16)
        if m and not re.search(r"[0-9。\n]", norm[after:m.start()]) and free(m.start(), m.end()):
            found.append(_Span("security_code", m.start(), m.end()))
    return found


def _find_sensitive(text: str, known: frozenset[str] = frozenset(), view: _Text | None = None) -> list[_Span]:
    """Spans of personal data in the ORIGINAL text, non-overlapping, in order.

    Overlapping detections are settled greedily: natural windows first, then
    longer ones, then by kind. Every detection either wins or overlaps a
    winner, so no complete card, My Number or phone number survives masking.
    ``view``: the text's ``_digit_view`` when the caller has it already.
    """
    view = view or _digit_view(_Text.nfkc(text))
    norm = view.text
    chosen: list[_Span] = [_Span("email", m.start(), m.end()) for m in _EMAIL.finditer(norm)]
    taken = chosen + [_Span("kept", m.start(), m.end())
                      for pattern in (_ORDER_NUMBER_MASK, _AMOUNT_MASK, _REFERENCE_MASK)
                      for m in pattern.finditer(norm)]
    candidates = sorted(_digit_candidates(norm, known),
                        key=lambda c: (not c[0], -c[1], _KIND_RANK[c[2].kind], c[2].start))
    for _, _, span in candidates:
        if any(t.start < span.end and span.start < t.end for t in taken):
            continue
        chosen.append(span)
        taken.append(span)
    details = _card_details(norm, [s for s in chosen if s.kind == "card"], taken)
    chosen += details
    taken += details
    for m in _BIRTH_KEYWORD_DATE.finditer(norm):
        group = 1 if m.group(1) else 2
        span = _Span("birth_date", m.start(group), m.end(group))
        if not any(t.start < span.end and span.start < t.end for t in taken):
            chosen.append(span)
    chosen.sort(key=lambda s: s.start)
    return [_Span(s.kind, *view.original(s.start, s.end)) for s in chosen]


class _Reply:
    """One text and its normalised copies, each made once however many families look at it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.nfkc = _Text.nfkc(text)
        self.digits = _digit_view(self.nfkc)


def mask_personal_data(text: str, index: PersonalDataIndex | None = None) -> str:
    """Masks what customers type, for logs, agents' transcripts and exported conversation logs.

    Only the personal data is replaced; everything else (order numbers such
    as MD26110220, amounts, dates, tracking and reference numbers, the
    customer's own wording and widths) stays as typed. Without an index only
    patterns are masked (phones, e-mails, cards, postal codes, My Numbers); with
    the shop's index also every known customer's name in any writing, address,
    birth date and an age or birthday written next to a name.
    """
    reply = _Reply(text)
    spans = _find_sensitive(text, index.tracking_digits if index is not None else frozenset(), reply.digits)
    if index is not None:
        spans = _merge(spans + index.masking_spans(reply))
    if not spans:
        return text
    out = []
    pos = 0
    for span in spans:
        out.append(text[pos:span.start])
        out.append(PLACEHOLDERS[span.kind])
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def _merge(spans: list[_Span]) -> list[_Span]:
    """Overlapping spans as one, named after the one that starts first (the longer one on a tie)."""
    merged: list[_Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = _Span(last.kind, last.start, max(last.end, span.end))
        else:
            merged.append(span)
    return merged


# ---------------------------------------------------------------------------
# The outbound guard
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PersonRecord:
    """What the guard knows about one customer; built from the shop database by the caller."""

    customer_id: int
    name: str              # family and given name separated by a space: "山田 花子"
    name_kana: str         # "ヤマダ ハナコ"
    birth_date: date
    phone: str             # "090-1234-5678"
    email: str
    postal_code: str       # "150-0001"
    address: str           # "東京都渋谷区神宮前1-2-3 メゾン青山201"
    order_numbers: tuple[str, ...] = ()     # "MD26110001"
    tracking_numbers: tuple[str, ...] = ()  # "4512-3456-7890"


@dataclass(frozen=True)
class Clearance:
    """What this conversation has proven, and so which of the verified customer's own data a reply may carry.

    Four phone digits prove the order: a reply may name that order's number
    and tracking number (its status and dates are not personal data at all),
    nothing else of the customer's, because whoever typed the digits may be a
    family member or a neighbour. The e-mailed code proves the person
    (``personal_data``): their name, address, phone, e-mail, birth date and
    other orders may then be said, by the bot or an agent. Everything of every
    other customer stays blocked at every level.
    """

    customer_id: int | None = None
    order_number: str | None = None
    tracking_number: str | None = None
    personal_data: bool = False

    @classmethod
    def order(cls, customer_id: int, order_number: str, tracking_number: str | None = None) -> Clearance:
        return cls(customer_id, order_number, tracking_number)

    @classmethod
    def person(cls, customer_id: int, order_number: str | None = None,
               tracking_number: str | None = None) -> Clearance:
        return cls(customer_id, order_number, tracking_number, personal_data=True)

    def permits(self, hit: _Hit) -> bool:
        """May this value of the verified customer appear at this level?"""
        if self.personal_data:
            return True
        kinds = hit.owners.get(self.customer_id, frozenset())
        if kinds == {"order_number"}:
            return self.order_number is not None and hit.value == "MD" + _only_digits(self.order_number)
        if kinds == {"tracking_number"}:
            return self.tracking_number is not None and hit.value == _only_digits(self.tracking_number)
        return False


NOBODY = Clearance()


@dataclass(frozen=True)
class GuardVerdict:
    """``kinds``: every kind of data that blocked the reply; ``unproven_kinds``: those of
    them that are the verified customer's own data, which this conversation's
    level does not allow (no other customer's data leaked for them)."""

    allowed: bool
    leaked_customer_ids: frozenset[int]
    kinds: frozenset[str]
    unproven_kinds: frozenset[str] = frozenset()


HONORIFICS = ("様", "さま", "さん", "氏", "殿", "君", "くん", "ちゃん")

# Everyday words that end like "<name part> + honorific" (皆さん, たくさん, 奥様).
# A name part + honorific inside one of them is not a name. Checked on the text
# before kana folding, so katakana タクさん is still caught while たくさん is not.
_HONORIFIC_WORDS = (
    "皆様", "皆さま", "皆さん", "みなさま", "みなさん", "たくさん", "沢山",
    "お客様", "お客さま", "お子様", "お子さま", "奥様", "奥さま", "奥さん", "おくさま", "おくさん",
    "神様", "かみさま", "王様", "殿様", "仏様", "お疲れ様", "おつかれさま", "ご苦労様", "ごくろうさま",
    "お陰様", "おかげさま", "ご馳走様", "ごちそうさま", "お互い様", "おたがいさま", "お世話様",
    "お父さん", "お母さん", "お兄さん", "お姉さん", "お爺さん", "お婆さん", "おじいさん", "おばあさん",
    "おとうさん", "おかあさん", "おにいさん", "おねえさん", "おじさん", "おばさん", "赤ちゃん", "あかちゃん",
)
_HONORIFIC_WORD = re.compile("|".join(map(re.escape, _HONORIFIC_WORDS)))

# Old and new forms of kanji common in names; folded both in the index and in replies.
_NAME_VARIANTS = {
    "髙": "高", "﨑": "崎", "嵜": "崎", "邊": "辺", "邉": "辺", "濵": "浜", "濱": "浜", "澤": "沢",
    "齋": "斎", "齊": "斎", "斉": "斎", "櫻": "桜", "國": "国", "廣": "広", "嶋": "島", "嶌": "島",
    "冨": "富", "眞": "真", "德": "徳", "惠": "恵", "綠": "緑", "瀨": "瀬", "龍": "竜", "藪": "薮",
}
_NAME_SEPARATORS = re.compile(rf"[\s・/.,_{re.escape(PLAIN_DASHES)}]+")
# Romaji words (Hanako, YAMADA, Shōji, Ohtsuka) are read as kana before names are compared.
_ROMAJI_WORD = re.compile(r"[A-Za-zĀāĪīŪūĒēŌōÂâÎîÛûÊêÔô]+")
_MACRONS = str.maketrans("ĀāĪīŪūĒēŌōÂâÎîÛûÊêÔô", "AaIiUuEeOoAaIiUuEeOo")
_ROMAJI_LONG_O = re.compile(r"oh(?![aiueoy])", re.IGNORECASE)
# Romaji mostly drops long vowels (ショウタ: Shota, Shōta; オオツカ: Otsuka): a romaji word is read
# without them, and every kana key is indexed without them too. Kana as typed is not folded:
# 「のオガタ様」 must keep the オ of オガタ.
_LONG_O = re.compile(r"([おこそとのほもよろごぞどぼぽょ])[うお]+")
_LONG_U = re.compile(r"([うくすつぬふむゆるぐずづぶぷゅ])う+")
_KANA_FOLD = {"ぢ": "じ", "づ": "ず", "を": "お"}
_DIGIT_SEPARATORS = rf"\s{re.escape(DASHES)}./()+・,_、の〜~"
_GUARD_RUN = re.compile(rf"[0-9](?:[{_DIGIT_SEPARATORS}]*[0-9])*")
_GUARD_ORDER = re.compile(
    rf"(?<![A-Za-z])[Mm][{_DIGIT_SEPARATORS}#:]*[Dd][{_DIGIT_SEPARATORS}#:]*"
    rf"((?:[0-9][{_DIGIT_SEPARATORS}]*){{7}}[0-9])(?![0-9])"
)
_GUARD_POSTAL = re.compile(
    r"(?:〒|郵便番号)\s*(?:[:：]|は)?\s*([0-9]{3})\s*-?\s*([0-9]{4})(?![0-9])"
    r"|(?<![0-9])(?<![0-9]-)([0-9]{3})\s*-\s*([0-9]{4})(?![0-9]|\s*-\s*[0-9])"
)
_WESTERN_DATE = re.compile(
    r"(?<![0-9])([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})(?![0-9])"
)
_ERA_START = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018,
              "M": 1867, "T": 1911, "S": 1925, "H": 1988, "R": 2018}
_ERA_DATE = re.compile(
    r"(明治|大正|昭和|平成|令和|(?<![A-Za-z])[MTSHRmtshr])\s*\.?\s*([0-9]{1,2}|元)\s*[-/.年]\s*"
    r"([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})(?![0-9])"
)
# An age, or a birthday without the year, next to a name tells two people of one surname apart.
_AGE = re.compile(r"(?<![0-9])(?:満\s*)?([0-9]{1,3}|[一二三四五六七八九十百]{1,5})\s*(?:歳|才|さい)")
_MONTH_DAY_BIRTH = re.compile(
    r"(?<![0-9年/.\-])([0-9]{1,2})\s*(?:月|/)\s*([0-9]{1,2})\s*日?\s*(?:生まれ|うまれ|生|が誕生日|のお?誕生日)"
    r"|(?:誕生日|生年月日)\s*(?:は|:|が)?\s*([0-9]{1,2})\s*(?:月|/)\s*([0-9]{1,2})(?![0-9/])\s*日?"
)
_NEXT_TO_NAME = 20        # original characters between a name and an age or birthday about it
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_PREFECTURE = re.compile(r"^(?:東京都|北海道|京都府|大阪府|.{2,3}県)")
_CITY_END = "都道府県市区郡町村"
_SPACES = re.compile(r"\s+")
_MAX_DIGIT_KEY = 22
# Card data in a reply is never anyone's to receive, whoever's it is.
_GUARDED_PATTERNS = frozenset({"card", "security_code", "card_expiry"})
_MASK_PRIORITY = ("name", "kana", "age", "birth_date", "phone", "email", "address", "postal_code")


def _to_hiragana(view: _Text) -> _Text:
    """Katakana folded to hiragana (bot.kana.fold_kana), character for character, offsets kept."""
    folded = fold_kana(view.text)
    return view.replace_chars({k: c for k, c in enumerate(folded) if c != view.text[k]})


def _without_long_vowels(kana: str) -> str:
    return _LONG_U.sub(r"\1", _LONG_O.sub(r"\1", kana))


def _romaji_as_kana(m: re.Match) -> str:
    word = _ROMAJI_LONG_O.sub("o", m.group(0).translate(_MACRONS))
    kana = romaji_to_katakana(word)
    if kana is None:
        return m.group(0)
    return _without_long_vowels(fold_kana(kana))


def _name_view(view: _Text) -> _Text:
    """The form names are compared in: 山田 花子, ﾔﾏﾀﾞ ﾊﾅｺ, やまだはなこ, Yamada Hanako, YAMADA-san all collapse.

    NFKC, e-mail addresses blanked (they are the e-mail family's), romaji
    read as kana without long vowels (Shōta, Shouta, Shota: しょた), old kanji
    forms folded, separators removed, kana as hiragana.
    """
    view = view.sub(_EMAIL, lambda m: "\ufffc")
    view = view.sub(_ROMAJI_WORD, _romaji_as_kana)
    view = view.replace_chars({k: _NAME_VARIANTS[c] for k, c in enumerate(view.text) if c in _NAME_VARIANTS})
    view = _compose(view.sub(_NAME_SEPARATORS, ""))
    view = _to_hiragana(view)
    return view.replace_chars({k: _KANA_FOLD[c] for k, c in enumerate(view.text) if c in _KANA_FOLD})


def _name_canon(text: str) -> str:
    return _name_view(_Text.nfkc(text)).text


_ADDRESS_KANJI_NUMBER = re.compile(r"([〇一二三四五六七八九十百]+)(?=丁目|番地?|号)")
# 2丁目 2番 2番地 2番地の -> 2-, 3号 -> 3, 1の2 -> 1-2; then one dash, and none that ends a number.
_ADDRESS_BLOCK = re.compile(r"([0-9]+)(?:丁目の?|番地?の?)|([0-9]+)号|(?<=[0-9])の(?=[0-9])")
_ADDRESS_DASHES = re.compile(r"-+")


def _address_view(view: _Text) -> _Text:
    """Addresses without spaces, with one dash, and 1丁目2番3号 / 一丁目二番三号 / 1の2の3 written as 1-2-3."""
    view = view.sub(_SPACES, "")
    t = view.text
    view = view.replace_chars({
        k: "-" for k, c in enumerate(t)
        if c in PLAIN_DASHES or (c in LONG_VOWELS and _digit_beside(t, k, -1) and _digit_beside(t, k, 1))
    })
    view = view.sub(_ADDRESS_KANJI_NUMBER, lambda m: str(kanji_or_digits_to_int(m.group(1)) or m.group(1)))
    view = view.sub(_ADDRESS_BLOCK, lambda m: m.group(2) or (m.group(1) or "") + "-")
    t = view.text
    return view.sub(_ADDRESS_DASHES, lambda m: "-" if t[m.end():m.end() + 1].isdigit() else "")


def _address_canon(text: str) -> str:
    return _address_view(_Text.nfkc(text)).text


_EMAIL_AT_WORDS = re.compile(
    r"[\[(<{]\s*(?:at|アット|あっと)\s*[\])>}]|アットマーク|アット|あっとまーく|あっと|(?<=[a-z0-9])\s+at\s+(?=[a-z0-9])")
_EMAIL_DOT_WORDS = re.compile(
    r"[\[(<{]\s*(?:dot|ドット|どっと)\s*[\])>}]|ドット|どっと|(?<=[a-z0-9])\s+dot\s+(?=[a-z0-9])")


def _email_view(view: _Text) -> _Text:
    """Lower case, without spaces, with [at] / (at) / アット as @ and dot / ドット as '.'."""
    view = view.replace_chars({k: c.lower() for k, c in enumerate(view.text) if "A" <= c <= "Z"})
    return view.sub(_EMAIL_AT_WORDS, "@").sub(_EMAIL_DOT_WORDS, ".").sub(_SPACES, "")


def _email_canon(text: str) -> str:
    return _email_view(_Text.nfkc(text)).text


def _only_digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", text))


def _age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class _Hit:
    """One value found in a reply: its family, where (in the ORIGINAL text), whose it is, and the value.

    ``core_end`` is where a name ends without its honorific (masking keeps 様).
    """

    family: str
    start: int
    end: int
    owners: Mapping[int, frozenset[str]]
    value: str = ""
    core_end: int | None = None


class _Owners:
    """value -> {customer_id: kinds}, so a value shared by several customers is one entry."""

    def __init__(self) -> None:
        self._by_value: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))

    def add(self, value: str, customer_id: int, kind: str) -> None:
        self._by_value[value][customer_id].add(kind)

    def freeze(self) -> dict[str, Mapping[int, frozenset[str]]]:
        return {v: {cid: frozenset(k) for cid, k in owners.items()} for v, owners in self._by_value.items()}


class _SubstringIndex:
    """Finds any of many keys inside a text: keys bucketed by their first characters."""

    def __init__(self, owners: _Owners, prefix: int, digit_boundary: bool = False) -> None:
        self._prefix = prefix
        self._digit_boundary = digit_boundary
        self._buckets: dict[str, list[tuple[str, Mapping[int, frozenset[str]]]]] = defaultdict(list)
        for key, who in owners.freeze().items():
            if len(key) >= prefix:
                self._buckets[key[:prefix]].append((key, who))

    def find(self, text: str) -> Iterable[tuple[int, int, str, Mapping[int, frozenset[str]]]]:
        for i in range(len(text) - self._prefix + 1):
            for key, who in self._buckets.get(text[i:i + self._prefix], ()):
                if not text.startswith(key, i):
                    continue
                end = i + len(key)
                if self._digit_boundary and key[-1].isdigit() and text[end:end + 1].isdigit():
                    continue       # 神宮前1-2-3 is not 神宮前1-2-30
                yield i, end, key, who


class PersonalDataIndex:
    """Every customer's identifying values, indexed once, looked up per reply.

    Digit-based kinds (phone, tracking, order number, postal code, birth date)
    are dictionary lookups of candidates extracted from the reply; names,
    addresses and e-mails are found by bucketed substring search. Ages are
    computed on ``today`` (the caller rebuilds the index often enough).
    """

    def __init__(self, people: Iterable[PersonRecord], today: date | None = None) -> None:
        today = today or date.today()
        names, addresses, emails = _Owners(), _Owners(), _Owners()
        digits, orders, postal, births = _Owners(), _Owners(), _Owners(), _Owners()
        self._ages: dict[int, int] = {}
        self._birthdays: dict[int, tuple[int, int]] = {}
        tracking_digits = set()
        for p in people:
            cid = p.customer_id
            for key, kind in _name_keys(p.name, p.name_kana).items():
                names.add(key, cid, kind)
            for key in _address_keys(p.address):
                addresses.add(key, cid, "address")
            if "@" in p.email:
                emails.add(_email_canon(p.email), cid, "email")
            phone = _only_digits(p.phone)
            if len(phone) >= 6:
                digits.add(phone, cid, "phone")
                if phone.startswith("0"):
                    digits.add("81" + phone[1:], cid, "phone")
                    digits.add("810" + phone[1:], cid, "phone")
            for tracking in p.tracking_numbers:
                t = _only_digits(tracking)
                if len(t) >= 6:
                    digits.add(t, cid, "tracking_number")
                    tracking_digits.add(t)
            for order in p.order_numbers:
                o = _only_digits(order)
                if o:
                    orders.add("MD" + o, cid, "order_number")
            code = _only_digits(p.postal_code)
            if len(code) == 7:
                postal.add(code, cid, "postal_code")
            births.add(p.birth_date.isoformat(), cid, "birth_date")
            self._ages[cid] = _age_on(p.birth_date, today)
            self._birthdays[cid] = (p.birth_date.month, p.birth_date.day)
        self.tracking_digits = frozenset(tracking_digits)
        self._names = _SubstringIndex(names, prefix=2)
        self._addresses = _SubstringIndex(addresses, prefix=4, digit_boundary=True)
        self._emails = _SubstringIndex(emails, prefix=3)
        self._digits = digits.freeze()
        self._orders = orders.freeze()
        self._postal = postal.freeze()
        self._births = births.freeze()

    def owners_in(self, text: str) -> dict[int, frozenset[str]]:
        """customer_id -> kinds of their data found in text ("name", "kana", "phone", "email", "postal_code",
        "address", "birth_date", "age", "order_number", "tracking_number")."""
        found: dict[int, set[str]] = defaultdict(set)
        for hit in self._hits(_Reply(text)):
            for cid, kinds in hit.owners.items():
                found[cid] |= kinds
        return {cid: frozenset(kinds) for cid, kinds in found.items()}

    def masking_spans(self, reply: _Reply) -> list[_Span]:
        """Where known customers' personal data is in a text (not order or tracking numbers), for masking."""
        spans = []
        for hit in self._hits(reply):
            kinds = set().union(*hit.owners.values()) - _NOT_MASKED
            if kinds:
                kind = next(k for k in _MASK_PRIORITY if k in kinds)
                end = hit.core_end if hit.core_end is not None else hit.end
                spans.append(_Span(kind, hit.start, end))
        return spans

    # -- matching ----------------------------------------------------------

    def _hits(self, reply: _Reply) -> list[_Hit]:
        names = self._name_hits(reply.nfkc)
        return (names + self._address_hits(reply.nfkc) + self._email_hits(reply.nfkc)
                + self._digit_hits(reply.digits) + self._age_hits(reply.text, reply.digits, names))

    def _name_hits(self, plain: _Text) -> list[_Hit]:
        view = _name_view(plain)
        common = [plain.original(m.start(), m.end()) for m in _HONORIFIC_WORD.finditer(plain.text)]
        hits = []
        for start, end, key, who in self._names.find(view.text):
            s, e = view.original(start, end)
            honorific = next((h for h in HONORIFICS if key.endswith(h)), None)
            if honorific and any(cs <= s and e <= ce for cs, ce in common):
                continue
            core_end = view.ends[end - len(honorific) - 1] if honorific else None
            hits.append(_Hit("name", s, e, who, key, core_end))
        return hits

    def _address_hits(self, plain: _Text) -> list[_Hit]:
        view = _address_view(plain)
        return [_Hit("address", *view.original(s, e), who, key) for s, e, key, who in self._addresses.find(view.text)]

    def _email_hits(self, plain: _Text) -> list[_Hit]:
        view = _email_view(plain)
        return [_Hit("email", *view.original(s, e), who, key) for s, e, key, who in self._emails.find(view.text)]

    def _digit_hits(self, view: _Text) -> list[_Hit]:
        norm = view.text
        hits = []

        def add(start: int, end: int, value: str, who: Mapping[int, frozenset[str]] | None) -> None:
            if who:
                hits.append(_Hit("digits", *view.original(start, end), who, value))

        for run in _GUARD_RUN.finditer(norm):
            groups = [(run.start() + g.start(), run.start() + g.end()) for g in _GROUP.finditer(run.group(0))]
            for i in range(len(groups)):
                value = ""
                for j in range(i, len(groups)):
                    value += norm[groups[j][0]:groups[j][1]]
                    if len(value) > _MAX_DIGIT_KEY:
                        break
                    add(groups[i][0], groups[j][1], value, self._digits.get(value))
        for m in _GUARD_ORDER.finditer(norm):
            value = "MD" + re.sub(r"[^0-9]", "", m.group(1))
            add(m.start(), m.end(), value, self._orders.get(value))
        for m in _GUARD_POSTAL.finditer(norm):
            code = "".join(g for g in m.groups() if g)
            add(m.start(), m.end(), code, self._postal.get(code))
        for m in _WESTERN_DATE.finditer(norm):
            value = _iso_date(int(m.group(1)), m.group(2), m.group(3))
            add(m.start(), m.end(), value, self._births.get(value))
        for m in _ERA_DATE.finditer(norm):
            era = m.group(1).upper() if len(m.group(1)) == 1 else m.group(1)
            year = 1 if m.group(2) == "元" else int(m.group(2))
            value = _iso_date(_ERA_START[era] + year, m.group(3), m.group(4))
            add(m.start(), m.end(), value, self._births.get(value))
        return hits

    def _age_hits(self, text: str, view: _Text, names: list[_Hit]) -> list[_Hit]:
        """An age or a birthday without the year next to a name: whose it is among that name's owners.

        「山田様（74歳）」: 山田様 belongs to both 山田 households; the age says
        which. When the age fits none of them it is about all of them.
        """
        if not names:
            return []
        mentions: list[tuple[int, int, str, Callable[[int], bool]]] = []
        for m in _AGE.finditer(view.text):
            age = kanji_or_digits_to_int(m.group(1))
            if age is not None:
                mentions.append((*view.original(m.start(), m.end()), "age",
                                 lambda cid, age=age: self._ages.get(cid) == age))
        for m in _MONTH_DAY_BIRTH.finditer(view.text):
            month, day = (int(g) for g in (m.group(1, 2) if m.group(1) else m.group(3, 4)))
            mentions.append((*view.original(m.start(), m.end()), "birth_date",
                             lambda cid, md=(month, day): self._birthdays.get(cid) == md))
        hits = []
        for start, end, kind, fits in mentions:
            for name in names:
                gap = (name.start, start) if name.end <= start else (end, name.start) if end <= name.start else None
                if gap is not None and (gap[1] - gap[0] > _NEXT_TO_NAME or _SENTENCE_END.search(text, *gap)):
                    continue
                whose = [cid for cid in name.owners if fits(cid)] or list(name.owners)
                hits.append(_Hit("age", start, end, {cid: frozenset({kind}) for cid in whose}))
        return hits


def _iso_date(year: int, month: str, day: str) -> str:
    try:
        return date(year, int(month), int(day)).isoformat()
    except ValueError:
        return ""


def _name_keys(name: str, name_kana: str) -> dict[str, str]:
    """Every way the name is written, as key -> kind ("name" or "kana").

    The whole name in kanji, in kana and half and half (山田はなこ, やまだ花子),
    each in either order (Hanako Yamada); each part alone only with an
    honorific (中村区 is a place, 佐藤 is sugar). Kana keys come also without
    long vowels, the way romaji reads back (オオツカ: Otsuka, おつか).
    """
    keys: dict[str, str] = {}
    parts, kana = name.split(), name_kana.split()
    if len(parts) == 2 and len(kana) == 2:
        # Canonical forms are made character by character, so the parts' forms can be joined.
        family, given, kana_family, kana_given = (_name_canon(p) for p in parts + kana)
        wholes = [(family, given, "name"), (kana_family, kana_given, "kana"),
                  (family, kana_given, "name"), (kana_family, given, "name")]
        short = {p: _without_long_vowels(p) for p in (family, given, kana_family, kana_given)}
        for first, second, kind in wholes:
            for a, b in ((first, second), (second, first)):
                for key in (a + b, short[a] + short[b]):
                    if len(key) >= 2:
                        keys.setdefault(key, kind)
        for part, kind in ((family, "name"), (given, "name"), (kana_family, "kana"), (kana_given, "kana")):
            for h in _HONORIFIC_CANON:
                keys.setdefault(part + h, kind)
                keys.setdefault(short[part] + h, kind)
    else:
        for field, kind in ((name, "name"), (name_kana, "kana")):
            key = _name_canon(field)
            if len(key) >= 2:
                keys.setdefault(key, kind)
    return keys



_HONORIFIC_CANON = tuple(_name_canon(h) for h in HONORIFICS)


def _address_keys(address: str) -> set[str]:
    """The whole address and the address without building and room, each also without the
    prefecture, and from the town on (神宮前1-2-3, 一の宮町宮地1890-4, 宮地1890-4)."""
    full = _address_canon(address)
    if not full:
        return set()
    keys = {full}
    base = None
    tokens = address.split()
    for i, token in enumerate(tokens[:-1]):
        if re.search(r"[0-9]$", _address_canon(token)):
            base = _address_canon("".join(tokens[:i + 1]))
            break
    if base is None:
        m = re.match(r".*?[0-9]+(?:-[0-9]+)+", full)
        if m and m.end() < len(full):
            base = m.group(0)
    if base:
        keys.add(base)
    for key in list(keys):
        m = _PREFECTURE.match(key)
        if m:
            keys.add(key[m.end():])
    for key in list(keys):
        first_digit = re.search(r"[0-9]", key)
        if first_digit is None:
            continue
        for k in range(first_digit.start()):
            if key[k] in _CITY_END and first_digit.start() > k + 1:
                keys.add(key[k + 1:])
    return {k for k in keys if len(k) >= 6}


def screen_reply(text: str, index: PersonalDataIndex, clearance: Clearance) -> GuardVerdict:
    """Allowed unless the reply carries data of any customer other than the verified one, card
    data, or the verified customer's own data that the conversation's ``clearance`` does not cover.

    A value the verified customer also owns (shared address, household phone,
    surname of a parent) is theirs, and so is anything found inside one of the
    verified customer's own values (田中美由 inside 田中美由紀).
    """
    me = clearance.customer_id
    reply = _Reply(text)
    hits = index._hits(reply)
    own = [h for h in hits if me in h.owners and clearance.permits(h)]
    own_ids = {id(h) for h in own}
    leaked: set[int] = set()
    kinds: set[str] = set()
    unproven: set[str] = set()
    for hit in hits:
        if id(hit) in own_ids:
            continue
        if any(o.family == hit.family and o.start <= hit.start and hit.end <= o.end for o in own):
            continue
        if me is not None and me in hit.owners:
            unproven |= hit.owners[me]
            continue
        for cid, k in hit.owners.items():
            leaked.add(cid)
            kinds |= k
    card = {s.kind for s in _find_sensitive(text, index.tracking_digits, reply.digits)} & _GUARDED_PATTERNS
    kinds |= unproven | card
    return GuardVerdict(not kinds, frozenset(leaked), frozenset(kinds), frozenset(unproven))


def mask_name(name: str) -> str:
    """「山田 花子」→「山＊ 花＊」: enough for an agent to tell rows apart, not enough to read a name out."""
    parts = [p for p in name.replace("\u3000", " ").split(" ") if p]
    return " ".join(p[0] + "＊" * max(len(p) - 1, 1) for p in parts) or "＊"
