"""Notices in one channel's process, without Rasa: the LINE channel's notice pump pushes to the fake
LINE, and its customer-turn pipeline answers replies and questions before the bot is asked.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot import notices, templates
from bot.channels.line import LineInput
from bot.channels.notices import NoticePump
from bot.store.db import engine_for, session_scope
from bot.store.models import Customer, NoticeRecipient, Ticket, VerifiedConversation
from tests.line_platform import ACCESS_TOKEN, SECRET, StubGuard, new_token, new_user_id, pushes_to, \
    replies_to, text_event, texts_of

HUMIDIFIER = "加湿器 超音波式 4L"


@pytest.fixture
def line_buyer(demo_shop_database):
    """A buyer of the humidifier verified on LINE, and a recall of it being sent."""
    engine = engine_for(demo_shop_database)
    user_id, now = new_user_id(), datetime.now(timezone.utc)
    with session_scope(engine) as session:
        buyer = notices.buyers(session, [HUMIDIFIER])[0]
        customer = session.get(Customer, buyer)
        session.add(VerifiedConversation(conversation_id=user_id, customer_id=buyer, order_id=customer.orders[0].id,
                                         sender_key="k" * 64, level="order", verified_at=now - timedelta(hours=1)))
        notice = notices.create_product_notice(
            session, items=[HUMIDIFIER], title="加湿器 使用中止のお願い", contact_deadline=None, actor="test",
            what_happened="電源コードが発熱するおそれがあります。", what_to_do="ただちに電源プラグを抜いてください。", now=now)
        notices.start_sending(session, notice.id, "test", now)
    return engine, user_id


def test_the_pump_pushes_the_notice_and_the_reply_goes_to_people_not_the_bot(fake_platform, line_buyer):
    engine, user_id = line_buyer
    channel = LineInput(SECRET, ACCESS_TOKEN, fake_platform.url, guard=StubGuard())
    pump = NoticePump("line", channel.guard, channel._push_agent_reply)
    assert asyncio.run(pump.deliver_pending()) == 1
    [push] = pushes_to(fake_platform, user_id)
    assert "ただちにご使用をおやめください" in texts_of([push])[0]
    with session_scope(engine) as session:
        recipient = session.execute(select(NoticeRecipient).where(NoticeRecipient.conversation_id == user_id)
                                    ).scalar_one()
    assert recipient.delivery == "sent" and push.headers.get("X-Line-Retry-Key") == recipient.retry_key

    reached_bot = []

    async def bot(message):
        reached_bot.append(message.text)

    token = new_token()
    asyncio.run(channel._handle_event(text_event(user_id, "返品したいです", reply_token=token), bot))
    with session_scope(engine) as session:
        ticket = session.execute(select(Ticket).where(Ticket.conversation_id == user_id)).scalar_one()
    assert texts_of(replies_to(fake_platform, token)) == [templates.NOTICE_REPLY_TAKEN.format(ticket=ticket.reference)]
    assert reached_bot == [] and ticket.reason == "product_safety"

    # another LINE user asks about the product: the notice, and the bot is not asked
    token = new_token()
    asyncio.run(channel._handle_event(text_event(new_user_id(), "加湿器が変なにおいです", reply_token=token), bot))
    [told] = texts_of(replies_to(fake_platform, token))
    assert told.startswith("【重要なお知らせ】加湿器 使用中止のお願い") and reached_bot == []
    # and anything else still reaches the bot
    asyncio.run(channel._handle_event(text_event(new_user_id(), "荷物が届きません", reply_token=new_token()), bot))
    assert reached_bot == ["荷物が届きません"]
