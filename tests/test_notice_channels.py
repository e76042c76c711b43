"""Notices over the real channels: the running assistant pushes them to the fake LINE and Telegram,
customers answer on LINE, a stranger asks over REST.

The shop is the assistant's own demo database; each test closes its notices
afterwards, so no other test of the session hears about a recall.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot import notices, templates
from bot.store.db import engine_for, session_scope
from bot.store.models import Customer, Notice, NoticeRecipient, Ticket, Trouble, VerifiedConversation
from tests import line_platform as line
from tests import telegram_platform as telegram
from tests.demo_shop import demo_shop

pytestmark = pytest.mark.server

HUMIDIFIER = "加湿器 超音波式 4L"
PUSH = "/v2/bot/message/push"


def buyers_of(item: str) -> list[int]:
    return sorted({position for position, c in enumerate(demo_shop()["customers"], start=1)
                   for o in c["orders"] if o["status"] != "cancelled" and any(i["name"] == item for i in o["items"])})


@pytest.fixture
def shop(assistant):
    engine = engine_for(assistant.database_url)
    yield engine
    with session_scope(engine) as session:
        for notice in session.execute(select(Notice).where(Notice.status != notices.CLOSED)).scalars():
            notices.close(session, notice.id, "test", datetime.now(timezone.utc))


def verify(engine, conversation_id: str, customer_id: int) -> None:
    with session_scope(engine) as session:
        customer = session.get(Customer, customer_id)
        session.merge(VerifiedConversation(conversation_id=conversation_id, customer_id=customer_id,
                                           order_id=customer.orders[0].id, sender_key="k" * 64, level="order",
                                           verified_at=datetime.now(timezone.utc) + timedelta(seconds=1)))


def recipient_states(engine, notice_id: int, seconds: float = 30) -> dict[int, str]:
    """Waits until no recipient of the chat channels is pending or sending; customer id -> state."""
    deadline = time.monotonic() + seconds
    while True:
        with session_scope(engine) as session:
            rows = dict(session.execute(select(NoticeRecipient.customer_id, NoticeRecipient.delivery)
                                        .where(NoticeRecipient.notice_id == notice_id,
                                               NoticeRecipient.channel != notices.EMAIL)).all())
        if all(state not in ("pending", "sending") for state in rows.values()) or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def test_a_recall_reaches_line_and_telegram_buyers_and_a_reply_becomes_a_ticket(assistant, fake_platform, shop):
    line_buyer, telegram_buyer = buyers_of(HUMIDIFIER)[:2]
    line_user, chat_id = line.new_user_id(), telegram.new_chat_id()
    verify(shop, line_user, line_buyer)
    verify(shop, str(chat_id), telegram_buyer)
    now = datetime.now(timezone.utc)
    with session_scope(shop) as session:
        notice = notices.create_product_notice(
            session, items=[HUMIDIFIER], title="加湿器 使用中止のお願い", contact_deadline=None, actor="agent:sue",
            what_happened="電源コードの付け根が発熱し、発火するおそれがあることがわかりました。",
            what_to_do="ただちに電源プラグを抜いてご使用をおやめください。着払いでご返送いただければ全額返金します。",
            now=now)
        preview = notices.audience(session, notice)
        assert preview.by_channel["line"] == 1 and preview.by_channel["telegram"] == 1 and preview.line_pushes == 1
        # LINE delivers the first push but its answer is lost: the retry carries the same key and gets 409
        fake_platform.line_push_outage("lost")
        notices.start_sending(session, notice.id, "agent:sue", now)
        notice_id = notice.id

    states = recipient_states(shop, notice_id)
    assert states == {line_buyer: "sent", telegram_buyer: "delivered"}
    pushes = line.pushes_to(fake_platform, line_user)
    assert len(pushes) == 2 and len({p.headers.get("X-Line-Retry-Key") for p in pushes}) == 1
    assert len([c for c in fake_platform.line_delivered if c.body.get("to") == line_user]) == 1  # once
    assert "ただちにご使用をおやめください" in line.texts_of(pushes)[0]
    assert any("加湿器 使用中止のお願い" in t for t in telegram.sent_texts(fake_platform, chat_id))

    token = line.new_token()
    status, _ = line.send(assistant, line.text_event(line_user, "うちの加湿器も同じ型です。返品はどうすれば？",
                                                     reply_token=token))
    assert status == 200
    [answer] = line.texts_of(line.replies_to(fake_platform, token))
    with session_scope(shop) as session:
        ticket = session.execute(select(Ticket).where(Ticket.conversation_id == line_user)).scalar_one()
        trouble = session.execute(select(Trouble).where(Trouble.reference == ticket.trouble_reference)).scalar_one()
        replied = session.execute(select(NoticeRecipient.replied_at).where(
            NoticeRecipient.notice_id == notice_id, NoticeRecipient.customer_id == line_buyer)).scalar_one()
    assert answer == templates.NOTICE_REPLY_TAKEN.format(ticket=ticket.reference)
    assert (ticket.reason, ticket.channel, trouble.issue_type) == ("product_safety", "line", "product_safety")
    assert replied is not None

    # anyone else who asks about the product hears the notice, "stop using it" first
    told = "\n\n".join(assistant.say(assistant.new_sender(), "加湿器から焦げたにおいがします"))  # REST splits paragraphs
    assert told.startswith("【重要なお知らせ】加湿器 使用中止のお願い") and "ただちにご使用をおやめください" in told


def test_an_affected_customer_on_line_gets_the_leak_notice_and_the_approved_answers(assistant, fake_platform, shop):
    me, other = 3, 4
    line_user = line.new_user_id()
    verify(shop, line_user, me)
    now = datetime.now(timezone.utc)
    with session_scope(shop) as session:
        orders = [session.get(Customer, c).orders[0].order_number for c in (me, other)]
        incident = notices.create_leak_incident(
            session, title="配送ラベルの誤送信", discovered_at=now - timedelta(days=1), affected_orders=orders,
            data_kinds=["name", "address"], cause="配送ラベルのデータを誤って外部の業者へ送信しました。",
            wrongful_intent=False, actor="agent:sue", now=now)
        notices.start_sending(session, incident.id, "agent:sue", now)
        incident_id = incident.id
    assert recipient_states(shop, incident_id) == {me: "sent"}
    assert "心よりお詫び申し上げます" in line.texts_of(line.pushes_to(fake_platform, line_user))[0]

    token = line.new_token()
    line.send(assistant, line.text_event(line_user, "私のどの情報が漏れたんですか", reply_token=token))
    [what] = line.texts_of(line.replies_to(fake_platform, token))
    assert what.startswith("お客様について漏えいした可能性のある情報は、氏名、住所です。")
    with session_scope(shop) as session:
        other_name = session.get(Customer, other).name
    assert other_name.split(" ")[0] not in what

    token = line.new_token()
    line.send(assistant, line.text_event(line_user, "補償金はいくら払ってもらえますか", reply_token=token))
    [escalated] = line.texts_of(line.replies_to(fake_platform, token))
    with session_scope(shop) as session:
        ticket = session.execute(select(Ticket).where(Ticket.conversation_id == line_user)).scalar_one()
    assert ticket.reason == "human_request" and ticket.reference in escalated
