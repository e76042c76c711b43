"""The hand-off core (bot.handoff) against real databases: SQLite files and PostgreSQL.

Each database is migrated once per module (bot.store.migrate.upgrade) and
emptied before every test, so tests are isolated without paying for a new
schema each time. Time is passed explicitly as fixed aware datetimes.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine

from bot import handoff
from bot.business_calendar import BusinessCalendar
from bot.handoff import (
    DELIVERY_RETRY_WINDOW,
    MAX_TRANSCRIPT_TEXT,
    OUTCOMES,
    HandoffError,
    TranscriptLine,
    claim,
    claim_deliveries,
    close,
    conversations_with_pending_replies,
    delivery_done,
    first_reply_due,
    gate,
    hand_back,
    open_ticket,
    queue,
    release,
    reply,
)
from bot.store.db import engine_for, session_scope
from bot.store.migrate import upgrade
from bot.store.models import (
    Agent,
    AuditEntry,
    Base,
    Customer,
    Order,
    Ticket,
    TicketMessage,
    Trouble,
    VerifiedConversation,
)
from bot.support import JST
from tests.conftest import POSTGRES_ADMIN_URL, postgres_admin_engine

# 2026-11-25 is a Wednesday; 11-27 a Friday, 11-28/29 the weekend, 11-30 a Monday.
WED_10 = datetime(2026, 11, 25, 10, 0, tzinfo=JST)
NOW = WED_10
CONFLICT = "このチケットは他の担当者が対応中です。"
NOT_CLAIMED = "先にこのチケットを担当してください。"
NOT_ACTIVE = "このチケットは対応中の一覧にありません（終了済み、またはボットに戻されています）。"

PHONE, EMAIL = "090-1234-5678", "hanako.yamada@example.jp"
PERSONAL = f"電話は{PHONE}、メールは{EMAIL}です。注文はMD26110018"
PERSONAL_MASKED = "電話は[電話番号]、メールは[メールアドレス]です。注文はMD26110018"


# ---------------------------------------------------------------------------
# Databases
# ---------------------------------------------------------------------------

@dataclass
class Db:
    url: str
    engine: Engine


@pytest.fixture(scope="module")
def _postgres_database():
    """One database on the machine's PostgreSQL for this module, migrated once, dropped afterwards."""
    admin = postgres_admin_engine()
    name = f"madoguchi_test_handoff_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        engine_for(url).dispose()
        engine_for.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def _database(request, tmp_path_factory):
    if request.param == "postgresql":
        yield request.getfixturevalue("_postgres_database")
        return
    url = f"sqlite:///{tmp_path_factory.mktemp('handoff') / 'handoff.db'}"  # a file: threads share it
    upgrade(url)
    yield url
    engine_for(url).dispose()


@pytest.fixture
def db(_database) -> Db:
    """The module's database, emptied: every test starts with no rows in any table."""
    engine = engine_for(_database)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))
    return Db(_database, engine)


def fresh_engine(db: Db) -> Engine:
    """A second engine (own pool, own connections) on the same database, as another process would have."""
    return engine_for.__wrapped__(db.url)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def add_agent(db: Db, login: str, role: str = "agent") -> Agent:
    with session_scope(db.engine) as session:
        agent = Agent(login=login, display_name=f"{login} さん", password_hash="not-a-real-hash", role=role,
                      created_at=NOW)
        session.add(agent)
        session.flush()
        return agent


def verify_conversation(db: Db, conversation_id: str) -> None:
    """Mark the conversation as verified, as bot.identity does after order number + phone digits."""
    with session_scope(db.engine) as session:
        customer = Customer(name="山田 花子", name_kana="ヤマダ ハナコ", birth_date=date(1980, 4, 1),
                            phone=PHONE, email=EMAIL, postal_code="150-0001", address="東京都渋谷区神宮前1-1-1")
        order = Order(order_number=f"MD{uuid.uuid4().int % 10**8:08d}", customer=customer,
                      ordered_at=NOW - timedelta(days=3), status="delivered")
        session.add_all([customer, order])
        session.flush()
        session.add(VerifiedConversation(conversation_id=conversation_id, customer_id=customer.id,
                                         order_id=order.id, sender_key="k" * 64, verified_at=NOW, level="order"))


def new_ticket(db: Db, conversation_id: str = "line:U1", *, severity: str = "normal", now: datetime = NOW,
               channel: str = "line", evidence=("しつこい要求",), transcript=(), reason: str = "abusive",
               **kwargs) -> Ticket:
    with session_scope(db.engine) as session:
        return open_ticket(session, conversation_id=conversation_id, channel=channel, reason=reason,
                           severity=severity, evidence=list(evidence), transcript=list(transcript), now=now,
                           **kwargs)


def load(db: Db, ticket_id: int) -> Ticket:
    with session_scope(db.engine) as session:
        return session.get(Ticket, ticket_id)


def lines(db: Db, ticket_id: int) -> list[TicketMessage]:
    with session_scope(db.engine) as session:
        return list(session.execute(select(TicketMessage).where(TicketMessage.ticket_id == ticket_id)
                                    .order_by(TicketMessage.id)).scalars())


def audit(db: Db, action: str | None = None) -> list[AuditEntry]:
    with session_scope(db.engine) as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        return list(session.execute(query).scalars())


def do(db: Db, action, *args, **kwargs):
    """One agent action in its own transaction, as the console does it."""
    with session_scope(db.engine) as session:
        return action(session, *args, **kwargs)


def refused(db: Db, action, *args, **kwargs) -> str:
    with pytest.raises(HandoffError) as raised:
        do(db, action, *args, **kwargs)
    return raised.value.message


def gate_(db: Db, conversation_id: str, message: str = "まだですか", now: datetime = NOW):
    with session_scope(db.engine) as session:
        return gate(session, conversation_id, message, now)


def claimed_reply(db: Db, conversation_id: str = "line:U1", *, channel: str = "line", agent: Agent | None = None,
                  message: str = "お待たせしております。担当の者です。") -> TicketMessage:
    ticket = new_ticket(db, conversation_id, channel=channel)
    agent = agent or add_agent(db, f"agent-{uuid.uuid4().hex[:6]}")
    do(db, claim, ticket.id, agent, NOW)
    return do(db, reply, ticket.id, agent, message, NOW)


def message(db: Db, message_id: int) -> TicketMessage:
    with session_scope(db.engine) as session:
        return session.get(TicketMessage, message_id)


# ---------------------------------------------------------------------------
# Deadlines
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("now, expected", [
    (WED_10, WED_10 + timedelta(minutes=60)),
    (datetime(2026, 11, 25, 9, 0, tzinfo=JST), datetime(2026, 11, 25, 10, 0, tzinfo=JST)),  # opening minute
    (datetime(2026, 11, 25, 17, 59, tzinfo=JST), datetime(2026, 11, 25, 18, 59, tzinfo=JST)),
    (datetime(2026, 11, 25, 1, 0, tzinfo=timezone.utc), datetime(2026, 11, 25, 11, 0, tzinfo=JST)),  # 10:00 JST
], ids=["wed-10", "wed-09-00", "wed-17-59", "utc-input"])
def test_in_business_hours_the_target_is_the_business_minutes(now, expected):
    assert first_reply_due(now, "normal") == expected
    assert first_reply_due(now, "high") == expected


@pytest.mark.parametrize("now, expected", [
    # after closing: next morning's opening + 60 minutes
    (datetime(2026, 11, 25, 18, 0, tzinfo=JST), datetime(2026, 11, 26, 10, 0, tzinfo=JST)),
    (datetime(2026, 11, 25, 22, 30, tzinfo=JST), datetime(2026, 11, 26, 10, 0, tzinfo=JST)),
    # before opening: the same day's opening
    (datetime(2026, 11, 26, 3, 0, tzinfo=JST), datetime(2026, 11, 26, 10, 0, tzinfo=JST)),
    (datetime(2026, 11, 30, 7, 0, tzinfo=JST), datetime(2026, 11, 30, 10, 0, tzinfo=JST)),  # Monday morning
    # Sunday night: Monday's opening is within the 24 hours
    (datetime(2026, 11, 29, 22, 0, tzinfo=JST), datetime(2026, 11, 30, 10, 0, tzinfo=JST)),
    # Friday night and Saturday: Monday is too far, the 24-hour cap applies
    (datetime(2026, 11, 27, 20, 0, tzinfo=JST), datetime(2026, 11, 28, 20, 0, tzinfo=JST)),
    (datetime(2026, 11, 28, 10, 0, tzinfo=JST), datetime(2026, 11, 29, 10, 0, tzinfo=JST)),
    # UTC input, 2026-11-25 13:00 UTC = 22:00 JST
    (datetime(2026, 11, 25, 13, 0, tzinfo=timezone.utc), datetime(2026, 11, 26, 10, 0, tzinfo=JST)),
], ids=["wed-18-00", "wed-22-30", "thu-03", "mon-07", "sun-22", "fri-20-capped", "sat-10-capped", "utc-input"])
def test_outside_business_hours_the_clock_starts_at_the_next_opening_capped(now, expected):
    assert first_reply_due(now, "normal") == expected
    assert first_reply_due(now, "high") == expected


@pytest.mark.parametrize("now", [
    WED_10, datetime(2026, 11, 25, 23, 0, tzinfo=JST), datetime(2026, 11, 28, 3, 0, tzinfo=JST),
    datetime(2026, 11, 29, 14, 0, tzinfo=timezone.utc),
], ids=["weekday", "night", "saturday-night", "sunday-utc"])
def test_urgent_is_answered_within_the_minutes_around_the_clock(now):
    assert first_reply_due(now, "urgent") == now + timedelta(minutes=60)
    assert first_reply_due(now, "urgent", business_reply_minutes=15) == now + timedelta(minutes=15)


def test_configured_hours_minutes_and_cap_are_honoured():
    hours = BusinessCalendar.weekdays(10, 17)
    wed_0930 = datetime(2026, 11, 25, 9, 30, tzinfo=JST)  # closed with these hours
    assert first_reply_due(wed_0930, "normal", calendar=hours, business_reply_minutes=30) == \
        datetime(2026, 11, 25, 10, 30, tzinfo=JST)
    wed_1630 = datetime(2026, 11, 25, 16, 30, tzinfo=JST)
    assert first_reply_due(wed_1630, "normal", calendar=hours, business_reply_minutes=30) == \
        datetime(2026, 11, 25, 17, 0, tzinfo=JST)
    wed_1700 = datetime(2026, 11, 25, 17, 0, tzinfo=JST)
    assert first_reply_due(wed_1700, "normal", calendar=hours, business_reply_minutes=30) == \
        datetime(2026, 11, 26, 10, 30, tzinfo=JST)
    # an 8-hour cap bites before the next opening
    assert first_reply_due(wed_1700, "normal", calendar=hours, business_reply_minutes=30,
                           first_reply_hours=8) == datetime(2026, 11, 26, 1, 0, tzinfo=JST)
    # the cap also bounds the business-hours and urgent targets
    assert first_reply_due(WED_10, "normal", business_reply_minutes=180, first_reply_hours=1) == \
        WED_10 + timedelta(hours=1)
    night = datetime(2026, 11, 28, 2, 0, tzinfo=JST)
    assert first_reply_due(night, "urgent", business_reply_minutes=180, first_reply_hours=2) == \
        night + timedelta(hours=2)


# ---------------------------------------------------------------------------
# Opening a ticket
# ---------------------------------------------------------------------------

def test_open_ticket_stores_reference_status_deadline_transcript_and_audit(db):
    now = datetime(2026, 11, 25, 20, 30, tzinfo=timezone.utc)  # 2026-11-26 05:30 in Japan
    transcript = [
        TranscriptLine("customer", "届いた商品が壊れていました", now - timedelta(minutes=5)),
        TranscriptLine("bot", "ご不便をおかけして申し訳ございません。", now - timedelta(minutes=4)),
        TranscriptLine("customer", "今すぐ全額返金しろ", now - timedelta(minutes=3)),
    ]
    ticket = new_ticket(db, "line:U1", now=now, transcript=transcript, evidence=["全額返金しろ", "", "全額返金しろ"],
                        reason="excessive_demand", trouble_reference="T20261126-00003")
    stored = load(db, ticket.id)
    assert stored.reference == f"E20261126-{ticket.id:05d}"
    assert (stored.status, stored.conversation_id, stored.channel, stored.reason, stored.severity) == \
        ("open", "line:U1", "line", "excessive_demand", "normal")
    assert stored.evidence == "全額返金しろ"
    assert stored.trouble_reference == "T20261126-00003"
    assert stored.created_at == now
    assert stored.first_reply_due == first_reply_due(now, "normal") == datetime(2026, 11, 26, 10, 0, tzinfo=JST)
    assert stored.claimed_by is None and stored.first_human_reply_at is None and stored.acknowledged_at is None
    assert [(m.author, m.text, m.at, m.channel) for m in lines(db, ticket.id)] == \
        [(line.author, line.text, line.at, "line") for line in transcript]
    [entry] = audit(db)
    assert (entry.action, entry.actor, entry.conversation_id, entry.at) == ("ticket_open", "bot", "line:U1", now)
    assert stored.reference in entry.detail and "reason=excessive_demand" in entry.detail
    assert "返金" not in entry.detail


def test_references_count_up_and_channel_defaults_to_unknown(db):
    first = new_ticket(db, "c1")
    second = new_ticket(db, "c2", channel="")
    assert second.id > first.id
    assert load(db, second.id).reference == f"E20261125-{second.id:05d}"
    assert load(db, second.id).channel == "unknown"


def test_configured_deadline_values_reach_the_ticket(db):
    night = datetime(2026, 11, 25, 22, 0, tzinfo=JST)
    ticket = new_ticket(db, "c1", now=night, calendar=BusinessCalendar.weekdays(10, 17), business_reply_minutes=30,
                        first_reply_hours=48)
    assert load(db, ticket.id).first_reply_due == datetime(2026, 11, 26, 10, 30, tzinfo=JST)


def test_unverified_customer_lines_are_masked_bot_lines_kept(db):
    bot_line = "お急ぎの場合は 03-1234-5678 までお電話ください。"
    ticket = new_ticket(db, "web:anon", transcript=[
        TranscriptLine("customer", PERSONAL, NOW), TranscriptLine("bot", bot_line, NOW)])
    assert [m.text for m in lines(db, ticket.id)] == [PERSONAL_MASKED, bot_line]


def test_verified_customer_lines_are_kept_as_typed_until_the_hand_off_ends_the_verification(db):
    verify_conversation(db, "line:verified")
    ticket = new_ticket(db, "line:verified", transcript=[TranscriptLine("customer", PERSONAL, NOW)])
    assert [m.text for m in lines(db, ticket.id)] == [PERSONAL]
    # Opening the ticket ended the verification (bot.identity): later lines are masked like a stranger's.
    gate_(db, "line:verified", f"再送：{PERSONAL}")
    assert lines(db, ticket.id)[-1].text == f"再送：{PERSONAL_MASKED}"


def test_very_long_customer_lines_are_cut(db):
    ticket = new_ticket(db, "c1", transcript=[TranscriptLine("customer", "あ" * (MAX_TRANSCRIPT_TEXT + 50), NOW)])
    assert len(lines(db, ticket.id)[0].text) == MAX_TRANSCRIPT_TEXT


def test_opening_again_keeps_the_ticket_raises_severity_and_merges_evidence(db):
    night = datetime(2026, 11, 25, 22, 0, tzinfo=JST)
    ticket = new_ticket(db, "line:U1", now=night, evidence=["返金しろ", "上の者を出せ"])
    assert load(db, ticket.id).first_reply_due == datetime(2026, 11, 26, 10, 0, tzinfo=JST)

    later = night + timedelta(minutes=10)
    again = new_ticket(db, "line:U1", now=later, severity="urgent", evidence=["上の者を出せ", "家に行くぞ"])
    assert again.id == ticket.id
    stored = load(db, ticket.id)
    assert stored.severity == "urgent"
    assert stored.first_reply_due == later + timedelta(minutes=60)  # urgent: around the clock
    assert stored.evidence.splitlines() == ["返金しろ", "上の者を出せ", "家に行くぞ"]
    assert stored.reference == f"E20261125-{ticket.id:05d}"

    # a milder escalation never lowers severity nor moves the deadline
    third = new_ticket(db, "line:U1", now=later + timedelta(hours=1), severity="normal", evidence=["返金しろ"])
    assert third.id == ticket.id
    stored = load(db, ticket.id)
    assert stored.severity == "urgent"
    assert stored.first_reply_due == later + timedelta(minutes=60)
    assert stored.evidence.splitlines() == ["返金しろ", "上の者を出せ", "家に行くぞ"]
    with session_scope(db.engine) as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1
    assert [e.action for e in audit(db)] == ["ticket_open"]


def test_raising_severity_never_moves_the_deadline_later(db):
    # normal in business hours: due 11:00; "high" later at 10:30 would be due 11:30 -> keeps 11:00
    ticket = new_ticket(db, "c1", now=WED_10)
    new_ticket(db, "c1", now=WED_10 + timedelta(minutes=30), severity="high")
    stored = load(db, ticket.id)
    assert stored.severity == "high"
    assert stored.first_reply_due == WED_10 + timedelta(minutes=60)


def test_merged_evidence_has_no_duplicates_even_within_one_escalation(db):
    ticket = new_ticket(db, "c1", evidence=["返金しろ"])
    new_ticket(db, "c1", evidence=["家に行くぞ", "家に行くぞ", ""])
    assert load(db, ticket.id).evidence.splitlines() == ["返金しろ", "家に行くぞ"]


def test_a_new_ticket_after_the_old_one_ended(db):
    agent = add_agent(db, "sato")
    first = new_ticket(db, "c1")
    do(db, claim, first.id, agent, NOW)
    do(db, close, first.id, agent, "resolved", "", NOW)
    second = new_ticket(db, "c1", severity="high")
    assert second.id != first.id
    assert (load(db, first.id).status, load(db, second.id).status) == ("closed", "open")


# ---------------------------------------------------------------------------
# The gate
# ---------------------------------------------------------------------------

def test_gate_without_a_ticket_passes_to_the_bot(db):
    decision = gate_(db, "line:U1")
    assert (decision.pass_to_bot, decision.acknowledge, decision.ticket_reference) == (True, False, None)
    with session_scope(db.engine) as session:
        assert session.scalar(select(func.count()).select_from(TicketMessage)) == 0


def test_gate_keeps_the_conversation_from_the_bot_and_acknowledges_once(db):
    ticket = new_ticket(db, "line:U1", transcript=[TranscriptLine("customer", "最初の発言", NOW)])
    reference = load(db, ticket.id).reference
    first = gate_(db, "line:U1", f"まだですか？ {PHONE}", NOW + timedelta(minutes=1))
    assert (first.pass_to_bot, first.acknowledge, first.ticket_reference) == (False, True, reference)
    assert load(db, ticket.id).acknowledged_at == NOW + timedelta(minutes=1)
    for minute in (2, 3):
        later = gate_(db, "line:U1", "早くしろ", NOW + timedelta(minutes=minute))
        assert (later.pass_to_bot, later.acknowledge, later.ticket_reference) == (False, False, reference)
    assert [(m.author, m.text, m.channel) for m in lines(db, ticket.id)] == [
        ("customer", "最初の発言", "line"),
        ("customer", "まだですか？ [電話番号]", "line"),  # unverified: masked
        ("customer", "早くしろ", "line"),
        ("customer", "早くしろ", "line"),
    ]


def _pause_before(engine: Engine, statement_start: str, reached: threading.Event, go_on: threading.Event) -> None:
    """Makes ``engine`` (another replica's) stop just before it runs a statement, until ``go_on`` is set."""

    @event.listens_for(engine, "before_cursor_execute")
    def pause(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(statement_start) and not go_on.is_set():
            reached.set()
            go_on.wait(20)


def _in_other_replica(db: Db, statement_start: str, work) -> tuple[threading.Thread, dict, threading.Event]:
    """Runs ``work(session)`` on a second engine in a thread that stops before ``statement_start``."""
    other, reached, go_on, result = fresh_engine(db), threading.Event(), threading.Event(), {}
    _pause_before(other, statement_start, reached, go_on)

    def run() -> None:
        with session_scope(other) as session:
            result["value"] = work(session)

    thread = threading.Thread(target=run)
    thread.start()
    assert reached.wait(20), "the other replica never got as far as the statement"
    return thread, result, go_on


def test_two_replicas_escalating_one_conversation_at_once_open_one_ticket(db):
    """Both found no open ticket; the database lets one insert, and the other joins that ticket."""
    thread, result, go_on = _in_other_replica(db, "INSERT INTO TICKETS", lambda session: open_ticket(
        session, conversation_id="web:race", channel="web", reason="fraud_scheme", severity="urgent",
        evidence=["副業"], transcript=[], now=NOW).id)
    first = new_ticket(db, "web:race", evidence=["しつこい要求"])  # this replica wins, meanwhile
    go_on.set()
    thread.join(30)
    with session_scope(db.engine) as session:
        open_ones = session.execute(select(Ticket).where(Ticket.conversation_id == "web:race",
                                                         Ticket.status == "open")).scalars().all()
        assert [t.id for t in open_ones] == [first.id] == [result["value"]]
        assert open_ones[0].severity == "urgent"  # the other's escalation joined the ticket
        assert open_ones[0].evidence.splitlines() == ["しつこい要求", "副業"]


def test_two_replicas_taking_quick_messages_at_once_acknowledge_once(db):
    """Both read "not acknowledged yet"; only the one whose conditional UPDATE changes the row says so."""
    new_ticket(db, "line:U1")
    thread, result, go_on = _in_other_replica(
        db, "INSERT INTO TICKET_MESSAGES", lambda session: gate(session, "line:U1", "まだ？", NOW).acknowledge)
    mine = gate_(db, "line:U1", "まだですか")
    go_on.set()
    thread.join(30)
    assert mine.acknowledge
    assert result["value"] is False


def test_no_acknowledgement_once_an_agent_has_replied(db):
    agent = add_agent(db, "sato")
    ticket = new_ticket(db, "line:U1")
    do(db, claim, ticket.id, agent, NOW)
    do(db, reply, ticket.id, agent, "担当の佐藤です。", NOW)
    decision = gate_(db, "line:U1")
    assert (decision.pass_to_bot, decision.acknowledge) == (False, False)


def test_other_conversations_are_not_affected(db):
    new_ticket(db, "line:U1")
    assert gate_(db, "line:U2").pass_to_bot
    assert gate_(db, "telegram:U1").pass_to_bot
    assert not gate_(db, "line:U1").pass_to_bot


@pytest.mark.parametrize("ending", ["hand_back", "close"])
def test_after_hand_back_or_close_the_bot_answers_again(db, ending):
    agent = add_agent(db, "sato")
    ticket = new_ticket(db, "line:U1")
    assert not gate_(db, "line:U1").pass_to_bot
    do(db, claim, ticket.id, agent, NOW)
    assert not gate_(db, "line:U1").pass_to_bot  # claimed is still handed off
    if ending == "hand_back":
        do(db, hand_back, ticket.id, agent, NOW)
    else:
        do(db, close, ticket.id, agent, "refused", "", NOW)
    before = len(lines(db, ticket.id))
    decision = gate_(db, "line:U1", "ありがとうございました")
    assert decision.pass_to_bot and not decision.acknowledge
    assert len(lines(db, ticket.id)) == before


def test_a_released_ticket_still_keeps_the_bot_out(db):
    agent = add_agent(db, "sato")
    ticket = new_ticket(db, "line:U1")
    do(db, claim, ticket.id, agent, NOW)
    do(db, release, ticket.id, agent, NOW)
    assert not gate_(db, "line:U1").pass_to_bot


# ---------------------------------------------------------------------------
# The queue
# ---------------------------------------------------------------------------

def test_queue_orders_by_severity_then_age_and_flags_overdue(db):
    agent = add_agent(db, "sato")
    t0 = WED_10
    old_normal = new_ticket(db, "c-old-normal", now=t0)
    high = new_ticket(db, "c-high", now=t0 + timedelta(minutes=5), severity="high")
    new_normal = new_ticket(db, "c-new-normal", now=t0 + timedelta(minutes=8))
    urgent = new_ticket(db, "c-urgent", now=t0 + timedelta(minutes=20), severity="urgent")
    old_urgent = new_ticket(db, "c-old-urgent", now=t0 + timedelta(minutes=15), severity="urgent")
    answered = new_ticket(db, "c-answered", now=t0 - timedelta(minutes=5))
    closed = new_ticket(db, "c-closed", now=t0, severity="urgent")
    handed_back = new_ticket(db, "c-handed-back", now=t0, severity="urgent")
    for ticket in (answered, closed, handed_back):
        do(db, claim, ticket.id, agent, t0)
    do(db, reply, answered.id, agent, "確認いたします。", t0)
    [delivery] = claim_(db, "line", t0, conversation_id="c-answered")
    done(db, delivery.message_id, t0)  # answered: the reply reached the customer
    do(db, close, closed.id, agent, "duplicate", "", t0)
    do(db, hand_back, handed_back.id, agent, t0)

    now = t0 + timedelta(minutes=70)  # 11:10: past the normal/high deadlines (11:00-11:08), not the urgent ones
    with session_scope(db.engine) as session:
        rows = queue(session, now)
        got = [(r.ticket.id, r.overdue, r.waiting) for r in rows]
        claimed_by = {r.ticket.id: (r.ticket.agent.login if r.ticket.agent else None) for r in rows}
    assert got == [
        (old_urgent.id, False, timedelta(minutes=55)),
        (urgent.id, False, timedelta(minutes=50)),
        (high.id, True, timedelta(minutes=65)),
        (answered.id, False, timedelta(minutes=75)),  # past due, but a person has replied
        (old_normal.id, True, timedelta(minutes=70)),
        (new_normal.id, True, timedelta(minutes=62)),
    ]
    assert claimed_by[answered.id] == "sato" and claimed_by[old_normal.id] is None

    with session_scope(db.engine) as session:
        assert not any(r.overdue for r in queue(session, t0 + timedelta(minutes=30)))
        at_due = {r.ticket.id: r.overdue for r in queue(session, t0 + timedelta(minutes=60))}
        assert at_due[old_normal.id] is False  # due at 11:00 exactly: not yet overdue
        assert at_due[answered.id] is False
        assert handoff.waiting_counts(session) == {"open": 5, "claimed": 1}


# ---------------------------------------------------------------------------
# Claiming
# ---------------------------------------------------------------------------

def test_claim_is_exclusive_and_re_claim_by_the_holder_is_fine(db):
    sato, suzuki = add_agent(db, "sato"), add_agent(db, "suzuki")
    ticket = new_ticket(db, "c1")
    claimed = do(db, claim, ticket.id, sato, NOW + timedelta(minutes=1))
    assert (claimed.status, claimed.claimed_by) == ("open", sato.id)
    assert refused(db, claim, ticket.id, suzuki, NOW + timedelta(minutes=2)) == CONFLICT
    again = do(db, claim, ticket.id, sato, NOW + timedelta(minutes=3))
    assert (again.status, again.claimed_by) == ("open", sato.id)
    stored = load(db, ticket.id)
    assert (stored.status, stored.claimed_by, stored.claimed_at) == ("open", sato.id, NOW + timedelta(minutes=1))
    claims = audit(db, "ticket_claim")
    assert [(e.actor, e.at) for e in claims] == [("agent:sato", NOW + timedelta(minutes=1))]


def test_claim_in_a_session_that_already_holds_the_ticket_sees_the_new_state(db):
    sato = add_agent(db, "sato")
    ticket = new_ticket(db, "c1")
    with session_scope(db.engine) as session:
        loaded = session.get(Ticket, ticket.id)
        assert loaded.status == "open"
        claimed = claim(session, ticket.id, sato, NOW)
        assert claimed is loaded and (claimed.status, claimed.claimed_by) == ("open", sato.id)


@pytest.mark.parametrize("ending", ["close", "hand_back"])
def test_ended_tickets_cannot_be_claimed(db, ending):
    sato, suzuki = add_agent(db, "sato"), add_agent(db, "suzuki")
    ticket = new_ticket(db, "c1")
    do(db, claim, ticket.id, sato, NOW)
    if ending == "close":
        do(db, close, ticket.id, sato, "resolved", "", NOW)
    else:
        do(db, hand_back, ticket.id, sato, NOW)
    assert refused(db, claim, ticket.id, suzuki, NOW) == NOT_ACTIVE
    assert refused(db, claim, ticket.id, sato, NOW) == NOT_ACTIVE
    assert load(db, ticket.id).status == ("closed" if ending == "close" else "handed_back")


def test_claiming_an_unknown_ticket_fails(db):
    sato = add_agent(db, "sato")
    assert refused(db, claim, 999_999, sato, NOW) == "このチケットは見つかりません。"


def test_a_released_ticket_can_be_claimed_by_a_colleague(db):
    sato, suzuki = add_agent(db, "sato"), add_agent(db, "suzuki")
    ticket = new_ticket(db, "c1")
    do(db, claim, ticket.id, sato, NOW)
    do(db, release, ticket.id, sato, NOW)
    claimed = do(db, claim, ticket.id, suzuki, NOW)
    assert claimed.claimed_by == suzuki.id
    assert [e.actor for e in audit(db, "ticket_claim")] == ["agent:sato", "agent:suzuki"]


def test_two_agents_claiming_at_the_same_moment_exactly_one_wins(db):
    """Real concurrency: each agent in its own thread with its own engine, released together by a barrier."""
    agents = [add_agent(db, "sato"), add_agent(db, "suzuki")]
    engines = [fresh_engine(db) for _ in agents]
    try:
        for round_ in range(4):
            ticket = new_ticket(db, f"race-{round_}")
            barrier = threading.Barrier(len(agents))
            results: dict[int, str] = {}

            def attempt(i: int, barrier=barrier, ticket=ticket, results=results) -> None:
                try:
                    with session_scope(engines[i]) as session:
                        agent = session.get(Agent, agents[i].id)  # connection and transaction warm
                        barrier.wait(timeout=10)
                        claim(session, ticket.id, agent, NOW)
                    results[i] = "won"
                except HandoffError as error:
                    results[i] = error.message
                except Exception as error:  # noqa: BLE001 - reported in the assertion below
                    results[i] = f"{type(error).__name__}: {error}"

            threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(agents))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            assert sorted(results.values()) == sorted(["won", CONFLICT]), results
            winner = next(i for i, r in results.items() if r == "won")
            stored = load(db, ticket.id)
            assert (stored.status, stored.claimed_by) == ("open", agents[winner].id)
        assert len(audit(db, "ticket_claim")) == 4
    finally:
        for engine in engines:
            engine.dispose()


# ---------------------------------------------------------------------------
# Replying
# ---------------------------------------------------------------------------

def test_reply_needs_the_claim(db):
    sato, suzuki = add_agent(db, "sato"), add_agent(db, "suzuki")
    ticket = new_ticket(db, "c1")
    assert refused(db, reply, ticket.id, sato, "お待たせしました", NOW) == NOT_CLAIMED
    do(db, claim, ticket.id, sato, NOW)
    assert refused(db, reply, ticket.id, suzuki, "お待たせしました", NOW) == CONFLICT
    assert [m.author for m in lines(db, ticket.id)] == []
    assert load(db, ticket.id).first_human_reply_at is None


@pytest.mark.parametrize("bad, expected", [
    ("", "返信の本文が空です。"),
    ("  \n\u3000 ", "返信の本文が空です。"),
    ("あ" * (MAX_TRANSCRIPT_TEXT + 1), f"返信が長すぎます（{MAX_TRANSCRIPT_TEXT}文字まで）。"),
], ids=["empty", "blank", "too-long"])
def test_empty_or_too_long_replies_are_refused(db, bad, expected):
    sato = add_agent(db, "sato")
    ticket = new_ticket(db, "c1")
    do(db, claim, ticket.id, sato, NOW)
    assert refused(db, reply, ticket.id, sato, bad, NOW) == expected
    assert lines(db, ticket.id) == []


def test_reply_is_recorded_pending_and_the_clock_stops_only_when_one_is_delivered(db):
    sato = add_agent(db, "sato")
    ticket = new_ticket(db, "line:U1")
    do(db, claim, ticket.id, sato, NOW)
    first = do(db, reply, ticket.id, sato, "  担当の佐藤です。確認いたします。\n", NOW + timedelta(minutes=5))
    do(db, reply, ticket.id, sato, "あ" * MAX_TRANSCRIPT_TEXT, NOW + timedelta(minutes=9))  # the limit itself is fine
    stored = message(db, first.id)
    assert (stored.author, stored.agent_id, stored.text, stored.channel, stored.delivery,
            stored.delivery_attempts, stored.at) == \
        ("agent", sato.id, "担当の佐藤です。確認いたします。", "line", "pending", 0, NOW + timedelta(minutes=5))
    assert load(db, ticket.id).first_human_reply_at is None  # written is not answered
    assert [m.delivery for m in lines(db, ticket.id)] == ["pending", "pending"]
    assert stored.retry_key and stored.retry_key != message(db, first.id + 1).retry_key
    entries = audit(db, "ticket_reply")
    assert [(e.actor, e.detail) for e in entries] == [
        ("agent:sato", f"ticket {load(db, ticket.id).reference}: 16 characters"),
        ("agent:sato", f"ticket {load(db, ticket.id).reference}: {MAX_TRANSCRIPT_TEXT} characters"),
    ]


def test_a_supervisor_may_reply_on_a_colleagues_ticket(db):
    sato, boss = add_agent(db, "sato"), add_agent(db, "tanaka", role="supervisor")
    ticket = new_ticket(db, "c1")
    assert refused(db, reply, ticket.id, boss, "責任者の田中です。", NOW) == NOT_CLAIMED  # still needs a claim
    do(db, claim, ticket.id, sato, NOW)
    sent = do(db, reply, ticket.id, boss, "責任者の田中です。", NOW)
    assert message(db, sent.id).agent_id == boss.id
    assert load(db, ticket.id).claimed_by == sato.id  # the claim stays with sato
    assert [e.actor for e in audit(db, "ticket_reply")] == ["agent:tanaka"]


# ---------------------------------------------------------------------------
# Hand back, close, release
# ---------------------------------------------------------------------------

def test_hand_back_close_and_release_change_the_status(db):
    sato = add_agent(db, "sato")
    back, closed, released = new_ticket(db, "c1"), new_ticket(db, "c2"), new_ticket(db, "c3")
    for ticket in (back, closed, released):
        do(db, claim, ticket.id, sato, NOW)
    later = NOW + timedelta(hours=1)
    do(db, hand_back, back.id, sato, later)
    do(db, close, closed.id, sato, "reported_to_police", f"  警察に相談済み。相談者の電話 {PHONE}  ", later)
    do(db, release, released.id, sato, later)

    stored = load(db, back.id)
    assert (stored.status, stored.ended_at, stored.outcome) == ("handed_back", later, None)
    stored = load(db, closed.id)
    assert (stored.status, stored.ended_at, stored.outcome, stored.outcome_note) == \
        ("closed", later, "reported_to_police", "警察に相談済み。相談者の電話 [電話番号]")
    stored = load(db, released.id)
    assert (stored.status, stored.claimed_by, stored.claimed_at, stored.ended_at) == ("open", None, None, None)


def test_close_requires_a_known_outcome(db):
    sato = add_agent(db, "sato")
    ticket = new_ticket(db, "c1")
    do(db, claim, ticket.id, sato, NOW)
    for bad in ("", "solved", "解決"):
        assert refused(db, close, ticket.id, sato, bad, "", NOW) == "対応結果を選んでください。"
    assert (load(db, ticket.id).status, load(db, ticket.id).claimed_by) == ("open", sato.id)
    for outcome in OUTCOMES:
        other = new_ticket(db, f"c-{outcome}")
        do(db, claim, other.id, sato, NOW)
        do(db, close, other.id, sato, outcome, "", NOW)
        stored = load(db, other.id)
        assert (stored.status, stored.outcome, stored.outcome_note) == ("closed", outcome, None)


def test_only_the_holder_or_a_supervisor_ends_or_releases(db):
    sato, suzuki = add_agent(db, "sato"), add_agent(db, "suzuki")
    boss = add_agent(db, "tanaka", role="supervisor")
    tickets = [new_ticket(db, f"c{i}") for i in range(3)]
    for action, ticket, extra in zip((hand_back, close, release), tickets, ((), ("resolved", ""), ()), strict=True):
        assert refused(db, action, ticket.id, sato, *extra, NOW) == NOT_CLAIMED  # open: nobody holds it
        do(db, claim, ticket.id, sato, NOW)
        assert refused(db, action, ticket.id, suzuki, *extra, NOW) == CONFLICT
        assert (load(db, ticket.id).status, load(db, ticket.id).claimed_by) == ("open", sato.id)
        do(db, action, ticket.id, boss, *extra, NOW)
    assert [load(db, t.id).status for t in tickets] == ["handed_back", "closed", "open"]
    # an ended ticket cannot be ended again
    assert refused(db, close, tickets[0].id, sato, "resolved", "", NOW) == NOT_CLAIMED
    assert refused(db, hand_back, tickets[1].id, boss, NOW) == NOT_CLAIMED


def test_every_agent_action_is_audited_without_message_text(db):
    sato = add_agent(db, "sato")
    ticket = new_ticket(db, "line:U1", evidence=["殺すぞ"], severity="urgent")
    reference = load(db, ticket.id).reference
    secret_reply = "ご住所の確認のため折り返しお電話いたします"
    secret_note = f"脅迫あり。{PHONE} に折り返し済み"
    with session_scope(db.engine) as session:
        handoff.record_view(session, session.get(Ticket, ticket.id), sato, NOW)
    do(db, claim, ticket.id, sato, NOW)
    do(db, reply, ticket.id, sato, secret_reply, NOW)
    do(db, release, ticket.id, sato, NOW)
    do(db, claim, ticket.id, sato, NOW)
    do(db, close, ticket.id, sato, "reported_to_police", secret_note, NOW)
    other = new_ticket(db, "line:U2")
    do(db, claim, other.id, sato, NOW)
    do(db, hand_back, other.id, sato, NOW)

    entries = audit(db)
    assert [(e.action, e.actor) for e in entries] == [
        ("ticket_open", "bot"),
        ("ticket_view", "agent:sato"),
        ("ticket_claim", "agent:sato"),
        ("ticket_reply", "agent:sato"),
        ("ticket_release", "agent:sato"),
        ("ticket_claim", "agent:sato"),
        ("ticket_close", "agent:sato"),
        ("ticket_open", "bot"),
        ("ticket_claim", "agent:sato"),
        ("ticket_hand_back", "agent:sato"),
    ]
    assert all(e.detail.startswith("ticket E20261125-") for e in entries)
    assert [e.conversation_id for e in entries[:7]] == ["line:U1"] * 7
    close_entry = entries[6]
    assert close_entry.detail == f"ticket {reference}: outcome=reported_to_police"
    for entry in entries:
        for secret in (secret_reply, "折り返し", "脅迫", PHONE, "殺すぞ"):
            assert secret not in entry.detail


# ---------------------------------------------------------------------------
# Delivery of agents' replies
# ---------------------------------------------------------------------------

def claim_(db: Db, channel: str, now: datetime = NOW, **kwargs):
    with session_scope(db.engine) as session:
        return claim_deliveries(session, channel, now, **kwargs)


def done(db: Db, message_id: int, now: datetime = NOW, **kwargs) -> None:
    with session_scope(db.engine) as session:
        delivery_done(session, message_id, now, **kwargs)


def test_claim_deliveries_takes_this_channels_pending_replies_once(db):
    sato = add_agent(db, "sato")
    on_line = claimed_reply(db, "line:U1", channel="line", agent=sato, message="LINEへの返信")
    on_telegram = claimed_reply(db, "telegram:42", channel="telegram", agent=sato, message="Telegramへの返信")
    gate_(db, "line:U1", "お客様の発言")  # customer and bot lines are never delivered
    with session_scope(db.engine) as session:
        handoff.record_bot_reply(session, "line:U1", "担当者にお繋ぎしました", NOW)

    taken = claim_(db, "line", NOW + timedelta(seconds=1))
    assert [(d.message_id, d.conversation_id, d.text, d.agent_name) for d in taken] == \
        [(on_line.id, "line:U1", "LINEへの返信", "sato さん")]
    stored = message(db, on_line.id)
    assert (stored.delivery, stored.delivery_attempts, stored.sending_since) == \
        ("sending", 1, NOW + timedelta(seconds=1))
    assert claim_(db, "line", NOW + timedelta(seconds=2)) == []
    assert message(db, on_telegram.id).delivery == "pending"
    assert [d.message_id for d in claim_(db, "telegram")] == [on_telegram.id]
    assert claim_(db, "web") == []


def test_claim_deliveries_for_one_conversation_and_in_order(db):
    sato = add_agent(db, "sato")
    first = claimed_reply(db, "line:U1", agent=sato, message="一通目")
    ticket_id = first.ticket_id
    second = do(db, reply, ticket_id, sato, "二通目", NOW)
    other = claimed_reply(db, "line:U2", agent=sato, message="別の会話")
    assert claim_(db, "line", conversation_id="line:U3") == []
    taken = claim_(db, "line", conversation_id="line:U1")
    assert [(d.message_id, d.text) for d in taken] == [(first.id, "一通目"), (second.id, "二通目")]
    assert message(db, other.id).delivery == "pending"
    assert [d.message_id for d in claim_(db, "line", limit=5)] == [other.id]


def test_conversations_with_pending_replies(db):
    sato = add_agent(db, "sato")
    claimed_reply(db, "line:U1", agent=sato)
    second = claimed_reply(db, "line:U2", agent=sato)
    do(db, reply, second.ticket_id, sato, "もう一通", NOW)
    claimed_reply(db, "telegram:42", channel="telegram", agent=sato)
    new_ticket(db, "line:U3")
    gate_(db, "line:U3")  # customer lines are nothing to deliver
    with session_scope(db.engine) as session:
        assert sorted(conversations_with_pending_replies(session, "line")) == ["line:U1", "line:U2"]
        assert conversations_with_pending_replies(session, "telegram") == ["telegram:42"]
        assert conversations_with_pending_replies(session, "web") == []
    claim_(db, "line", conversation_id="line:U1")
    with session_scope(db.engine) as session:
        assert conversations_with_pending_replies(session, "line") == ["line:U2"]


def test_delivery_done_success_marks_delivered_and_stops_the_first_reply_clock(db):
    sent = claimed_reply(db)
    [taken] = claim_(db, "line")
    done(db, taken.message_id, NOW + timedelta(seconds=3))
    stored = message(db, sent.id)
    assert (stored.delivery, stored.delivered_at, stored.delivery_error) == \
        ("delivered", NOW + timedelta(seconds=3), None)
    assert load(db, sent.ticket_id).first_human_reply_at == NOW + timedelta(seconds=3)
    assert claim_(db, "line", NOW + timedelta(hours=1)) == []
    done(db, taken.message_id, NOW + timedelta(hours=2), error="late duplicate report", retry=True)
    assert message(db, sent.id).delivery == "delivered"  # idempotent
    done(db, 999_999)  # an unknown message is ignored


def test_a_blocked_or_failed_reply_does_not_count_as_answered(db):
    sent = claimed_reply(db)
    [taken] = claim_(db, "line")
    done(db, taken.message_id, NOW, error="blocked_by_privacy_guard")
    assert load(db, sent.ticket_id).first_human_reply_at is None


def test_retryable_failures_back_off_and_keep_trying_for_the_retry_window(db):
    """A platform down for an hour loses nothing: attempts slow down to one per 10 minutes, for six hours."""
    sent = claimed_reply(db)
    written = message(db, sent.id).at
    attempts, at, keys, pauses = 0, written, set(), []
    while True:
        taken = claim_(db, "line", at)
        if not taken:
            due = message(db, sent.id).next_attempt_at
            if due is None:
                break
            assert claim_(db, "line", due - timedelta(seconds=1)) == []  # not before its time
            pauses.append(due - at)
            at = due
            continue
        attempts += 1
        keys.add(taken[0].retry_key)
        done(db, taken[0].message_id, at, error="ConnectionError " + "x" * 300, retry=True)
        stored = message(db, sent.id)
        assert stored.delivery_attempts == attempts
        assert len(stored.delivery_error) == 200
    stored = message(db, sent.id)
    assert stored.delivery == "failed"
    assert at - written >= DELIVERY_RETRY_WINDOW > timedelta(hours=1)
    assert pauses[:4] == [timedelta(seconds=5), timedelta(seconds=10), timedelta(seconds=20), timedelta(seconds=40)]
    assert max(pauses) == timedelta(minutes=10)
    assert len(keys) == 1 and None not in keys  # one retry key for every attempt
    assert load(db, sent.ticket_id).first_human_reply_at is None


def test_a_reply_that_fails_then_goes_through_is_delivered_once(db):
    sent = claimed_reply(db)
    [first] = claim_(db, "line", NOW)
    done(db, first.message_id, NOW, error="ConnectionError", retry=True)
    assert claim_(db, "line", NOW + timedelta(seconds=4)) == []
    [second] = claim_(db, "line", NOW + timedelta(seconds=5))
    assert second.retry_key == first.retry_key
    done(db, second.message_id, NOW + timedelta(seconds=6))
    stored = message(db, sent.id)
    assert (stored.delivery, stored.delivery_attempts, stored.next_attempt_at) == ("delivered", 2, None)


def test_a_failure_without_retry_fails_at_once(db):
    sent = claimed_reply(db)
    [taken] = claim_(db, "line")
    done(db, taken.message_id, NOW, error="blocked_by_privacy_guard")
    stored = message(db, sent.id)
    assert (stored.delivery, stored.delivery_error, stored.delivery_attempts) == \
        ("failed", "blocked_by_privacy_guard", 1)
    assert claim_(db, "line", NOW + timedelta(hours=1)) == []


def test_a_reply_stuck_in_sending_is_claimed_again_after_a_minute(db):
    sent = claimed_reply(db)
    assert len(claim_(db, "line", NOW)) == 1  # this sender "dies" without calling delivery_done
    assert claim_(db, "line", NOW + timedelta(seconds=30)) == []
    assert claim_(db, "line", NOW + timedelta(seconds=60)) == []
    [again] = claim_(db, "line", NOW + timedelta(seconds=61))
    assert again.message_id == sent.id
    stored = message(db, sent.id)
    assert (stored.delivery, stored.delivery_attempts, stored.sending_since) == \
        ("sending", 2, NOW + timedelta(seconds=61))
    assert claim_(db, "line", NOW + timedelta(seconds=62)) == []


def test_a_reply_taken_by_another_replica_meanwhile_is_not_taken_twice(db):
    """Replica B has selected the pending reply; replica A takes it before B's UPDATE runs."""
    sent = claimed_reply(db)
    engine_b = fresh_engine(db)
    taken_by_a: list = []

    def replica_a_goes_first(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE TICKET_MESSAGES") and not taken_by_a:
            with session_scope(db.engine) as session:  # another engine: its own connection and transaction
                taken_by_a.extend(claim_deliveries(session, "line", NOW))

    event.listen(engine_b, "before_cursor_execute", replica_a_goes_first)
    try:
        with session_scope(engine_b) as session:
            taken_by_b = claim_deliveries(session, "line", NOW)
    finally:
        engine_b.dispose()
    assert [d.message_id for d in taken_by_a] == [sent.id]
    assert taken_by_b == []
    assert message(db, sent.id).delivery_attempts == 1


# ---------------------------------------------------------------------------
# Tickets per client, and transcripts as the customer received them
# ---------------------------------------------------------------------------

def test_one_client_opens_at_most_the_limit_of_tickets_in_a_day(db):
    for n in range(3):
        new_ticket(db, f"rest:rotated-{n}", client_key="k1", tickets_per_client=3)
    with pytest.raises(handoff.TicketLimitReached):
        new_ticket(db, "rest:rotated-3", client_key="k1", tickets_per_client=3)
    # the same conversation escalating again keeps its ticket; another client is not affected
    assert new_ticket(db, "rest:rotated-0", client_key="k1", tickets_per_client=3).conversation_id == "rest:rotated-0"
    assert new_ticket(db, "rest:someone-else", client_key="k2", tickets_per_client=3)
    # a day later, or once people have closed them, the client may open tickets again
    assert new_ticket(db, "rest:next-day", client_key="k1", tickets_per_client=3, now=NOW + timedelta(hours=25))


def test_a_reply_the_guard_replaced_shows_as_sent_in_transcripts(db):
    blocked, safe = "お隣の鈴木太郎様は74歳です", "申し訳ございません。このご返信はお送りできませんでした。"
    with session_scope(db.engine) as session:
        handoff.record_guarded_reply(session, "line:U1", blocked, safe, NOW)
    ticket = new_ticket(db, "line:U1", transcript=[TranscriptLine("bot", blocked, NOW),
                                                  TranscriptLine("bot", "ご注文番号を教えてください", NOW)])
    assert [m.text for m in lines(db, ticket.id)] == [safe, "ご注文番号を教えてください"]
    # a line already in an open ticket's transcript is corrected when the guard replaces it
    with session_scope(db.engine) as session:
        handoff.record_bot_reply(session, "line:U1", "担当者におつなぎします（山田花子様）", NOW)
        handoff.record_guarded_reply(session, "line:U1", "担当者におつなぎします（山田花子様）", safe, NOW)
    assert [m.text for m in lines(db, ticket.id)] == [safe, "ご注文番号を教えてください", safe]
    assert blocked not in str([(g.original_key, g.delivered_text) for g in guarded(db)])


def guarded(db: Db) -> list:
    from bot.store.models import GuardedReply

    with session_scope(db.engine) as session:
        return session.execute(select(GuardedReply)).scalars().all()


def test_a_reply_written_before_retry_keys_gets_one_key_for_all_its_attempts(db):
    sent = claimed_reply(db)
    with session_scope(db.engine) as session:
        session.get(TicketMessage, sent.id).retry_key = None  # as rows from before migration 0006
    [first] = claim_(db, "line", NOW)
    done(db, first.message_id, NOW, error="ConnectionError", retry=True)
    [second] = claim_(db, "line", NOW + timedelta(minutes=1))
    assert str(uuid.UUID(first.retry_key)) == first.retry_key == second.retry_key


def test_the_queue_and_the_ticket_page_show_the_trouble_type_beside_the_escalation_reason(db):
    from bot.console.accounts import ConsoleUser
    from bot.console.views import queue_item, ticket_view
    from bot.support import open_trouble

    with session_scope(db.engine) as session:
        trouble = open_trouble(session, conversation_id="c-late", channel="line", issue_type="delivery_delay",
                               confidence=0.91, now=WED_10, escalation_reason="excessive_demand",
                               model_fingerprint="0123456789ab")
        reference = trouble.reference
    ticket = new_ticket(db, "c-late", now=WED_10, reason="excessive_demand",
                        evidence=("慰謝料", "intent:excessive_demand 0.91"), trouble_reference=reference)
    new_ticket(db, "c-no-trouble", now=WED_10)
    with session_scope(db.engine) as session:
        rows = {r.ticket.id: r for r in queue(session, WED_10)}
        item = queue_item(rows[ticket.id], WED_10)
        page = ticket_view(session, handoff.get_ticket(session, ticket.id),
                           ConsoleUser(agent_id=0, login="sato", display_name="佐藤", role="agent",
                                       csrf_token="", token_hash=""), WED_10)
        stored = session.execute(select(Trouble).where(Trouble.reference == reference)).scalar_one()
    assert (item.reason_label, item.issue_label) == ("過剰要求", "配送遅延")
    assert (page.reason_label, page.issue_label) == ("過剰要求", "配送遅延")
    assert "（NLUが「過剰要求」と判定、確信度0.91）" in page.evidence  # never 「担当者希望」 for another reason
    assert [r.issue_type for r in rows.values() if r.ticket.id != ticket.id] == [""]
    assert (stored.escalation_reason, stored.model_fingerprint) == ("excessive_demand", "0123456789ab")
