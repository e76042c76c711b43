"""The outbound guard's two verification levels, on a real database, for bot and agents' replies.

Four phone digits prove the order: a reply may carry that order's number and
tracking number, nothing personal, not even the customer's own name (whoever
typed the digits may be the neighbour in the same two-family house). The
e-mailed code proves the person: then their own data may be said.
"""

from __future__ import annotations

import asyncio
import email
import re
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from bot import handoff, identity, templates
from bot.channels.handoff import AgentReplyPump
from bot.mail import MailSender, OutboxMailer
from bot.secrets import server_secret
from bot.outbound import OutboundGuard
from bot.store.db import engine_for, session_scope
from bot.store.models import Agent, AuditEntry, TicketMessage, Trouble
from tests.demo_shop import DemoCustomer, customers, demo_shop, tracking_number_of

NOW = datetime.now(timezone.utc)


@pytest.fixture
def engine(demo_shop_database):
    return engine_for(demo_shop_database)


def customer(name: str) -> DemoCustomer:
    return next(c for c in customers() if c.name == name)


def record(c: DemoCustomer) -> dict:
    return next(r for r in demo_shop()["customers"] if r["name"] == c.name)


def verify(engine, conversation: str, c: DemoCustomer) -> str:
    """Order number + four digits, as the bot does it; returns the order proven."""
    order = c.order_numbers[0]
    with session_scope(engine) as session:
        assert identity.verify_order_owner(session, conversation_id=conversation, sender_id=conversation,
                                           order_number=order, phone_last4=c.phone_last4, now=NOW).verified
    return order


def step_up(engine, conversation: str, outbox) -> None:
    """The e-mailed code, read from the mail the shop really wrote."""
    with session_scope(engine) as session:
        assert identity.start_step_up(session, conversation_id=conversation, sender_id=conversation,
                                      now=NOW) == identity.CODE_SENT
    MailSender(engine, OutboxMailer(outbox), server_secret(), clock=lambda: NOW).deliver_due()
    [mail] = list(outbox.glob("*.eml"))
    body = email.message_from_bytes(mail.read_bytes()).get_payload(decode=True).decode("utf-8")
    code = re.search(r"(?<![0-9])[0-9]{6}(?![0-9])", body).group(0)
    with session_scope(engine) as session:
        assert identity.confirm_step_up(session, conversation_id=conversation, sender_id=conversation,
                                        code=code, now=NOW).verified


def audits(engine, action: str) -> list[AuditEntry]:
    with session_scope(engine) as session:
        return session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars().all()


def incidents(engine) -> int:
    with session_scope(engine) as session:
        return len(session.execute(select(Trouble).where(Trouble.status == "privacy_incident")).scalars().all())


def own_data(c: DemoCustomer) -> dict[str, str]:
    r = record(c)
    born: date = r["birth_date"]
    return {
        "name": f"{c.name}様",
        "surname": f"{c.family_name}様",
        "address": f"お届け先は{c.address}です",
        "phone": f"ご登録の電話番号は{r['phone']}です",
        "email": f"{c.email}にお送りしました",
        "birth_date": f"生年月日は{born.year}年{born.month}月{born.day}日ですね",
        "other_order": f"ご注文{c.order_numbers[-1]}も承っております",
    }


def test_at_order_level_the_orders_own_number_and_tracking_pass(engine):
    me = customer("菅原 渚")
    order = verify(engine, "c-me", me)
    reply = f"ご注文{order}（追跡番号{tracking_number_of(order)}）は11月16日に札幌の営業所に到着しています。"
    assert OutboundGuard(engine).screen("c-me", reply) == reply


@pytest.mark.parametrize("kind", list(own_data(customer("菅原 渚"))))
def test_at_order_level_the_customers_own_data_is_held_back_without_an_incident(engine, kind):
    me = customer("菅原 渚")
    verify(engine, "c-me", me)
    assert OutboundGuard(engine).screen("c-me", own_data(me)[kind], "rest") == templates.REPLY_NEEDS_STEP_UP
    [held] = audits(engine, "reply_needs_step_up")
    assert held.conversation_id == "c-me" and me.family_name not in held.detail
    assert incidents(engine) == 0 and audits(engine, "privacy_incident") == []


@pytest.mark.parametrize("kind", list(own_data(customer("菅原 渚"))))
def test_after_the_emailed_code_the_customers_own_data_passes(engine, tmp_path, kind):
    me = customer("菅原 渚")
    verify(engine, "c-me", me)
    step_up(engine, "c-me", tmp_path / "outbox")
    reply = own_data(me)[kind]
    assert OutboundGuard(engine).screen("c-me", reply) == reply


def test_another_customers_data_is_an_incident_at_either_level(engine, tmp_path):
    me, other = customer("菅原 渚"), customer("勅使河原 蓮")
    verify(engine, "c-me", me)
    guard = OutboundGuard(engine)
    assert guard.screen("c-me", f"{other.name}様のご注文です") == templates.REPLY_BLOCKED_BY_PRIVACY_GUARD
    step_up(engine, "c-me", tmp_path / "outbox")
    assert guard.screen("c-me", f"{other.address}宛です") == templates.REPLY_BLOCKED_BY_PRIVACY_GUARD
    assert incidents(engine) == 2


def test_same_surname_same_house_the_age_tells_whose_it_is(engine, tmp_path):
    """伊藤 恵子 and her grown son 伊藤 大輝: one house, one surname, two accounts (the seed case)."""
    mother, son = customer("伊藤 恵子"), customer("伊藤 大輝")
    verify(engine, "c-son", son)
    step_up(engine, "c-son", tmp_path / "outbox")
    guard = OutboundGuard(engine)
    today = date.today()

    def age(c: DemoCustomer) -> int:
        born = record(c)["birth_date"]
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    assert guard.screen("c-son", f"{son.family_name}様（{age(son)}歳）") == f"{son.family_name}様（{age(son)}歳）"
    assert guard.screen("c-son", f"{mother.family_name}様（{age(mother)}歳）") == templates.REPLY_BLOCKED_BY_PRIVACY_GUARD
    born = record(mother)["birth_date"]
    assert guard.screen("c-son", f"{mother.family_name}様は{born.month}月{born.day}日生まれです") == \
        templates.REPLY_BLOCKED_BY_PRIVACY_GUARD
    assert incidents(engine) == 2


def test_an_agents_reply_with_the_customers_name_waits_for_the_emailed_code(engine, tmp_path):
    me = customer("菅原 渚")
    conversation = "rest:c-me"
    verify(engine, conversation, me)
    with session_scope(engine) as session:
        agent = Agent(login="sato", display_name="佐藤", password_hash="x", role="agent", created_at=NOW)
        session.add(agent)
        session.flush()
        ticket = handoff.open_ticket(session, conversation_id=conversation, channel="rest", reason="human_request",
                                     severity="normal", evidence=[], transcript=[], now=NOW)
        handoff.claim(session, ticket.id, agent, NOW)
        first = handoff.reply(session, ticket.id, agent, f"{me.name}様、お待たせしました。", NOW).id
    sent: list[str] = []

    async def send(delivery: handoff.Delivery) -> None:
        sent.append(delivery.text)

    pump = AgentReplyPump("rest", OutboundGuard(engine), send)
    assert asyncio.run(pump.deliver_pending(conversation)) == 0
    # The hand-off ended the verification; the customer proves the order and the person again.
    verify(engine, conversation, me)
    step_up(engine, conversation, tmp_path / "outbox")
    with session_scope(engine) as session:
        agent = session.execute(select(Agent)).scalar_one()
        second = handoff.reply(session, ticket.id, agent, f"{me.name}様、お待たせしました。", NOW).id
    assert asyncio.run(pump.deliver_pending(conversation)) == 1
    assert sent == [f"{me.name}様、お待たせしました。"]
    with session_scope(engine) as session:
        assert session.get(TicketMessage, first).delivery == "failed"
        assert session.get(TicketMessage, second).delivery == "delivered"
    assert incidents(engine) == 0
