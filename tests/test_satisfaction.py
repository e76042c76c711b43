"""Satisfaction after a resolved ticket: who is asked, what counts as an answer, what goes on to the bot."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot import handoff, satisfaction, templates
from bot.satisfaction import Answer, read_answer
from bot.store.db import engine_for, session_scope
from bot.store.models import Agent, Customer, Order, OrderItem, SatisfactionSurvey, TicketMessage, VerifiedConversation

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, expected", [
    ("5", Answer(5, "")),
    ("５", Answer(5, "")),
    ("5です", Answer(5, "")),
    ("５です。", Answer(5, "")),
    ("4 丁寧でした", Answer(4, "丁寧でした")),
    ("3、返事が遅かったです", Answer(3, "返事が遅かったです")),
    ("5点！助かりました", Answer(5, "助かりました")),
    ("評価は2です", Answer(2, "")),
    ("★★★★", Answer(4, "")),
    ("★★★☆☆ まあまあ", Answer(3, "まあまあ")),
    ("1", Answer(1, "")),
])
def test_a_score_is_read_in_the_ways_customers_write_it(text, expected):
    assert read_answer(text) == expected


@pytest.mark.parametrize("text", [
    "3日前に注文した商品が届きません", "2個届いていません", "10", "0", "6", "ありがとうございました",
    "☆☆☆", "5 件目の問い合わせです", "MD26110220", "注文した荷物がまだ届きません", "1.5",
])
def test_anything_else_is_not_a_score(text):
    assert read_answer(text) is None


# ---------------------------------------------------------------------------
# Asking and answering, in the database
# ---------------------------------------------------------------------------

def _agent(session) -> Agent:
    agent = Agent(login=f"a{session.execute(select(Agent.id)).all().__len__()}", display_name="佐藤",
                  password_hash="-", role="agent", active=True, created_at=NOW)
    session.add(agent)
    session.flush()
    return agent


def closed_ticket(url: str, conversation: str, outcome: str, now: datetime = NOW, channel: str = "rest") -> int:
    """What the console does when an agent claims, replies and closes a ticket."""
    with session_scope(engine_for(url)) as session:
        agent = _agent(session)
        ticket = handoff.open_ticket(session, conversation_id=conversation, channel=channel, reason="human_request",
                                     severity="normal", evidence=[], transcript=[], now=now - timedelta(hours=1))
        handoff.claim(session, ticket.id, agent, now - timedelta(minutes=50))
        handoff.reply(session, ticket.id, agent, "確認しました。", now - timedelta(minutes=40))
        satisfaction.ask_after_close(session, handoff.close(session, ticket.id, agent, outcome, "", now), now)
        return ticket.id


def surveys(url: str) -> list[SatisfactionSurvey]:
    with session_scope(engine_for(url)) as session:
        return session.execute(select(SatisfactionSurvey).order_by(SatisfactionSurvey.id)).scalars().all()


def deliver_question(url: str, at: datetime = NOW) -> None:
    with session_scope(engine_for(url)) as session:
        for delivery in handoff.claim_deliveries(session, "rest", at):
            handoff.delivery_done(session, delivery.message_id, at)


def test_a_resolved_ticket_queues_one_question_in_the_customers_outbox(shop_database):
    ticket_id = closed_ticket(shop_database, "rest:c1", "resolved")
    [survey] = surveys(shop_database)
    assert (survey.ticket_id, survey.status, survey.conversation_id) == (ticket_id, "pending", "rest:c1")
    with session_scope(engine_for(shop_database)) as session:
        question = session.get(TicketMessage, survey.question_id)
        assert (question.author, question.text, question.delivery, question.channel) == \
            ("system", templates.SATISFACTION_QUESTION, "pending", "rest")
        deliveries = handoff.claim_deliveries(session, "rest", NOW)
    assert [d.text for d in deliveries] == ["確認しました。", templates.SATISFACTION_QUESTION]


@pytest.mark.parametrize("outcome", ["refused", "reported_to_police", "no_response", "duplicate", "fraud_desk"])
def test_no_question_after_a_refusal_a_police_report_or_an_unresolved_end(shop_database, outcome):
    closed_ticket(shop_database, "rest:c2", outcome)
    assert surveys(shop_database) == []


def test_refunded_counts_as_resolved(shop_database):
    closed_ticket(shop_database, "rest:c3", "refunded")
    assert len(surveys(shop_database)) == 1


def test_never_twice_within_seven_days_in_a_conversation(shop_database):
    closed_ticket(shop_database, "rest:c4", "resolved")
    closed_ticket(shop_database, "rest:c4", "resolved", now=NOW + timedelta(days=6, hours=23))
    assert len(surveys(shop_database)) == 1
    closed_ticket(shop_database, "rest:c4", "resolved", now=NOW + timedelta(days=7, hours=1))
    assert len(surveys(shop_database)) == 2


def test_never_twice_within_seven_days_for_the_same_verified_customer(shop_database):
    with session_scope(engine_for(shop_database)) as session:
        customer = Customer(name="山田 太郎", name_kana="ヤマダ タロウ", birth_date=date(1980, 1, 2),
                            phone="090-1111-2222", email="taro@example.jp", postal_code="150-0001",
                            address="東京都渋谷区神宮前1-2-3")
        order = Order(order_number="MD99990001", customer=customer, ordered_at=NOW, status="preparing",
                      items=[OrderItem(name="土鍋 9号", quantity=1, unit_price=3980)])
        session.add(order)
        session.flush()
        # Each conversation proved the order shortly before it was handed over (verification ends then;
        # the ticket remembers whose case it is).
        for conversation, closed in (("line:U1", NOW), ("telegram:42", NOW + timedelta(days=2))):
            session.add(VerifiedConversation(conversation_id=conversation, customer_id=customer.id,
                                             order_id=order.id, sender_key=conversation,
                                             verified_at=closed - timedelta(hours=1, minutes=5), level="order"))
    closed_ticket(shop_database, "line:U1", "resolved", channel="line")
    closed_ticket(shop_database, "telegram:42", "resolved", now=NOW + timedelta(days=2), channel="telegram")
    assert [s.conversation_id for s in surveys(shop_database)] == ["line:U1"]


def test_a_score_after_the_question_arrived_is_recorded_and_thanked(shop_database):
    ticket_id = closed_ticket(shop_database, "rest:c5", "resolved")
    with session_scope(engine_for(shop_database)) as session:  # not delivered yet: nothing is waiting
        assert satisfaction.record_answer(session, "rest:c5", "5", NOW + timedelta(minutes=1)) is None
    deliver_question(shop_database, NOW + timedelta(minutes=1))
    with session_scope(engine_for(shop_database)) as session:
        thanks = satisfaction.record_answer(session, "rest:c5", "4 丁寧でした。電話は090-9999-8888です",
                                            NOW + timedelta(minutes=2))
    assert thanks == templates.SATISFACTION_THANKS
    [survey] = surveys(shop_database)
    assert (survey.status, survey.score) == ("answered", 4)
    assert "丁寧でした" in survey.comment and "090-9999-8888" not in survey.comment
    with session_scope(engine_for(shop_database)) as session:
        lines = session.execute(select(TicketMessage.author, TicketMessage.text).where(
            TicketMessage.ticket_id == ticket_id).order_by(TicketMessage.id)).all()
        assert lines[-1] == ("bot", templates.SATISFACTION_THANKS) and lines[-2][0] == "customer"
        # answered once: the next "5" is for the bot
        assert satisfaction.record_answer(session, "rest:c5", "5", NOW + timedelta(minutes=3)) is None


def test_anything_else_ends_the_wait_and_goes_to_the_bot(shop_database):
    closed_ticket(shop_database, "rest:c6", "resolved")
    deliver_question(shop_database)
    with session_scope(engine_for(shop_database)) as session:
        assert satisfaction.record_answer(session, "rest:c6", "注文した荷物がまだ届きません", NOW) is None
        assert satisfaction.record_answer(session, "rest:c6", "5", NOW) is None
    assert [(s.status, s.score) for s in surveys(shop_database)] == [("skipped", None)]


def test_a_day_later_the_question_is_no_longer_waiting(shop_database):
    closed_ticket(shop_database, "rest:c7", "resolved")
    deliver_question(shop_database)
    with session_scope(engine_for(shop_database)) as session:
        assert satisfaction.record_answer(session, "rest:c7", "3", NOW + timedelta(hours=25)) is None
    assert surveys(shop_database)[0].status == "pending"
