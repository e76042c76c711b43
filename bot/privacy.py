"""Personal data: masking what customers type, and guarding what the bot says.

A real case in Japanese mail order: two households at one address, and an
operator told one customer the neighbour's full name and age. This module is
the ONLY place that decides what counts as personal data:

* ``mask_personal_data`` hides phone numbers, e-mail addresses, postal codes,
  card numbers and My Numbers in what customers type, before it reaches logs
  and agents' transcripts. It matches on a normalised copy (NFKC, one dash) but
  replaces spans of the ORIGINAL text, so the rest stays exactly as typed.
* ``PersonalDataIndex`` + ``screen_reply`` is the outbound guard: every reply
  is checked before it leaves, and a reply carrying any data of a customer
  other than the one verified in this conversation is blocked. A value the
  verified customer shares with someone else (same address, same household
  phone, same surname) is the verified customer's own and does not block.

The guard errs on the side of blocking: it must not miss a leak because the
reply wrote digits full-width, put spaces or dashes in odd places, or wrote a
name in hiragana instead of katakana.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping

from bot.text import kanji_or_digits_to_int

__all__ = [
    "GuardVerdict",
    "PersonRecord",
    "PersonalDataIndex",
    "mask_personal_data",
    "screen_reply",
]

PLACEHOLDERS = {
    "email": "[メールアドレス]",
    "card": "[カード番号]",
    "my_number": "[マイナンバー]",
    "phone": "[電話番号]",
    "postal_code": "[郵便番号]",
}

# Every dash customers (and IMEs) put between digits. ー (long vowel) is only a
# dash between digits; inside katakana words it is part of the word.
_DASHES = "\u002d\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d\u2500\u2501\u30fc\uff70"
_LONG_VOWELS = "\u30fc\uff70"
_PLAIN_DASHES = "".join(c for c in _DASHES if c not in _LONG_VOWELS)


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
# Masking
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Span:
    kind: str
    start: int
    end: int


def _normalise_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """NFKC and dash unification, character by character, with each character's span in the original.

    Per-character NFKC is enough here: masking only looks at digits, ASCII
    letters and a few symbols, none of which compose with their neighbours.
    """
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            chars.append(c)
            starts.append(i)
            ends.append(i + 1)
    for k, c in enumerate(chars):
        if c in _PLAIN_DASHES:
            chars[k] = "-"
        elif c in _LONG_VOWELS and _digit_beside(chars, k, -1) and _digit_beside(chars, k, 1):
            chars[k] = "-"
    return "".join(chars), starts, ends


def _digit_beside(chars: list[str], k: int, step: int) -> bool:
    """Is the nearest non-space character in direction step an ASCII digit?"""
    k += step
    while 0 <= k < len(chars) and chars[k].isspace():
        k += step
    return 0 <= k < len(chars) and "0" <= chars[k] <= "9"


_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_ORDER_NUMBER_MASK = re.compile(r"(?<![A-Za-z0-9])[Mm][Dd][\s#:\-]{0,3}(?:[0-9][\s\-]?){7}[0-9](?![0-9])")
# Digit groups with at most three separator characters between them: 090 - 1234 - 5678, (03)1234-5678.
_MASK_RUN = re.compile(r"[0-9]+(?:[\s\-().]{1,3}[0-9]+)*")
_GROUP = re.compile(r"[0-9]+")
_POSTAL_CONTEXT = re.compile(r"(?:〒|郵便番号)\s*(?:[:：]|は)?\s*$")
_PLUS_BEFORE = re.compile(r"\+\s*$")
_MAX_WINDOW_DIGITS = 19
_KIND_RANK = {"email": 0, "card": 1, "my_number": 2, "phone": 3, "postal_code": 4}


def _digit_candidates(norm: str) -> list[tuple[bool, int, _Span]]:
    """Every window of consecutive digit groups that is a card, My Number, phone or postal code.

    Windows start and end at group boundaries, so 090-1234-5678 03-1234-5678
    on one line gives two phones, not one 21-digit run. A window is "natural"
    when it does not cut the run at the same kind of separator it uses inside
    (4111-1111-1111|-1112 is not natural), which decides between overlapping windows.
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
                if 13 <= n <= _MAX_WINDOW_DIGITS and _luhn_ok(digits):
                    found.append((natural, n, _Span("card", first_start, end)))
                if n == 12 and _my_number_ok(digits):
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


def _find_sensitive(text: str) -> list[_Span]:
    """Spans of personal data in the ORIGINAL text, non-overlapping, in order.

    Overlapping detections are settled greedily: natural windows first, then
    longer ones, then by kind. Every detection either wins or overlaps a
    winner, so no complete card, My Number or phone number survives masking.
    """
    norm, starts, ends = _normalise_with_offsets(text)
    protected = [(m.start(), m.end()) for m in _ORDER_NUMBER_MASK.finditer(norm)]
    chosen: list[_Span] = [_Span("email", m.start(), m.end()) for m in _EMAIL.finditer(norm)]
    taken = chosen + [_Span("order_number", s, e) for s, e in protected]
    candidates = sorted(_digit_candidates(norm), key=lambda c: (not c[0], -c[1], _KIND_RANK[c[2].kind], c[2].start))
    for _, _, span in candidates:
        if any(t.start < span.end and span.start < t.end for t in taken):
            continue
        chosen.append(span)
        taken.append(span)
    chosen.sort(key=lambda s: s.start)
    return [_Span(s.kind, starts[s.start], ends[s.end - 1]) for s in chosen]


def mask_personal_data(text: str) -> str:
    """Masks what customers type, for logs and agents' transcripts.

    Only the personal data is replaced; everything else (order numbers such
    as MD26110220, amounts, the customer's own wording and widths) stays as typed.
    """
    spans = _find_sensitive(text)
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
class GuardVerdict:
    allowed: bool
    leaked_customer_ids: frozenset[int]
    kinds: frozenset[str]


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

# Old and new forms of kanji common in names; folded both in the index and in replies.
_NAME_VARIANTS = str.maketrans({
    "髙": "高", "﨑": "崎", "嵜": "崎", "邊": "辺", "邉": "辺", "濵": "浜", "濱": "浜", "澤": "沢",
    "齋": "斎", "齊": "斎", "斉": "斎", "櫻": "桜", "國": "国", "廣": "広", "嶋": "島", "嶌": "島",
    "冨": "富", "眞": "真", "德": "徳", "惠": "恵", "綠": "緑", "瀨": "瀬", "龍": "竜", "藪": "薮",
})
_NAME_SEPARATORS = re.compile(rf"[\s・/.,_{re.escape(_PLAIN_DASHES)}]")
_DIGIT_SEPARATORS = rf"\s{re.escape(_DASHES)}./()+・,_"
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
_PREFECTURE = re.compile(r"^(?:東京都|北海道|京都府|大阪府|.{2,3}県)")
_MAX_DIGIT_KEY = 22


def _to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def _name_surface(text: str) -> str:
    """NFKC, old kanji forms folded, separators removed; kana still as written."""
    text = unicodedata.normalize("NFKC", text).translate(_NAME_VARIANTS)
    # Compose again: ﾀ ﾞ with a separator between leaves a lone combining mark.
    return unicodedata.normalize("NFC", _NAME_SEPARATORS.sub("", text))


def _name_canon(text: str) -> str:
    """The form names are compared in: 山田 花子, 山田　花子, ﾔﾏﾀﾞ ﾊﾅｺ, やまだはなこ all collapse."""
    return _to_hiragana(_name_surface(text))


def _digits_text(text: str) -> str:
    """NFKC with every dash as '-', same length as the NFKC text so all digit kinds share positions."""
    text = unicodedata.normalize("NFKC", text)
    return "".join("-" if c in _DASHES else c for c in text)


def _address_canon(text: str) -> str:
    """Addresses without spaces, with one dash, and 1丁目2番3号 written as 1-2-3."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    chars = list(text)
    for k, c in enumerate(chars):
        if c in _PLAIN_DASHES or (c in _LONG_VOWELS and _digit_beside(chars, k, -1) and _digit_beside(chars, k, 1)):
            chars[k] = "-"
    text = "".join(chars)
    text = re.sub(r"([〇一二三四五六七八九十]+)丁目",
                  lambda m: f"{kanji_or_digits_to_int(m.group(1)) or m.group(1)}丁目", text)
    text = re.sub(r"([0-9]+)丁目", r"\1-", text)
    text = re.sub(r"([0-9]+)番地?", r"\1-", text)
    text = re.sub(r"([0-9]+)号", r"\1", text)
    text = re.sub(r"-+", "-", text)
    return re.sub(r"-(?![0-9])", "", text)


def _email_canon(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _only_digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class _Hit:
    """One value found in a reply: where (in its family's canonical text) and whose it is."""

    family: str
    start: int
    end: int
    owners: Mapping[int, frozenset[str]]


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
    addresses and e-mails are found by bucketed substring search.
    """

    def __init__(self, people: Iterable[PersonRecord]) -> None:
        names, addresses, emails = _Owners(), _Owners(), _Owners()
        digits, orders, postal, births = _Owners(), _Owners(), _Owners(), _Owners()
        for p in people:
            cid = p.customer_id
            for field, kind in ((p.name, "name"), (p.name_kana, "kana")):
                for key in _name_keys(field):
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
            for order in p.order_numbers:
                o = _only_digits(order)
                if o:
                    orders.add("MD" + o, cid, "order_number")
            code = _only_digits(p.postal_code)
            if len(code) == 7:
                postal.add(code, cid, "postal_code")
            births.add(p.birth_date.isoformat(), cid, "birth_date")
        self._names = _SubstringIndex(names, prefix=2)
        self._addresses = _SubstringIndex(addresses, prefix=4, digit_boundary=True)
        self._emails = _SubstringIndex(emails, prefix=3)
        self._digits = digits.freeze()
        self._orders = orders.freeze()
        self._postal = postal.freeze()
        self._births = births.freeze()

    def owners_in(self, text: str) -> dict[int, frozenset[str]]:
        """customer_id -> kinds of their data found in text ("name", "kana", "phone", "email", "postal_code", "address", "birth_date", "order_number", "tracking_number")."""
        found: dict[int, set[str]] = defaultdict(set)
        for hit in self._hits(text):
            for cid, kinds in hit.owners.items():
                found[cid] |= kinds
        return {cid: frozenset(kinds) for cid, kinds in found.items()}

    # -- matching ----------------------------------------------------------

    def _hits(self, text: str) -> list[_Hit]:
        return self._name_hits(text) + self._address_hits(text) + self._email_hits(text) + self._digit_hits(text)

    def _name_hits(self, text: str) -> list[_Hit]:
        surface = _name_surface(text)
        canon = _to_hiragana(surface)
        common = [(m.start(), m.end()) for word in _HONORIFIC_WORDS for m in re.finditer(re.escape(word), surface)]
        hits = []
        for start, end, key, who in self._names.find(canon):
            if key.endswith(HONORIFICS) and any(s <= start and end <= e for s, e in common):
                continue
            hits.append(_Hit("name", start, end, who))
        return hits

    def _address_hits(self, text: str) -> list[_Hit]:
        return [_Hit("address", s, e, who) for s, e, _, who in self._addresses.find(_address_canon(text))]

    def _email_hits(self, text: str) -> list[_Hit]:
        return [_Hit("email", s, e, who) for s, e, _, who in self._emails.find(_email_canon(text))]

    def _digit_hits(self, text: str) -> list[_Hit]:
        norm = _digits_text(text)
        hits = []
        for run in _GUARD_RUN.finditer(norm):
            groups = [(run.start() + g.start(), run.start() + g.end()) for g in _GROUP.finditer(run.group(0))]
            for i in range(len(groups)):
                value = ""
                for j in range(i, len(groups)):
                    value += norm[groups[j][0]:groups[j][1]]
                    if len(value) > _MAX_DIGIT_KEY:
                        break
                    who = self._digits.get(value)
                    if who:
                        hits.append(_Hit("digits", groups[i][0], groups[j][1], who))
        for m in _GUARD_ORDER.finditer(norm):
            who = self._orders.get("MD" + re.sub(r"[^0-9]", "", m.group(1)))
            if who:
                hits.append(_Hit("digits", m.start(), m.end(), who))
        for m in _GUARD_POSTAL.finditer(norm):
            code = "".join(g for g in m.groups() if g)
            who = self._postal.get(code)
            if who:
                hits.append(_Hit("digits", m.start(), m.end(), who))
        for m in _WESTERN_DATE.finditer(norm):
            self._add_date(hits, m, int(m.group(1)), m.group(2), m.group(3))
        for m in _ERA_DATE.finditer(norm):
            era = m.group(1).upper() if len(m.group(1)) == 1 else m.group(1)
            year = 1 if m.group(2) == "元" else int(m.group(2))
            self._add_date(hits, m, _ERA_START[era] + year, m.group(3), m.group(4))
        return hits

    def _add_date(self, hits: list[_Hit], m: re.Match, year: int, month: str, day: str) -> None:
        try:
            value = date(year, int(month), int(day)).isoformat()
        except ValueError:
            return
        who = self._births.get(value)
        if who:
            hits.append(_Hit("digits", m.start(), m.end(), who))


def _name_keys(name: str) -> set[str]:
    """The whole name without spaces, and each part alone only with an honorific (中村区 is a place)."""
    keys = set()
    whole = _name_canon(name)
    if len(whole) >= 2:
        keys.add(whole)
    parts = [_name_canon(p) for p in name.split()]
    if len(parts) >= 2:
        for part in parts:
            if part:
                keys.update(part + h for h in HONORIFICS)
    return keys


def _address_keys(address: str) -> set[str]:
    """The whole address and the address without building and room, each also without the prefecture."""
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
    return {k for k in keys if len(k) >= 6}


def screen_reply(text: str, index: PersonalDataIndex, verified_customer_id: int | None) -> GuardVerdict:
    """Allowed unless the reply carries data of any customer other than the verified one.

    A value the verified customer also owns (shared address, household phone,
    surname of a parent) is theirs, and so is anything found inside one of the
    verified customer's own values (田中美由 inside 田中美由紀).
    """
    hits = index._hits(text)
    own = [h for h in hits if verified_customer_id is not None and verified_customer_id in h.owners]
    leaked: set[int] = set()
    kinds: set[str] = set()
    for hit in hits:
        if verified_customer_id is not None and verified_customer_id in hit.owners:
            continue
        if any(o.family == hit.family and o.start <= hit.start and hit.end <= o.end for o in own):
            continue
        for cid, k in hit.owners.items():
            leaked.add(cid)
            kinds |= k
    return GuardVerdict(not leaked, frozenset(leaked), frozenset(kinds))


def mask_name(name: str) -> str:
    """「山田 花子」→「山＊ 花＊」: enough for an agent to tell rows apart, not enough to read a name out."""
    parts = [p for p in name.replace("\u3000", " ").split(" ") if p]
    return " ".join(p[0] + "＊" * max(len(p) - 1, 1) for p in parts) or "＊"
