"""Security incidents a customer reports: a privacy concern, whatever the model made of the words.

A mail or SMS in the shop's name that led to a fake page, card details typed
into it, an order confirmation for nothing the customer bought, a password
shared with other sites: these are urgent privacy cases (the card must be
stopped today, the privacy officer investigates). Customers describe them in
words the models saw little of, often over several messages and often in
kana only (「かーどのばんごうを いれてしまいました」), so the issue-type
classifier reads them as a delivery or a system trouble, or as nothing sure.
These rows name the incident outright; each carries the example the tests
check. They are matched on the normalised, kana-folded text (カード and
かーど alike).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.kana import fold_kana
from bot.text import normalise

PRIVACY_CONCERN = "privacy_concern"
# The confidence a rule's reading carries: above the dialogue's "names a trouble" threshold.
INCIDENT_CONFIDENCE = 0.9

_CARD = r"(?:かーど|クレジット|くれじっと|クレカ|くれか|口座|こうざ|暗証|あんしょう)"
_NUMBER = r"(?:番号|ばんごう|情報|じょうほう|ばんご)"
_TYPED = r"(?:入力|にゅうりょく|入れ|いれ|打ち込|うちこ|書き込|かきこ|登録し|とうろくし)"


@dataclass(frozen=True)
class IncidentRule:
    name: str
    pattern: str
    example: str


INCIDENT_RULES: tuple[IncidentRule, ...] = (
    IncidentRule("card details typed into a page",
                 rf"{_CARD}.{{0,4}}{_NUMBER}.{{0,24}}{_TYPED}(?:し)?(?:て(?:しま|しも)|ちゃ|ちま)",
                 "そこをおしたら かーどのばんごうを いれてくださいと でたので いれてしまいました"),
    IncidentRule("phishing in so many words",
                 r"ふぃっしんぐ|偽(?:の|物の)?(?:さいと|めーる|sms|SMS|ぺーじ)|"
                 r"にせ(?:の)?(?:さいと|めーる)|なりすまし|成りすまし",
                 "お店を名乗る偽のメールが来ました"),
    IncidentRule("someone else in the account",
                 r"不正(?:ろぐいん|あくせす|利用|りよう)|乗っ取|のっと(?:ら|り)|"
                 r"勝手に(?:ろぐいん|注文|購入|買い物)",
                 "アカウントが乗っ取られたかもしれません"),
    IncidentRule("an order confirmation for nothing bought",
                 r"(?:買い物|かいもの|注文|ちゅうもん|購入|こうにゅう)(?:を|は)?し(?:た)?(?:覚え|おぼえ)(?:が|は)?(?:ない|無い|ありませ)|"
                 r"身に覚えの(?:ない|無い)(?:注文|ちゅうもん|請求|せいきゅう|めーる|購入)",
                 "こちらで買い物をした覚えがないのですが、「ご注文ありがとうございます」というメールが届きました。"),
    IncidentRule("one password for many sites",
                 r"ぱすわーど.{0,16}(?:使い回|つかいまわ|他のさいと|ほかのさいと|同じもの|おなじもの)",
                 "パスワードは他のサイトと同じものを使っていました。"),
)

_COMPILED = tuple((rule, re.compile(rule.pattern)) for rule in INCIDENT_RULES)


def incident_rule(text: str) -> IncidentRule | None:
    """The first row a message matches, or None."""
    folded = fold_kana(normalise(text or ""))
    return next((rule for rule, pattern in _COMPILED if pattern.search(folded)), None)


def reports_incident(text: str) -> bool:
    return incident_rule(text) is not None
