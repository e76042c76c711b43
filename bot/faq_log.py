"""The record of the FAQ's answers: what the bot did with each question, and 解決した / 解決しない.

Kept apart from ``bot.faq`` (which shapes the trained model) so that the
monthly report can change without retraining.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.constants import StringEnum


class FaqOutcome(StringEnum):
    """What the bot did with a question (the monthly report counts these)."""

    ANSWERED = "answered"  # an FAQ entry was sent
    UNSURE = "unsure"  # the model leaned towards the FAQ but no entry clearly: said so, offered a person
    NOT_IN_FAQ = "not_in_faq"  # a question the FAQ has no entry for: said so, offered a person
    ENGLISH_NOTE = "english_note"  # English, without an English answer: the bilingual note



def record_answer(session: Session, *, conversation_id: str, channel: str, outcome: FaqOutcome,
                  faq_id: str | None, confidence: float | None, english: bool, question: str,
                  now: datetime) -> int:
    """Write one question and what the bot did; returns its id.

    The question's text is kept (masked) only when the bot could not answer it: those are what the
    shop writes new entries from. Answered questions are counted, their texts are not needed.
    """
    from bot.privacy import mask_personal_data
    from bot.store.models import FaqAnswer

    kept = "" if outcome == FaqOutcome.ANSWERED else mask_personal_data(question)[:500]
    row = FaqAnswer(conversation_id=conversation_id, channel=channel, outcome=outcome, faq_id=faq_id,
                    confidence=confidence, language="en" if english else "ja", question=kept, asked_at=now)
    session.add(row)
    session.flush()
    return row.id


def record_feedback(session: Session, conversation_id: str, solved: bool, now: datetime) -> str | None:
    """The customer's 解決した / 解決しない for the latest answer in the conversation not yet rated.

    Returns the FAQ id it was about, or None when no answer is waiting (a stray 「解決した」).
    The UPDATE is conditional on ``solved IS NULL``, so a double tap counts once.
    """
    from bot.store.models import FaqAnswer

    latest = session.execute(
        select(FaqAnswer.id, FaqAnswer.faq_id).where(FaqAnswer.conversation_id == conversation_id,
                                                     FaqAnswer.outcome == FaqOutcome.ANSWERED)
        .order_by(FaqAnswer.id.desc()).limit(1)).first()
    if latest is None:
        return None
    updated = session.query(FaqAnswer).filter(FaqAnswer.id == latest.id, FaqAnswer.solved.is_(None)) \
        .update({FaqAnswer.solved: solved, FaqAnswer.rated_at: now}, synchronize_session=False)
    return latest.faq_id if updated else None


@dataclass(frozen=True)
class FaqSummary:
    """The FAQ's month, for the monthly report."""

    asked: int  # questions the FAQ answered or tried to
    answered_by_entry: dict[str, int]
    solved: int  # answers the customer marked 解決した
    not_solved: int
    unanswered: int  # unsure + not in the FAQ + English without an English answer
    unanswered_questions: tuple[str, ...]  # masked texts, newest first: what to write new entries from
    conversations_with_answer: int
    settled_without_person: int  # conversations with an FAQ answer, no 解決しない, no ticket, no trouble


def summarise(session: Session, start: datetime, end: datetime, *, sample: int = 50) -> FaqSummary:
    from bot.store.models import FaqAnswer, Ticket, Trouble

    in_month = (FaqAnswer.asked_at >= start) & (FaqAnswer.asked_at < end)
    answered = FaqAnswer.outcome == FaqOutcome.ANSWERED
    by_entry = dict(session.execute(select(FaqAnswer.faq_id, func.count()).where(in_month, answered)
                                    .group_by(FaqAnswer.faq_id).order_by(func.count().desc())).all())
    asked = session.scalar(select(func.count()).select_from(FaqAnswer).where(in_month)) or 0
    solved = session.scalar(select(func.count()).select_from(FaqAnswer).where(in_month, FaqAnswer.solved.is_(True)))
    not_solved = session.scalar(select(func.count()).select_from(FaqAnswer)
                                .where(in_month, FaqAnswer.solved.is_(False)))
    unanswered_rows = session.execute(select(FaqAnswer.question).where(in_month, ~answered)
                                      .order_by(FaqAnswer.asked_at.desc())).scalars().all()
    conversations = set(session.execute(select(FaqAnswer.conversation_id).where(in_month, answered)
                                        .distinct()).scalars())
    with_people = set(session.execute(select(Ticket.conversation_id).where(Ticket.conversation_id.in_(conversations))
                                      ).scalars()) if conversations else set()
    with_trouble = set(session.execute(select(Trouble.conversation_id)
                                       .where(Trouble.conversation_id.in_(conversations))).scalars()) \
        if conversations else set()
    said_not_solved = set(session.execute(select(FaqAnswer.conversation_id)
                                          .where(in_month, FaqAnswer.solved.is_(False))).scalars())
    return FaqSummary(
        asked=asked, answered_by_entry={k: v for k, v in by_entry.items() if k}, solved=solved or 0,
        not_solved=not_solved or 0, unanswered=len(unanswered_rows),
        unanswered_questions=tuple(q for q in unanswered_rows if q)[:sample],
        conversations_with_answer=len(conversations),
        settled_without_person=len(conversations - with_people - with_trouble - said_not_solved),
    )
