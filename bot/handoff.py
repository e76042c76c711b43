"""The hand-off: conversations that people take over from the bot.

A ticket is opened when triage escalates a message (or verification locks a
customer out). From then on the conversation belongs to people: the channels
ask ``gate`` before they pass a message to Rasa, keep the customer's words in
the ticket's transcript and answer once at most, so the bot neither argues
nor concedes. Agents claim a ticket (exclusively), reply, and hand the
conversation back to the bot or close it with an outcome. Agents' replies
are delivered by the channel that owns the conversation (``claim_deliveries``).

Everything is in the database, so the hand-off survives Rasa session expiry
and restarts of any process; every agent action is written to the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot import identity, templates
from bot.business_calendar import DEFAULT_CALENDAR, BusinessCalendar
from bot.constants import DeliveryState, Severity, TicketStatus
from bot.privacy import mask_personal_data
from bot.secrets import server_secret
from bot.store.models import Agent, AuditEntry, GuardedReply, Ticket, TicketMessage, Trouble
from bot.support import JST, format_deadline

# A ticket's life (status) is kept apart from who holds it (claimed_by), as Chatwoot keeps status and assignee.
OPEN, HANDED_BACK, CLOSED = TicketStatus.OPEN, TicketStatus.HANDED_BACK, TicketStatus.CLOSED
ACTIVE = (OPEN,)  # with people: the bot stays silent
SEVERITY_RANK = {severity.value: severity.rank for severity in Severity}

# Why a conversation was handed over: the four escalation reasons, and a
# customer locked out of verification (bot.identity's sender lock).
REASON_LABELS = {
    "excessive_demand": "過剰要求",
    "abusive": "暴言・威圧（カスハラ）",
    "fraud_scheme": "SNS宣伝・副業詐欺の疑い",
    "human_request": "担当者を希望",
    "verification_locked": "本人確認ロック",
    "product_safety": "製品安全のお知らせへの返信",
}
# How a ticket ended; the keys are what monthly analysis counts.
OUTCOMES = {
    "resolved": "解決",
    "refunded": "返金・交換で対応",
    "refused": "要求をお断り",
    "reported_to_police": "警察へ相談・通報",
    "fraud_desk": "不正対策窓口へ引き継ぎ",
    "no_response": "お客様から返信なし",
    "duplicate": "重複",
}
# Who writes what the outbox delivers: agents, and the system (the satisfaction question, bot.satisfaction).
OUTBOX_AUTHORS = ("agent", "system")
# An agent's reply that cannot be delivered is tried again with growing pauses
# (5 s, 10 s, 20 s … at most 10 minutes apart) for six hours: a platform's
# outage of an hour loses nothing. Then it is failed and the agent sees it.
DELIVERY_RETRY_WINDOW = timedelta(hours=6)
DELIVERY_FIRST_BACKOFF = timedelta(seconds=5)
DELIVERY_MAX_BACKOFF = timedelta(minutes=10)
MAX_TRANSCRIPT_TEXT = 4000
TICKET_LIMIT_WINDOW = timedelta(hours=24)


class HandoffError(Exception):
    """An agent action that cannot be done; ``message`` is Japanese for the console."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TicketLimitReached(Exception):
    """This client already has as many open tickets as one client may open in 24 hours.

    A stranger rotating sender ids could otherwise fill the agents' queue; the
    customer is told politely that the earlier enquiry is being handled.
    """


@dataclass(frozen=True)
class TranscriptLine:
    """A line of the conversation before the hand-off, from the bot's tracker."""

    author: str  # customer | bot
    text: str
    at: datetime


@dataclass(frozen=True)
class GateDecision:
    """What a channel does with an incoming message."""

    pass_to_bot: bool
    acknowledge: bool = False  # send ``acknowledgement(decision)`` once
    ticket_reference: str | None = None
    # Outside business hours (non-urgent tickets): when people are back, and the promised first reply.
    opens_at: datetime | None = None
    reply_due: datetime | None = None


# ---------------------------------------------------------------------------
# Deadlines
# ---------------------------------------------------------------------------

def first_reply_due(now: datetime, severity: str, *, calendar: BusinessCalendar = DEFAULT_CALENDAR,
                    business_reply_minutes: int = 60, first_reply_hours: int = 24) -> datetime:
    """When a person answers at the latest: within the hours cap, sooner in business hours.

    In business hours the target is ``business_reply_minutes``; outside them
    (nights, weekends, public holidays, the shop's closures), that long after
    the next opening, but never later than
    ``first_reply_hours`` from now. Urgent tickets (threats of violence, large
    fraud losses) get the short target around the clock.
    """
    target = timedelta(minutes=business_reply_minutes)
    cap = now + timedelta(hours=first_reply_hours)
    if severity == "urgent" or calendar.is_open(now):
        return min(now + target, cap)
    return min(calendar.next_opening(now) + target, cap)


# ---------------------------------------------------------------------------
# Opening and the gate
# ---------------------------------------------------------------------------

def active_ticket(session: Session, conversation_id: str) -> Ticket | None:
    return session.execute(
        select(Ticket).where(Ticket.conversation_id == conversation_id, Ticket.status.in_(ACTIVE))
        .order_by(Ticket.id.desc()).limit(1)
    ).scalar_one_or_none()


def _customer_text(session: Session, conversation_id: str, text: str, now: datetime) -> str:
    """Personal data is masked unless the customer proved who they are in this conversation."""
    text = text[:MAX_TRANSCRIPT_TEXT]
    if identity.verified_customer(session, conversation_id, now) is not None:
        return text
    return mask_personal_data(text)


def _audit(session: Session, *, actor: str, action: str, ticket: Ticket, now: datetime, detail: str = "") -> None:
    session.add(AuditEntry(at=now, actor=actor, action=action, conversation_id=ticket.conversation_id,
                           detail=f"ticket {ticket.reference}" + (f": {detail}" if detail else "")))


def open_tickets_of_client(session: Session, client_key: str, now: datetime) -> int:
    """Tickets this client caused in the last 24 hours that people still have."""
    return session.execute(
        select(func.count()).select_from(Ticket)
        .where(Ticket.client_key == client_key, Ticket.status.in_(ACTIVE),
               Ticket.created_at > now - TICKET_LIMIT_WINDOW)
    ).scalar_one()


def open_ticket(session: Session, *, conversation_id: str, channel: str, reason: str, severity: str,
                evidence: Iterable[str], transcript: Iterable[TranscriptLine], now: datetime,
                trouble_reference: str | None = None, calendar: BusinessCalendar = DEFAULT_CALENDAR,
                business_reply_minutes: int = 60, first_reply_hours: int = 24,
                client_key: str | None = None, tickets_per_client: int | None = None) -> Ticket:
    """Hand the conversation to people; a conversation already handed off keeps its ticket.

    A second escalation in a conversation that is already with people
    raises the ticket's severity if needed and adds the new evidence.
    A new ticket beyond ``tickets_per_client`` open ones of this client in
    24 hours raises TicketLimitReached. Bot lines are kept as the customer
    received them (a reply the guard replaced shows the replacement).
    """
    evidence = [e for e in evidence if e]
    ticket = active_ticket(session, conversation_id)
    if ticket is not None:
        return _join_open_ticket(ticket, severity, evidence, now, calendar=calendar,
                                 business_reply_minutes=business_reply_minutes, first_reply_hours=first_reply_hours)
    if client_key and tickets_per_client is not None \
            and open_tickets_of_client(session, client_key, now) >= tickets_per_client:
        raise TicketLimitReached()
    ticket = Ticket(
        conversation_id=conversation_id, channel=channel or "unknown", reason=reason, severity=severity,
        evidence="\n".join(dict.fromkeys(evidence)), trouble_reference=trouble_reference, status=OPEN,
        created_at=now, first_reply_due=first_reply_due(
            now, severity, calendar=calendar, business_reply_minutes=business_reply_minutes,
            first_reply_hours=first_reply_hours), client_key=client_key,
    )
    try:
        with session.begin_nested():  # another replica may open this conversation's ticket at the same moment
            session.add(ticket)
            session.flush()
    except IntegrityError:
        # uq_tickets_one_open_per_conversation: the other one won; its ticket is this conversation's
        winner = active_ticket(session, conversation_id)
        if winner is None:
            raise
        return _join_open_ticket(winner, severity, evidence, now, calendar=calendar,
                                 business_reply_minutes=business_reply_minutes, first_reply_hours=first_reply_hours)
    ticket.reference = f"E{now.astimezone(JST):%Y%m%d}-{ticket.id:05d}"
    replaced = guarded_replacements(session, conversation_id)
    for line in transcript:
        if line.author == "customer":
            text = _customer_text(session, conversation_id, line.text, now)
        else:
            text = replaced.get(_reply_key(line.text), line.text)
        session.add(TicketMessage(ticket_id=ticket.id, at=line.at, author=line.author, text=text, channel=channel))
    _audit(session, actor="bot", action="ticket_open", ticket=ticket, now=now,
           detail=f"reason={reason} severity={severity}")
    proven = identity.verified_customer(session, conversation_id, now)
    if proven is not None:  # the agents keep knowing which order the case is about
        ticket.handed_over_customer_id = proven.customer_id
        ticket.handed_over_order_id = proven.order_id
        ticket.handed_over_level = proven.level
    identity.forget(session, conversation_id)  # people take over: the bot's verification ends here
    return ticket


def _join_open_ticket(ticket: Ticket, severity: str, evidence: list[str], now: datetime, *,
                      calendar: BusinessCalendar, business_reply_minutes: int, first_reply_hours: int) -> Ticket:
    """A second escalation of a conversation already with people: a higher severity and the new evidence."""
    if SEVERITY_RANK.get(severity, 0) > SEVERITY_RANK.get(ticket.severity, 0):
        ticket.severity = severity
        ticket.first_reply_due = min(ticket.first_reply_due, first_reply_due(
            now, severity, calendar=calendar, business_reply_minutes=business_reply_minutes,
            first_reply_hours=first_reply_hours))
    ticket.evidence = "\n".join(dict.fromkeys([*ticket.evidence.splitlines(), *evidence]))
    return ticket


@dataclass(frozen=True)
class CaseProof:
    """Which customer and order a ticket is about, and how that was proven."""

    customer_id: int
    order_id: int
    level: str  # identity.LEVEL_ORDER | identity.LEVEL_STEP_UP
    live: bool  # proven again in this conversation now, not only before the hand-off


def case_proof(session: Session, ticket: Ticket, now: datetime) -> CaseProof | None:
    """The conversation's live verification, else what it had proven when it was handed over.

    For the agents' side (order panel, canned-reply variables, satisfaction's
    once-a-week rule). What a reply may carry is still decided by the live
    verification alone, in the outbound guard.
    """
    live = identity.verified_customer(session, ticket.conversation_id, now)
    if live is not None:
        return CaseProof(live.customer_id, live.order_id, live.level, True)
    if ticket.handed_over_order_id is None:
        return None
    return CaseProof(ticket.handed_over_customer_id, ticket.handed_over_order_id, ticket.handed_over_level, False)


def gate(session: Session, conversation_id: str, text: str, now: datetime,
         calendar: BusinessCalendar = DEFAULT_CALENDAR) -> GateDecision:
    """Called by every channel before Rasa: a handed-off conversation is kept from the bot.

    The customer's message goes into the transcript; the first one after
    the hand-off gets one short acknowledgement, later ones none. Outside
    business hours the acknowledgement says when people are back, so a
    customer writing on a holiday evening does not wait for an answer tonight.
    """
    ticket = active_ticket(session, conversation_id)
    if ticket is None:
        return GateDecision(pass_to_bot=True)
    session.add(TicketMessage(ticket_id=ticket.id, at=now, author="customer", channel=ticket.channel,
                              text=_customer_text(session, conversation_id, text, now)))
    acknowledge = ticket.acknowledged_at is None and session.execute(
        select(TicketMessage.id).where(TicketMessage.ticket_id == ticket.id, TicketMessage.author == "agent").limit(1)
    ).first() is None  # an agent is already talking to the customer
    if acknowledge:
        # A conditional UPDATE, not the loaded row: two replicas taking two quick messages at once
        # both read "not acknowledged"; only the one whose UPDATE changes the row says so.
        acknowledge = session.execute(
            update(Ticket).where(Ticket.id == ticket.id, Ticket.acknowledged_at.is_(None))
            .values(acknowledged_at=now).execution_options(synchronize_session=False)
        ).rowcount == 1
    out_of_hours = ticket.severity != "urgent" and not calendar.is_open(now)
    return GateDecision(pass_to_bot=False, acknowledge=acknowledge, ticket_reference=ticket.reference,
                        opens_at=calendar.next_opening(now) if out_of_hours else None,
                        reply_due=ticket.first_reply_due if out_of_hours else None)


def acknowledgement(decision: GateDecision) -> str:
    """The one reply to a customer writing to people: in business hours short, outside them with the times."""
    if decision.opens_at is None or decision.reply_due is None:
        return templates.HANDOFF_ACK
    return templates.HANDOFF_ACK_OUT_OF_HOURS.format(opens=format_deadline(decision.opens_at),
                                                     reply_due=format_deadline(decision.reply_due))


def record_bot_reply(session: Session, conversation_id: str, text: str, now: datetime) -> None:
    """The bot's words in a handed-off conversation (the hand-over message, the acknowledgement)."""
    ticket = active_ticket(session, conversation_id)
    if ticket is not None:
        text = guarded_replacements(session, conversation_id).get(_reply_key(text), text)
        session.add(TicketMessage(ticket_id=ticket.id, at=now, author="bot", text=text, channel=ticket.channel))


def _reply_key(text: str) -> str:
    """An HMAC of a bot reply: finds it again without keeping a blocked text (it holds someone's data)."""
    return hmac.new(server_secret(), f"reply\x00{text}".encode("utf-8"), hashlib.sha256).hexdigest()


def record_guarded_reply(session: Session, conversation_id: str, original: str, delivered: str,
                         now: datetime) -> None:
    """The guard sent ``delivered`` instead of the bot's ``original``: transcripts show what was sent.

    Lines already in the active ticket's transcript are corrected; a ticket
    opened later finds the replacement through ``guarded_replacements``.
    """
    session.add(GuardedReply(conversation_id=conversation_id, at=now, original_key=_reply_key(original),
                             delivered_text=delivered))
    ticket = active_ticket(session, conversation_id)
    if ticket is not None:
        session.execute(
            update(TicketMessage).where(TicketMessage.ticket_id == ticket.id, TicketMessage.author == "bot",
                                        TicketMessage.text == original)
            .values(text=delivered).execution_options(synchronize_session=False)
        )


def guarded_replacements(session: Session, conversation_id: str) -> dict[str, str]:
    """Reply key → the text the customer received instead, for this conversation."""
    return dict(session.execute(
        select(GuardedReply.original_key, GuardedReply.delivered_text)
        .where(GuardedReply.conversation_id == conversation_id).order_by(GuardedReply.id)
    ).all())


# ---------------------------------------------------------------------------
# The queue and agents' actions
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueRow:
    ticket: Ticket
    waiting: timedelta
    overdue: bool  # no human reply yet and past first_reply_due
    issue_type: str = ""  # the trouble under the ticket (its trouble record's type), beside the ticket's reason


def queue(session: Session, now: datetime) -> list[QueueRow]:
    """Open and claimed tickets, most severe first, then longest waiting first."""
    tickets = session.execute(
        select(Ticket).where(Ticket.status.in_(ACTIVE)).options(selectinload(Ticket.agent))
    ).scalars().all()
    tickets.sort(key=lambda t: (-SEVERITY_RANK.get(t.severity, 0), t.created_at))
    types = issue_types_of(session, tickets)
    return [QueueRow(t, now - t.created_at, t.first_human_reply_at is None and now > t.first_reply_due,
                     types.get(t.trouble_reference or "", ""))
            for t in tickets]


def issue_types_of(session: Session, tickets: Iterable[Ticket]) -> dict[str, str]:
    """The issue type of each ticket's trouble record, by trouble reference (one query)."""
    references = {t.trouble_reference for t in tickets if t.trouble_reference}
    if not references:
        return {}
    return dict(session.execute(
        select(Trouble.reference, Trouble.issue_type).where(Trouble.reference.in_(references))).all())


def get_ticket(session: Session, ticket_id: int) -> Ticket:
    ticket = session.execute(
        select(Ticket).where(Ticket.id == ticket_id)
        .options(selectinload(Ticket.messages).selectinload(TicketMessage.agent), selectinload(Ticket.agent))
    ).scalar_one_or_none()
    if ticket is None:
        raise HandoffError("このチケットは見つかりません。")
    return ticket


def record_view(session: Session, ticket: Ticket, agent: Agent, now: datetime) -> None:
    _audit(session, actor=f"agent:{agent.login}", action="ticket_view", ticket=ticket, now=now)


def claim(session: Session, ticket_id: int, agent: Agent, now: datetime) -> Ticket:
    """Take a ticket. One conditional UPDATE, so two agents can never both succeed."""
    claimed = session.execute(
        update(Ticket).where(Ticket.id == ticket_id, Ticket.status == OPEN, Ticket.claimed_by.is_(None))
        .values(claimed_by=agent.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    ticket = get_ticket(session, ticket_id)
    session.refresh(ticket)
    if not claimed:
        if ticket.status == OPEN and ticket.claimed_by == agent.id:
            return ticket
        if ticket.status == OPEN and ticket.claimed_by is not None:
            raise HandoffError("このチケットは他の担当者が対応中です。")
        raise HandoffError("このチケットは対応中の一覧にありません（終了済み、またはボットに戻されています）。")
    _audit(session, actor=f"agent:{agent.login}", action="ticket_claim", ticket=ticket, now=now)
    return ticket


def _require_holder(ticket: Ticket, agent: Agent) -> None:
    if ticket.status != OPEN or ticket.claimed_by is None:
        raise HandoffError("先にこのチケットを担当してください。")
    if ticket.claimed_by != agent.id and agent.role != "supervisor":
        raise HandoffError("このチケットは他の担当者が対応中です。")


def reply(session: Session, ticket_id: int, agent: Agent, text: str, now: datetime) -> TicketMessage:
    """An agent's reply; the owning channel delivers it (``claim_deliveries``).

    The ticket's first-reply clock stops when a reply is delivered (``delivery_done``),
    not here: a reply the guard blocks or the channel cannot deliver has not answered anyone.
    """
    text = text.strip()
    if not text:
        raise HandoffError("返信の本文が空です。")
    if len(text) > MAX_TRANSCRIPT_TEXT:
        raise HandoffError(f"返信が長すぎます（{MAX_TRANSCRIPT_TEXT}文字まで）。")
    ticket = get_ticket(session, ticket_id)
    _require_holder(ticket, agent)
    message = TicketMessage(ticket_id=ticket.id, at=now, author="agent", agent_id=agent.id, text=text,
                            channel=ticket.channel, delivery=DeliveryState.PENDING, retry_key=str(uuid.uuid4()))
    session.add(message)
    _audit(session, actor=f"agent:{agent.login}", action="ticket_reply", ticket=ticket, now=now,
           detail=f"{len(text)} characters")
    session.flush()
    return message


def hand_back(session: Session, ticket_id: int, agent: Agent, now: datetime) -> Ticket:
    """The bot answers this conversation again."""
    ticket = get_ticket(session, ticket_id)
    _require_holder(ticket, agent)
    ticket.status, ticket.ended_at = HANDED_BACK, now
    _audit(session, actor=f"agent:{agent.login}", action="ticket_hand_back", ticket=ticket, now=now)
    identity.forget(session, ticket.conversation_id)  # the bot starts over with a stranger
    return ticket


def close(session: Session, ticket_id: int, agent: Agent, outcome: str, note: str, now: datetime) -> Ticket:
    """End the case with an outcome. The conversation goes back to the bot for new questions."""
    if outcome not in OUTCOMES:
        raise HandoffError("対応結果を選んでください。")
    ticket = get_ticket(session, ticket_id)
    _require_holder(ticket, agent)
    ticket.status, ticket.ended_at = CLOSED, now
    ticket.outcome, ticket.outcome_note = outcome, mask_personal_data(note.strip())[:2000] or None
    _audit(session, actor=f"agent:{agent.login}", action="ticket_close", ticket=ticket, now=now,
           detail=f"outcome={outcome}")
    identity.forget(session, ticket.conversation_id)  # the bot starts over with a stranger
    return ticket


def release(session: Session, ticket_id: int, agent: Agent, now: datetime) -> Ticket:
    """Put a claimed ticket back in the queue for a colleague (still handed off)."""
    ticket = get_ticket(session, ticket_id)
    _require_holder(ticket, agent)
    ticket.claimed_by, ticket.claimed_at = None, None
    _audit(session, actor=f"agent:{agent.login}", action="ticket_release", ticket=ticket, now=now)
    return ticket


# ---------------------------------------------------------------------------
# Delivery of agents' replies, by the channel that owns the conversation
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Delivery:
    message_id: int
    conversation_id: str
    text: str
    agent_name: str
    # The same on every attempt, so a platform that saw an earlier one can drop a duplicate.
    retry_key: str = ""


def claim_deliveries(session: Session, channel: str, now: datetime, limit: int = 20,
                     conversation_id: str | None = None) -> list[Delivery]:
    """Agents' replies this channel should send now, marked ``sending`` so no one else sends them.

    A message left ``sending`` for over a minute (a process died mid-send) is
    tried again; one that failed waits for its ``next_attempt_at``; each claim
    is a conditional UPDATE, so with several replicas a message is taken by one of them.
    """
    stale = now - timedelta(minutes=1)
    due = or_(TicketMessage.next_attempt_at.is_(None), TicketMessage.next_attempt_at <= now)
    takeable = or_(and_(TicketMessage.delivery == DeliveryState.PENDING, due),
                   and_(TicketMessage.delivery == DeliveryState.SENDING, TicketMessage.sending_since < stale))
    query = (
        select(TicketMessage.id).join(Ticket)
        .where(TicketMessage.channel == channel, TicketMessage.author.in_(OUTBOX_AUTHORS), takeable)
        .order_by(TicketMessage.id).limit(limit)
    )
    if conversation_id is not None:
        query = query.where(Ticket.conversation_id == conversation_id)
    taken = []
    for message_id in session.execute(query).scalars().all():
        won = session.execute(
            update(TicketMessage).where(TicketMessage.id == message_id, takeable)
            .values(delivery=DeliveryState.SENDING, sending_since=now,
                    delivery_attempts=TicketMessage.delivery_attempts + 1,
                    # a reply written before retry keys existed gets its one key now, kept from then on
                    retry_key=func.coalesce(TicketMessage.retry_key, str(uuid.uuid4())))
            .execution_options(synchronize_session=False)
        ).rowcount
        if won:
            taken.append(message_id)
    if not taken:
        return []
    rows = session.execute(
        select(TicketMessage, Ticket.conversation_id).join(Ticket).where(TicketMessage.id.in_(taken))
        .options(selectinload(TicketMessage.agent)).order_by(TicketMessage.id)
    ).all()
    return [Delivery(m.id, conversation_id, m.text, m.agent.display_name if m.agent else "", m.retry_key)
            for m, conversation_id in rows]


def conversations_with_pending_replies(session: Session, channel: str, now: datetime | None = None) -> list[str]:
    """Conversations of this channel with agents' replies waiting to be sent (and due, given ``now``)."""
    query = (select(Ticket.conversation_id).join(TicketMessage)
             .where(TicketMessage.channel == channel, TicketMessage.author.in_(OUTBOX_AUTHORS),
                    TicketMessage.delivery == DeliveryState.PENDING))
    if now is not None:
        query = query.where(or_(TicketMessage.next_attempt_at.is_(None), TicketMessage.next_attempt_at <= now))
    return list(session.execute(query.distinct()).scalars())


def retry_backoff(attempts: int) -> timedelta:
    """The pause after the ``attempts``-th failed attempt: 5 s, 10 s, 20 s … at most 10 minutes."""
    return min(DELIVERY_FIRST_BACKOFF * (2 ** max(attempts - 1, 0)), DELIVERY_MAX_BACKOFF)


def delivery_done(session: Session, message_id: int, now: datetime, error: str | None = None,
                  retry: bool = False) -> None:
    """Record how sending went; only this call moves a reply out of ``sending``.

    Delivered: the ticket's first-reply clock stops (if this is the first).
    A retryable failure goes back to pending after a backoff, until the
    retry window since the reply was written has passed; then it fails.
    Idempotent for a reply already delivered (a late duplicate report changes nothing).
    """
    message = session.get(TicketMessage, message_id)
    if message is None or message.delivery == DeliveryState.DELIVERED:
        return
    if error is None:
        message.delivery, message.delivered_at, message.delivery_error = DeliveryState.DELIVERED, now, None
        message.next_attempt_at = None
        ticket = session.get(Ticket, message.ticket_id)
        if ticket is not None and ticket.first_human_reply_at is None:
            ticket.first_human_reply_at = now
        return
    message.delivery_error = error[:200]
    if retry and now - message.at < DELIVERY_RETRY_WINDOW:
        message.delivery = DeliveryState.PENDING
        message.next_attempt_at = now + retry_backoff(message.delivery_attempts)
    else:
        message.delivery, message.delivered_at, message.next_attempt_at = DeliveryState.FAILED, now, None


def waiting_counts(session: Session) -> dict[str, int]:
    """Active tickets nobody holds ("open") and held by an agent ("claimed"), for the console header."""
    held = Ticket.claimed_by.is_not(None)
    rows = session.execute(
        select(held, func.count()).where(Ticket.status.in_(ACTIVE)).group_by(held)
    ).all()
    return {("claimed" if is_held else "open"): count for is_held, count in rows}


def now_utc() -> datetime:
    return datetime.now(timezone.utc)
