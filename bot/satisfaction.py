"""Satisfaction after a ticket closes: one question on the customer's channel, one answer, no pressure.

When an agent closes a ticket as resolved (解決, 返金・交換で対応), the
customer is asked once for a 1–5 score, with an optional comment in the same
message. The question goes out through the outbox that carries agents'
replies (``ticket_messages``, delivered by the channel that owns the
conversation), so no channel and no Rasa model had to learn anything new.

The answer is caught before Rasa, in the hand-off gate
(``bot.channels.handoff.keep_from_bot`` calls ``capture_answer``): while a
delivered question is waiting, a message that is a score (「５」, 「5です」,
「4 丁寧でした」, 「★★★★」) is recorded and thanked for; anything else ends the
wait and goes to the bot as usual, so the survey is skippable by just going
on. Nobody is asked after 要求をお断り or 警察へ相談・通報, nor twice within
seven days in the same conversation or (when verified) as the same customer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot import handoff, templates
from bot.privacy import mask_personal_data
from bot.store.db import session_scope
from bot.store.models import AuditEntry, SatisfactionSurvey, Ticket, TicketMessage
from bot.constants import DeliveryState

PENDING, ANSWERED, SKIPPED = "pending", "answered", "skipped"
# Outcomes after which the customer is asked; never after a refusal or a police report.
ASK_AFTER = ("resolved", "refunded")
QUIET_PERIOD = timedelta(days=7)
# A question unanswered this long is no longer waiting: a "3" a day later is about something else.
ANSWER_WINDOW = timedelta(hours=24)
MAX_COMMENT = 500

_SCORE = re.compile(r"(?:評価(?:は|:)?|星)?\s*([1-5])(?![0-9.,])\s*(点|/5|つ星)?\s*(です|でした)?")
_STARS = re.compile(r"([★☆]{1,5})(?![★☆])")
_SEPARATORS = " 、,。.!！?？\n\t"
# A digit followed by a counter is a quantity, not a score (「3日前に」, 「2個」, 「5 件」).
_COUNTERS = tuple("日個月時分回円件つ本枚万番年週箱台着足")


@dataclass(frozen=True)
class Answer:
    score: int
    comment: str


def read_answer(text: str) -> Answer | None:
    """A score (and what follows as the comment), or None when the message is about something else."""
    folded = unicodedata.normalize("NFKC", text).strip()
    stars = _STARS.match(folded)
    if stars:
        score, rest = stars.group(1).count("★"), folded[stars.end():]
        if not 1 <= score <= 5:
            return None
    else:
        match = _SCORE.match(folded)
        if not match:
            return None
        score = int(match.group(1))
        bare = not (match.group(2) or match.group(3))
        rest = folded[match.end(1):] if bare else folded[match.end():]
        if rest and bare and rest[0] not in _SEPARATORS:
            return None
    comment = rest.strip(_SEPARATORS)
    if comment.startswith(_COUNTERS):
        return None
    return Answer(score, comment[:MAX_COMMENT])


def _recently_asked(session: Session, conversation_id: str, customer_id: int | None, now: datetime) -> bool:
    same = SatisfactionSurvey.conversation_id == conversation_id
    if customer_id is not None:
        same = or_(same, SatisfactionSurvey.customer_id == customer_id)
    return session.execute(select(SatisfactionSurvey.id).where(
        and_(same, SatisfactionSurvey.asked_at > now - QUIET_PERIOD)).limit(1)).first() is not None


def ask_after_close(session: Session, ticket: Ticket, now: datetime) -> SatisfactionSurvey | None:
    """Queue the question for the customer's channel if this closed ticket calls for one."""
    if ticket.status != handoff.CLOSED or ticket.outcome not in ASK_AFTER:
        return None
    proof = handoff.case_proof(session, ticket, now)
    customer_id = proof.customer_id if proof is not None else None
    if _recently_asked(session, ticket.conversation_id, customer_id, now):
        return None
    question = TicketMessage(ticket_id=ticket.id, at=now, author="system", text=templates.SATISFACTION_QUESTION,
                             channel=ticket.channel, delivery=DeliveryState.PENDING)
    session.add(question)
    session.flush()
    survey = SatisfactionSurvey(ticket_id=ticket.id, conversation_id=ticket.conversation_id,
                                customer_id=customer_id, agent_id=ticket.claimed_by, question_id=question.id,
                                asked_at=now, status=PENDING)
    session.add(survey)
    session.add(AuditEntry(at=now, actor="bot", action="satisfaction_asked", conversation_id=ticket.conversation_id,
                           detail=f"ticket {ticket.reference}"))
    return survey


def _waiting(session: Session, conversation_id: str, now: datetime) -> SatisfactionSurvey | None:
    """The conversation's pending survey whose question reached the customer within the answer window."""
    return session.execute(
        select(SatisfactionSurvey).join(TicketMessage, TicketMessage.id == SatisfactionSurvey.question_id)
        .where(SatisfactionSurvey.conversation_id == conversation_id, SatisfactionSurvey.status == PENDING,
               TicketMessage.delivery == DeliveryState.DELIVERED, TicketMessage.delivered_at > now - ANSWER_WINDOW)
        .order_by(SatisfactionSurvey.id.desc()).limit(1)
    ).scalar_one_or_none()


def record_answer(session: Session, conversation_id: str, text: str, now: datetime) -> str | None:
    """The thanks to send when ``text`` answers a waiting question; None to let the message go on."""
    survey = _waiting(session, conversation_id, now)
    if survey is None:
        return None
    answer = read_answer(text) if handoff.active_ticket(session, conversation_id) is None else None
    if answer is None:
        survey.status = SKIPPED
        return None
    survey.status, survey.score, survey.answered_at = ANSWERED, answer.score, now
    survey.comment = mask_personal_data(answer.comment) or None
    for author, line in (("customer", mask_personal_data(text[:handoff.MAX_TRANSCRIPT_TEXT])),
                         ("bot", templates.SATISFACTION_THANKS)):
        session.add(TicketMessage(ticket_id=survey.ticket_id, at=now, author=author, text=line,
                                  channel=survey.ticket.channel))
    session.add(AuditEntry(at=now, actor="bot", action="satisfaction_answered", conversation_id=conversation_id,
                           detail=f"ticket {survey.ticket.reference}: score={answer.score}"))
    return templates.SATISFACTION_THANKS


def capture_answer(conversation_id: str, text: str) -> str | None:
    """For the hand-off gate: one transaction, before the message may go to Rasa."""
    with session_scope() as session:
        return record_answer(session, conversation_id, text, handoff.now_utc())
