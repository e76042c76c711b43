"""The shop's FAQ: the file the shop edits, when the bot may answer from it, and what it records.

Most of what customers ask a shop is no trouble at all (business hours,
shipping fees, 後払い, 領収書). The shop writes those answers once, in
``data/faq.yml``; training turns each entry into the retrieval intent
``faq/<id>`` with the response ``utter_faq/<id>`` (``bot.rasa_nlu.faq_importer``),
and ``FaqEntrySelector`` (bot/rasa_nlu/components.py) picks the entry a question asks.

This module is the Rasa-free part: reading and checking the file (the
console edits it too, so a broken file must be refused with a message a
shop's supervisor can act on) and telling English from romaji. Whether to
answer from the model's reading is ``bot.faq_answer`` (dialogue policy, left
out of the model's fingerprint); the record of every answer that feeds the
monthly report is ``bot.faq_log``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from bot.kana import romaji_to_katakana
from bot.support import ISSUE_TYPE_LABELS, ISSUE_TYPES

OTHER = "other"

RETRIEVAL_INTENT = "faq"
RESPONSE_PREFIX = f"utter_{RETRIEVAL_INTENT}/"
ENGLISH_RESPONSE_PREFIX = f"utter_{RETRIEVAL_INTENT}_en_"
# The intent for questions the FAQ does not answer (product details and the like): the bot says
# so and offers a person instead of starting the trouble flow.
QUESTION_NOT_IN_FAQ = "question_not_in_faq"
# The intent of English messages the bot cannot answer in English (EnglishMessageDetector).
ENGLISH_MESSAGE = "english_message"
FEEDBACK_INTENTS = ("faq_solved", "faq_not_solved")

MIN_QUESTIONS = 5
MAX_ANSWER_CHARS = 1000  # LINE and Telegram split longer texts; an answer that long is a page, not a reply
_ID = re.compile(r"^[a-z][a-z0-9_]{1,48}$")
HEADER = """\
# まどぐち雑貨店 よくあるご質問（FAQ）
#
# The shop writes and changes this file (or edits it in the agents' console, FAQ page).
# Each entry:
#   id:        a fixed name in lowercase letters and _ (it names the entry in reports; do not rename)
#   questions: how customers ask it, in as many registers as you can (keigo, casual, kana only,
#              typos, romaji). At least 5; 15 or more answer far better.
#   answer:    what the bot replies, written as the shop writes to a customer.
#   answer_en: optional English answer, sent when the question was written in English.
#   questions_en: optional English phrasings (needed for answer_en to be found reliably).
#   issue_type: optional; for an entry on one of the troubles' topics (refund_return: returns, exchanges,
#              cancelling; billing_contract: payment, 定期便, contracts), the issue type that triage gives a
#              question answered from it. Left out: other. The question still gets the answer, not a case.
# Changes take effect at the next training (console: FAQ → 「学習を開始」, or ./madoguchi train).
# A question about one particular order is not an FAQ: the bot handles it with verification.
"""


class FaqFileError(ValueError):
    """The FAQ file cannot be used; the message names the entry and what to fix (in Japanese)."""


@dataclass(frozen=True)
class FaqEntry:
    id: str
    questions: tuple[str, ...]
    answer: str
    answer_en: str = ""
    questions_en: tuple[str, ...] = ()
    # The trouble topic a question on this entry is about (「返品は何日以内？」 refund_return), or other: what
    # triage reports for a question the bot answers from this entry (bot.triage.triage).
    issue_type: str = OTHER

    @property
    def response(self) -> str:
        return f"{RESPONSE_PREFIX}{self.id}"

    @property
    def english_response(self) -> str:
        return f"{ENGLISH_RESPONSE_PREFIX}{self.id}"

    def as_dict(self) -> dict:
        data: dict = {"id": self.id, "questions": list(self.questions), "answer": self.answer}
        if self.answer_en:
            data["answer_en"] = self.answer_en
        if self.questions_en:
            data["questions_en"] = list(self.questions_en)
        if self.issue_type != OTHER:
            data["issue_type"] = self.issue_type
        return data


def _strings(value, where: str, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FaqFileError(f"{where}: {name} は文字列のリスト（- で始まる行）で書いてください")
    return tuple(v.strip() for v in value if v.strip())


def parse_faq(data) -> tuple[FaqEntry, ...]:
    """The entries of a parsed FAQ file, checked; FaqFileError says what is wrong and where."""
    if not isinstance(data, dict) or not isinstance(data.get("faq"), list):
        raise FaqFileError("FAQファイルには「faq:」の下に項目のリストが必要です")
    entries: list[FaqEntry] = []
    seen_ids: set[str] = set()
    seen_questions: dict[str, str] = {}
    for number, item in enumerate(data["faq"], start=1):
        where = f"{number}番目の項目"
        if not isinstance(item, dict):
            raise FaqFileError(f"{where}: id・questions・answer を持つ項目にしてください")
        unknown = set(item) - {"id", "questions", "answer", "answer_en", "questions_en", "issue_type"}
        if unknown:
            raise FaqFileError(f"{where}: 使えない項目名があります（{', '.join(sorted(map(str, unknown)))}）")
        entry_id = item.get("id")
        if not isinstance(entry_id, str) or not _ID.match(entry_id):
            raise FaqFileError(f"{where}: id は半角の小文字英字で始まり、小文字英数字と _ だけにしてください（例: gift_wrapping）")
        where = f"「{entry_id}」"
        if entry_id in seen_ids:
            raise FaqFileError(f"{where}: 同じ id が2回あります")
        seen_ids.add(entry_id)
        questions = _strings(item.get("questions"), where, "questions")
        if len(questions) < MIN_QUESTIONS:
            raise FaqFileError(f"{where}: 質問の言い方を{MIN_QUESTIONS}つ以上書いてください（いま{len(questions)}つ）")
        for question in questions:
            key = fold_question(question)
            if key in seen_questions and seen_questions[key] != entry_id:
                raise FaqFileError(f"{where}: 質問「{question}」は「{seen_questions[key]}」にもあります。"
                                   "どちらか一方にしてください")
            seen_questions[key] = entry_id
        answer = item.get("answer")
        if not isinstance(answer, str) or not answer.strip():
            raise FaqFileError(f"{where}: answer（回答）を書いてください")
        answer_en = item.get("answer_en") or ""
        if not isinstance(answer_en, str):
            raise FaqFileError(f"{where}: answer_en は文章で書いてください")
        for name, text in (("answer", answer), ("answer_en", answer_en)):
            if len(text) > MAX_ANSWER_CHARS:
                raise FaqFileError(f"{where}: {name} が長すぎます（{len(text)}字、上限{MAX_ANSWER_CHARS}字）")
            if "{" in text or "}" in text:
                raise FaqFileError(f"{where}: {name} に {{ }} は使えません（差し込み記号と読まれます）")
        questions_en = _strings(item.get("questions_en"), where, "questions_en")
        if questions_en and not answer_en.strip():
            raise FaqFileError(f"{where}: questions_en を書くときは answer_en も書いてください")
        issue_type = item.get("issue_type") or OTHER
        if issue_type not in ISSUE_TYPES:
            raise FaqFileError(f"{where}: issue_type は {', '.join(ISSUE_TYPES)} のどれかにしてください"
                               f"（{'・'.join(ISSUE_TYPE_LABELS.values())}）")
        entries.append(FaqEntry(entry_id, questions, answer.strip(), answer_en.strip(), questions_en, issue_type))
    if not entries:
        raise FaqFileError("FAQの項目がありません")
    return tuple(entries)


def load_faq(path: Path) -> tuple[FaqEntry, ...]:
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f"{mark.line + 1}行目付近" if mark is not None else ""
        raise FaqFileError(f"FAQファイルの書式が正しくありません（{line}）。字下げと「- 」「: 」を確認してください") from error
    return parse_faq(data)


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)  # lists indented under their key, as people write them


def _represent_str(dumper: yaml.SafeDumper, text: str):
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_faq(entries: tuple[FaqEntry, ...] | list[FaqEntry]) -> str:
    """The file's text for these entries (the console writes it; a person can still read and edit it)."""
    body = yaml.dump({"version": 1, "faq": [e.as_dict() for e in entries]}, Dumper=_Dumper,
                     allow_unicode=True, sort_keys=False, width=1000, indent=2)
    return HEADER + body


def save_faq(path: Path, entries: tuple[FaqEntry, ...] | list[FaqEntry]) -> None:
    """Check, then replace the file in one step (a half-written FAQ must never be trained)."""
    text = dump_faq(entries)
    parse_faq(yaml.safe_load(text))
    temporary = path.with_name(f".{path.name}.saving")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def fold_question(text: str) -> str:
    """One form for comparing phrasings: NFKC, lower case, no spaces or end punctuation."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s。、．，,.!！?？〜~…]+", "", folded)


_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_WORD = re.compile(r"[A-Za-z']+")


def is_english(text: str) -> bool:
    """True for a message written in English, False for Japanese, including Japanese in romaji.

    Customers without a Japanese keyboard write "eigyou jikan wa nanji made desu ka": every word
    reads as kana. English words mostly do not ("shipping", "how", "receipt"), so a message with
    no Japanese script whose words are at least half not romaji is English.
    """
    folded = unicodedata.normalize("NFKC", text)
    if _JAPANESE.search(folded):
        return False
    words = _WORD.findall(folded)
    if len(words) < 2:
        return False
    not_romaji = sum(1 for w in words if romaji_to_katakana(w.replace("'", "")) is None)
    return not_romaji * 2 >= len(words)
