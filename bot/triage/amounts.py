"""Demanded amounts: is the sum a customer asks for out of proportion to the order?

A refund up to the order's value is an ordinary request (a 15万円 laptop that
arrived broken); compensation words and demand verbs only escalate when the
demanded amount is far beyond it. Prices the customer mentions (15万円のPC)
stand in for the order value when the verified order is not known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text import find_amounts, kanji_or_digits_to_int
from bot.triage.guards import SENTENCE_END, sentence_around

# A demanded amount is out of proportion when it exceeds this many times the order value…
EXCESSIVE_RATIO = 2
# …or, when the order value is unknown, when it is at least this much (yen).
UNKNOWN_ORDER_LIMIT = 30_000
# Amount checks. COMPENSATION: an amount beyond EXCESSIVE_RATIO × the order value,
# or ≥ UNKNOWN_ORDER_LIMIT when the order value is unknown. REFUND: only beyond
# EXCESSIVE_RATIO × the order value, and only when the order value is known
# (given, or a price the customer mentions): "15万円返して" alone is a refund.
COMPENSATION = "compensation"
REFUND = "refund"

# "10万" without 円 is money unless a counter follows (10万人, 10万回, 10万ポイント).
_MAN_WITHOUT_YEN = re.compile(
    r"(?<![0-9.,〇一二三四五六七八九十百千])([0-9][0-9,]*(?:\.[0-9]+)?|[〇一二三四五六七八九十百千]+)\s*万"
    r"(?!円|えん|人|件|回|個|部|本|台|枚|点|再生|いいね|フォロワー|ポイント|pt|歩|km|キロ|時間|分|秒|年|か月|ヶ月|日|倍)")
# "15万円のノートパソコン", "3,980円で買った": a price, not a demand.
_PRICE_AFTER = re.compile(
    r"\s*(?:の|も|で|もする|もした)?\s*(?:商品|品物|もの|物|ノート|パソコン|PC|パソ|テレビ|冷蔵庫|洗濯機|カメラ|スマホ|"
    r"時計|バッグ|靴|服|家電|注文|買い物|荷物|セット|ソファ|ベッド|椅子|机)|"
    r"\s*(?:で|も|を)?\s*(?:買|購入|かった|払った|支払った|した|もした|のを|分の注文|の買い物|送料)")
_DEMAND_NOUN_AFTER = re.compile(
    r"\s*(?:の|分の|相当の)?\s*(?:商品券|ギフト|クオカード|QUOカード|ポイント|クーポン|補償|賠償|慰謝料|迷惑料|現金)")


@dataclass(frozen=True)
class Amount:
    value: int
    start: int
    end: int
    text: str


def amounts_in(text: str) -> list[Amount]:
    found = [Amount(int(f.value), f.start, f.end, f.text) for f in find_amounts(text)]
    for m in _MAN_WITHOUT_YEN.finditer(text):
        if any(a.start <= m.start() < a.end for a in found):
            continue
        value = kanji_or_digits_to_int(m.group(0).replace(" ", ""))
        if value:
            found.append(Amount(value, m.start(), m.end(), m.group(0)))
    return sorted(found, key=lambda a: a.start)


def _is_price(text: str, amount: Amount) -> bool:
    after = text[amount.end:amount.end + 12]
    if _DEMAND_NOUN_AFTER.match(after):
        return False
    return bool(_PRICE_AFTER.match(after))


def _order_value(text: str, amounts: list[Amount], order_total: int | None) -> int | None:
    """The order value: as given, else the largest price the customer mentions (15万円のPC)."""
    if order_total:
        return order_total
    prices = [a.value for a in amounts if _is_price(text, a)]
    return max(prices) if prices else None


# "5万円です", "合計で10万円。": a sentence this short after the demand only names its sum.
_SHORT_AMOUNT_SENTENCE = 12


def excessive_amount(text: str, match: re.Match, order_total: int | None, kind: str) -> Amount | None:
    """The demanded amount in the match's sentence that is out of proportion, if any.

    A short sentence right after it that only states the sum ("賠償してもらう。5万円です")
    counts as part of it.
    """
    amounts = amounts_in(text)
    s_start, s_end = sentence_around(text, match.start(), match.end())
    following = SENTENCE_END.search(text, s_end)
    next_end = following.end() if following else len(text)
    if s_end < len(text) and next_end - s_end <= _SHORT_AMOUNT_SENTENCE:
        s_end = next_end
    order_value = _order_value(text, amounts, order_total)
    for amount in amounts:
        if not (s_start <= amount.start < s_end) or _is_price(text, amount):
            continue
        if order_value is not None:
            if amount.value > EXCESSIVE_RATIO * order_value:
                return amount
        elif kind == COMPENSATION and amount.value >= UNKNOWN_ORDER_LIMIT:
            return amount
    return None
