"""Whether the bot answers a message from the shop's FAQ, and with which entry.

The model reads the message (the intent classifier's intent, the FaqEntrySelector's ranking of
the entries and its FAQ-or-not figure); what the dialogue does with that
reading is decided here, at every message. This is dialogue policy, not the
model: the model's fingerprint (``bot.modelfiles.MODEL_INPUTS``) leaves this
file out, so a threshold changes without a training. ``action_answer_faq``,
``./madoguchi triage`` ("faq") and ``bench/faq_quality.py`` all read it.

The thresholds were chosen on the development split (``bench/data/faq_dev.yml``,
writer C), never on the held-out set (writer B), which stays a measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.dialogue import about_own_order, names_a_trouble
from bot.faq import RETRIEVAL_INTENT, is_english
from bot.text import announces_a_question, is_question, is_search_words, substance_span

# Below these the bot is unsure and says so rather than answer the wrong question: the model must
# read the message as an FAQ question and the FaqEntrySelector must prefer one entry clearly.
MIN_INTENT_CONFIDENCE = 0.5
MIN_ANSWER_CONFIDENCE = 0.4


@dataclass(frozen=True)
class ClearWinner:
    """An entry under MIN_ANSWER_CONFIDENCE that still stands out: far ahead of the runner-up, and
    the message surely asks the FAQ.

    Questions in an unusual register (hiragana with spaces, half-width
    katakana, romaji, a long story around the question) spread the selector's
    probability over the 29 entries: on writer C's development split 31 of
    211 unseen Japanese questions had the right entry on top under 0.4.
    Questions the FAQ does not answer spread it too, mostly evenly (0.12
    against 0.11), but some by a factor of 2-3.5 (「正社員の採用情報は」 0.32
    against 0.09). Chosen on that split from a grid (0.1-0.3 × 1.5-4 ×
    0.5-0.9), ties to the strictest: 6 more right answers, no wrong entry and
    no unknown question answered.

    A second, looser row needs the FAQ-or-not model all but certain (≥ 0.95):
    long questions with a situation around them (「注文を済ませてから、もう一つ
    欲しいものを見つけてしまいました…」 add_to_order 0.30 against 0.11) spread
    the selector further while the message plainly asks the shop something.
    Chosen on the same split from a grid (0.15-0.3 × 1.5-3.5 × 0.6-0.95), ties
    to the strictest: 3 more right answers there (2 Japanese, 1 English), no
    wrong entry, no unknown question and no trouble answered.
    """

    min_confidence: float
    min_ratio: float  # the top entry's confidence over the runner-up's
    min_question_confidence: float  # the FAQ-or-not model's figure

    def holds(self, top: float, runner_up: float, question: float) -> bool:
        return (top >= self.min_confidence and top >= self.min_ratio * runner_up
                and question >= self.min_question_confidence)


CLEAR_WINNERS = (ClearWinner(min_confidence=0.3, min_ratio=4.0, min_question_confidence=0.5),
                 ClearWinner(min_confidence=0.2, min_ratio=3.0, min_question_confidence=0.95))

# When the bot is unsure which entry a question asks, it offers the entries the selector ranks first as
# 「もしかして」 buttons (each labelled and sent as one of that entry's own questions, actions.faq.button_question,
# which the model answers at once), beside 「担当者と話す」. Unsure questions in unusual registers mostly have the
# right entry among the first three; an entry under MIN_SUGGESTION_CONFIDENCE is a guess not worth a button.
# Chosen on writer C's development split from 2-3 entries × floors 0.03-0.2, ties to the strictest: 21 of 22
# unsure questions had the right entry offered, as at 0.03; from 0.1 one is lost (bench/faq_quality.py --dev).
MAX_SUGGESTIONS = 3
MIN_SUGGESTION_CONFIDENCE = 0.08

def tells(text: str) -> bool:
    """Whether a message tells something (what happened, a detail for the case): neither a question nor a topic
    typed as search words. ``FaqReading.reports_a_trouble`` and ``action_answer_faq`` read it alike, so that what
    the bench counts as answered is what the customer gets (the two once disagreed on 「返品条件」)."""
    return not is_question(text) and not is_search_words(text)


# A report ending in a question: 「後払いの請求書の金額が、注文したときの合計より多いです。なぜですか？」 tells what
# happened in its first sentence and only then asks. When the issue-type classifier is this sure of a trouble, such a
# message is a report (the case opens), not a question for the FAQ. Chosen on writer C's development split from
# 0.55 (TROUBLE_CONFIDENCE) up: below 0.9, FAQ questions with a situation told first went to the case (「来週の金曜に
# 引っ越しなので、それまでに届かないと困ります。…土日も発送してもらえるんでしょうか？」 delivery_delay 0.84, a
# question on deleting one's data when leaving, privacy_concern 0.89; six of 208 at 0.55); at 0.9 none did, none on
# writer B's held-out set either, and C's troubles answered from the FAQ went from 3 of 60 to 2.
MIN_TROUBLE_CONFIDENCE_BEFORE_A_QUESTION = 0.9
_SENTENCE_END = re.compile(r"(?<=[。！!？?\n])")


def tells_before_asking(text: str) -> bool:
    """Whether a message of several sentences tells something before its last one (which may ask).

    Greetings and closings at its ends (「お世話になっております。」「すみません。」) and a sentence that only
    announces the question (「質問です。」) tell nothing."""
    start, end = substance_span(text or "")
    sentences = [s.strip() for s in _SENTENCE_END.split((text or "")[start:end]) if s.strip()]
    return len(sentences) >= 2 and any(tells(s) and not announces_a_question(s) for s in sentences[:-1])


@dataclass(frozen=True)
class FaqReading:
    """What the model made of a message, as far as the FAQ is concerned."""

    intent: str | None
    intent_confidence: float
    entry_id: str | None  # the FaqEntrySelector's best entry
    entry_confidence: float
    ranking: tuple[tuple[str, float], ...] = field(default_factory=tuple)
    question_confidence: float = 0.0  # the FAQ-or-not model's figure
    text: str = ""
    issue_type: str | None = None  # the issue-type classifier's reading ("other": no trouble)
    issue_confidence: float = 0.0
    entry_issue_type: str = "other"  # the best entry's trouble topic (data/faq.yml issue_type), for triage

    @classmethod
    def from_parse_data(cls, data: dict) -> "FaqReading":
        intent = data.get("intent") or {}
        selector = ((data.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {})
        response = selector.get("response") or {}
        key = response.get("intent_response_key") or ""
        ranking = tuple((str(r.get("intent_response_key", "")).split("/", 1)[-1], float(r.get("confidence") or 0))
                        for r in selector.get("ranking") or [])
        return cls(intent=intent.get("name"), intent_confidence=float(intent.get("confidence") or 0.0),
                   entry_id=key.split("/", 1)[1] if key.startswith(f"{RETRIEVAL_INTENT}/") else None,
                   entry_confidence=float(response.get("confidence") or 0.0), ranking=ranking,
                   question_confidence=float(selector.get("question_confidence") or 0.0),
                   text=str(data.get("text") or ""), issue_type=(data.get("issue_type") or {}).get("name"),
                   issue_confidence=float((data.get("issue_type") or {}).get("confidence") or 0.0),
                   entry_issue_type=str(response.get("issue_type") or "other"))

    @property
    def asks_faq(self) -> bool:
        return self.intent == RETRIEVAL_INTENT

    @property
    def about_own_order(self) -> bool:
        return about_own_order(self.text)

    @property
    def complains_in_english(self) -> bool:
        """An English message in which the issue-type classifier reads a trouble.

        The model's English is nearly all FAQ phrasings (every entry has some),
        so the intent model reads almost any English as ``faq`` (DIET did): 「The lid of the kettle I
        bought is cracked, what should I do?」 got the okihai answer at 0.40.
        The issue-type classifier learned English complaints too
        (data/nlu/english_troubles.yml) and read it as defective_product; the
        customer gets the bilingual note and a person instead. On writer C's
        development split this costs 1 of 34 right English answers
        (「is evening delivery possible?」, read as delivery_delay).
        """
        return self.issue_type not in (None, "other") and is_english(self.text)

    @property
    def reports_a_trouble(self) -> bool:
        """A message that tells what happened, not asks, in which the issue-type classifier reads a trouble.

        The FAQ answers questions; a report (「…と思ったら…されてる」) is a trouble
        whatever entry the selector ranks first, and a trouble is never answered
        with an FAQ entry. Such a message goes on to the case (``action_answer_faq``
        asks ``open_or_add_to_case``), or to "unsure" with a person offered. A topic
        typed as search words (``bot.text.is_search_words``: 「返品期限」「注文キャンセル方法」)
        is no report, and neither is a statement in which the classifier is unsure of a trouble
        (``names_a_trouble``: 「遠方に住む姉へ誕生日の贈り物を…値段の書いた紙が入っていると
        失礼なので、それが心配でございます。」 read as wrong_delivery at 0.23). On writer C's
        development split this costs no right answer and answers no trouble; any
        floor from 0.3 to 0.6 gave the same.
        """
        if not self.names_a_trouble:
            return False
        return tells(self.text) or (tells_before_asking(self.text)
                                    and self.issue_confidence >= MIN_TROUBLE_CONFIDENCE_BEFORE_A_QUESTION)

    def answer_id(self) -> str | None:
        """The entry to answer with, or None: not an FAQ question, not sure which one, or about one's own order."""
        if not (self.asks_faq and self.intent_confidence >= MIN_INTENT_CONFIDENCE) or self.entry_id is None:
            return None
        if self.about_own_order:
            return None
        if self.complains_in_english or self.reports_a_trouble:
            return None
        if self.entry_confidence >= MIN_ANSWER_CONFIDENCE:
            return self.entry_id
        # Without the ranking there is no telling how far ahead the entry is: unsure.
        if len(self.ranking) > 1 and any(rule.holds(self.entry_confidence, self.ranking[1][1], self.question_confidence)
                                         for rule in CLEAR_WINNERS):
            return self.entry_id
        return None

    @property
    def names_a_trouble(self) -> bool:
        """The issue-type classifier is sure of a trouble: a Japanese question left unanswered opens a case
        (``action_answer_faq`` → ``open_or_add_to_case``) rather than saying the bot is unsure."""
        return names_a_trouble(self.issue_type, self.issue_confidence)

    def suggestion_ids(self) -> tuple[str, ...]:
        """Entries to offer as 「もしかして」 buttons when no entry is answered; empty when none should be.

        Only for a question the model reads as an FAQ question, never beside
        an answer, and not in English (the buttons are the entries' Japanese
        questions; English gets the bilingual note). Never for a report of a
        trouble, a question about one's own order or one in which the
        classifier is sure of a trouble: those go to the case, where nothing
        from the FAQ is offered.
        """
        if not self.asks_faq or self.answer_id() is not None or is_english(self.text):
            return ()
        if self.about_own_order or self.reports_a_trouble or self.names_a_trouble:
            return ()
        return tuple(entry for entry, confidence in self.ranking[:MAX_SUGGESTIONS]
                     if confidence >= MIN_SUGGESTION_CONFIDENCE)

