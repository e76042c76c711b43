"""The console's newer pages over HTTP: canned replies, the monthly report, the team, my page, new tickets.

Same set-up as tests/test_console.py: a real console process on a migrated
database, used like a browser (cookies, CSRF tokens, redirects).
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import re
import uuid
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from bot import canned_replies, handoff, templates
from bot.reports import Month
from bot.store.db import session_scope
from bot.store.models import (
    CannedReply,
    Customer,
    Order,
    OrderItem,
    SatisfactionSurvey,
    Shipment,
    TicketMessage,
    Trouble,
    VerifiedConversation,
)
from tests.console_server import RunningConsole, start_console, stop_console


@pytest.fixture(scope="module")
def console(tmp_path_factory) -> RunningConsole:
    var_dir = tmp_path_factory.mktemp("insights")
    process, running = start_console(var_dir, f"sqlite:///{var_dir / 'madoguchi.db'}")
    yield running
    stop_console(process)


def get_bytes(browser, path: str) -> tuple[int, str, bytes]:
    """A GET whose body is not text (the charts)."""
    connection = http.client.HTTPConnection("127.0.0.1", browser.port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items())})
        answer = connection.getresponse()
        return answer.status, answer.headers.get("Content-Type"), answer.read()
    finally:
        connection.close()


def _form_token(browser, path: str) -> str:
    return browser.get(path).csrf()


def add_canned(browser, issue_type: str, title: str, body: str):
    return browser.post("/console/canned", {"csrf_token": _form_token(browser, "/console/canned"),
                                            "issue_type": issue_type, "title": title, "body": body})


def verified_conversation(console, level: str = "order") -> str:
    conversation = f"line:U{uuid.uuid4().hex[:12]}"
    with session_scope(console.engine) as session:
        customer = Customer(name="山田 太郎", name_kana="ヤマダ タロウ", birth_date=date(1980, 1, 2),
                            phone="090-1111-2222", email="taro@example.jp", postal_code="150-0001",
                            address="東京都渋谷区神宮前1-2-3")
        order = Order(order_number=f"MD9999{uuid.uuid4().int % 10000:04d}", customer=customer,
                      ordered_at=handoff.now_utc(), status="shipped",
                      items=[OrderItem(name="土鍋 9号", quantity=1, unit_price=3980)],
                      shipment=Shipment(carrier="佐川急便", tracking_number="1", status="in_transit",
                                        expected_delivery=(handoff.now_utc() + timedelta(days=2)).date()))
        session.add(order)
        session.flush()
        session.add(VerifiedConversation(conversation_id=conversation, customer_id=customer.id, order_id=order.id,
                                         sender_key="k", verified_at=handoff.now_utc(), level=level))
    return conversation


def with_trouble(console, ticket_id: int, issue_type: str) -> None:
    with session_scope(console.engine) as session:
        ticket = handoff.get_ticket(session, ticket_id)
        reference = f"T{uuid.uuid4().hex[:10]}"
        session.add(Trouble(reference=reference, conversation_id=ticket.conversation_id, channel=ticket.channel,
                            issue_type=issue_type, status="handed_off", created_at=ticket.created_at,
                            updated_at=ticket.created_at, reply_due=ticket.first_reply_due))
        ticket.trouble_reference = reference


def picker_options(page: str) -> dict[str, str]:
    """Canned reply title -> the filled text the ticket page offers."""
    return {unescape(title): unescape(text) for text, title in re.findall(
        r'<option value="\d+" data-text="([^"]*)" data-unfilled="\d">［[^］]*］([^<]*)</option>', page)}


# ---------------------------------------------------------------------------
# Canned replies
# ---------------------------------------------------------------------------

def test_only_supervisors_keep_canned_replies(console):
    alice = console.browser("alice")
    assert alice.get("/console/canned").status == 403
    token = alice.get("/console/").csrf()
    assert alice.post("/console/canned", {"csrf_token": token, "issue_type": "any", "title": "x",
                                          "body": "y"}).status == 403


def test_a_canned_reply_with_an_unknown_variable_is_refused_with_its_name(console):
    sue = console.browser("sue")
    page = add_canned(sue, "delivery_delay", "住所の確認", "{address} にお届けします")
    assert page.status == 400 and "使えない変数があります：{address}" in unescape(page.body)


def test_a_canned_reply_is_filled_from_the_ticket_as_far_as_verification_allows(console):
    sue = console.browser("sue")
    body = ("お問い合わせの件（受付番号 {reference}）、ご注文は{order_status}。"
            "配送業者は{carrier}、お届け予定は{expected_delivery}です。担当の{agent_name}が{reply_due}までにご連絡します。")
    assert add_canned(sue, "delivery_delay", "配送状況のご案内", body).status == 303
    assert add_canned(sue, "defective_product", "交換のご案内", "交換品を手配します。").status == 303
    assert add_canned(sue, "any", "お詫び", "ご不便をおかけし申し訳ございません。").status == 303
    assert "配送状況のご案内" in sue.get("/console/canned").body

    # verified at order level: the order's status and dates, never the customer's name or address
    alice = console.browser("alice")
    ticket_id, reference = console.open_ticket(conversation_id=verified_conversation(console))
    with_trouble(console, ticket_id, "delivery_delay")
    alice.act(ticket_id, "claim")  # the picker is in the reply form of the agent who has the ticket
    options = picker_options(alice.get(f"/console/tickets/{ticket_id}").body)
    assert set(options) == {"配送状況のご案内", "お詫び"}  # its issue type and every type, not defects
    text = options["配送状況のご案内"]
    assert f"受付番号 {reference}" in text and "ご注文は配送中です" in text and "佐川急便" in text
    assert "担当の鈴木 愛が" in text and canned_replies.UNFILLED not in text
    for personal in ("山田", "090-1111-2222", "渋谷区", "taro@"):
        assert personal not in text

    # not verified: the order's facts are left for the agent to write
    ticket_id, _ = console.open_ticket()
    with_trouble(console, ticket_id, "delivery_delay")
    alice.act(ticket_id, "claim")
    text = picker_options(alice.get(f"/console/tickets/{ticket_id}").body)["配送状況のご案内"]
    assert "【要記入：注文の状況】" in text and "【要記入：配送業者】" in text


def test_a_reply_that_still_has_a_blank_to_fill_is_not_sent(console):
    ticket_id, _ = console.open_ticket()
    alice = console.browser("alice")
    assert alice.act(ticket_id, "claim").status == 303
    page = alice.act(ticket_id, "reply", text="ご注文は【要記入：注文の状況】。")
    assert page.status == 400 and "【要記入】の部分を書き換えて" in unescape(page.body)
    with session_scope(console.engine) as session:
        assert session.execute(select(TicketMessage).where(TicketMessage.ticket_id == ticket_id,
                                                           TicketMessage.author == "agent")).first() is None


def test_editing_and_retiring_a_canned_reply_is_audited_without_its_text(console):
    sue = console.browser("sue")
    add_canned(sue, "refund_return", "返品先のご案内", "返品先は当店倉庫です。")
    with session_scope(console.engine) as session:
        reply_id = session.execute(select(CannedReply.id).where(CannedReply.title == "返品先のご案内")).scalar_one()
    token = _form_token(sue, f"/console/canned/{reply_id}")
    saved = sue.post(f"/console/canned/{reply_id}", {"csrf_token": token, "issue_type": "refund_return",
                                                     "title": "返品先のご案内", "body": "返品先は東京倉庫です。"})
    assert saved.status == 303
    with session_scope(console.engine) as session:
        reply = session.get(CannedReply, reply_id)
        assert (reply.body, reply.active) == ("返品先は東京倉庫です。", False)  # the box was unticked
    entries = console.audit("canned_reply_update")
    assert entries and "東京倉庫" not in entries[-1].detail and f"canned reply {reply_id}" in entries[-1].detail


# ---------------------------------------------------------------------------
# The report, the team, my page, new tickets
# ---------------------------------------------------------------------------

def test_the_report_page_is_for_supervisors_with_its_charts_and_csv(console):
    assert console.browser("alice").get("/console/reports").status == 403
    sue = console.browser("sue")
    month = Month.of(handoff.now_utc()).key
    page = sue.get(f"/console/reports?month={month}")
    assert page.status == 200 and "トラブル月次レポート" in page.body
    charts = re.findall(rf'<img src="(/console/reports/{month}/[a-z]+\.png)"', page.body)
    assert len(charts) == 7
    for chart in charts:
        status, content_type, image = get_bytes(sue, chart)
        assert (status, content_type, image[:4]) == (200, "image/png", b"\x89PNG")
    table = sue.get(f"/console/reports/{month}/troubles.csv")
    assert table.status == 200 and table.headers.get("Content-Type").startswith("text/csv")
    assert next(csv.reader(io.StringIO(table.body.lstrip("\ufeff"))))[0] == "日時"
    assert sue.get("/console/reports?month=2026-13").status == 400
    assert get_bytes(sue, f"/console/reports/{month}/secrets.png")[0] == 404
    assert console.audit("console_report_view") and console.audit("console_report_csv")


def test_the_team_page_shows_each_agents_open_tickets_and_sla_risk(console):
    overdue_id, overdue_ref = console.open_ticket(age=timedelta(hours=3), overdue=True)
    assert console.browser("bob").act(overdue_id, "claim").status == 303
    assert console.browser("alice").get("/console/team").status == 403
    page = console.browser("sue").get("/console/team").body
    row = re.search(r'<tr data-agent="bob".*?</tr>', page, re.S).group(0)
    assert "佐藤 文" in row and overdue_ref in row and "sla-overdue" in row


def test_new_tickets_feed_lists_open_tickets_urgent_first(console):
    _, normal = console.open_ticket(severity="normal")
    _, urgent = console.open_ticket(severity="urgent", reason="abusive")
    assert console.browser().get("/console/queue.json").status == 401
    feed = json.loads(console.browser("alice").get("/console/queue.json").body)["open"]
    references = [t["reference"] for t in feed]
    assert references.index(urgent) < references.index(normal)
    first = next(t for t in feed if t["reference"] == urgent)
    assert (first["severity_label"], first["reason_label"]) == ("緊急", "暴言・威圧（カスハラ）")


def test_closing_as_resolved_asks_the_customer_and_the_score_shows_on_the_agents_page(console):
    ticket_id, reference = console.open_ticket(channel="line")
    alice = console.browser("alice")
    alice.act(ticket_id, "claim")
    alice.act(ticket_id, "reply", text="交換品を手配しました。")
    assert alice.act(ticket_id, "close", outcome="resolved", note="").status == 303
    with session_scope(console.engine) as session:
        survey = session.execute(select(SatisfactionSurvey).where(
            SatisfactionSurvey.ticket_id == ticket_id)).scalar_one()
        question = session.get(TicketMessage, survey.question_id)
        assert (question.text, question.delivery) == (templates.SATISFACTION_QUESTION, "pending")
        survey.status, survey.score, survey.comment = "answered", 4, "丁寧でした"
        survey.answered_at = handoff.now_utc()
    page = alice.get("/console/me").body
    assert "平均 <b>4.0</b>" in page and reference in page and "丁寧でした" in page
    assert "システム" in alice.get(f"/console/tickets/{ticket_id}").body  # the question in the transcript

    refused_id, _ = console.open_ticket(channel="line")
    alice.act(refused_id, "claim")
    alice.act(refused_id, "close", outcome="refused", note="")
    with session_scope(console.engine) as session:
        assert session.execute(select(SatisfactionSurvey).where(
            SatisfactionSurvey.ticket_id == refused_id)).first() is None


def test_the_queue_page_shows_product_alerts(console):
    now = handoff.now_utc()
    with session_scope(console.engine) as session:
        customer = Customer(name="伊藤 一", name_kana="イトウ ハジメ", birth_date=date(1970, 1, 1), phone="0311112222",
                            email="i@example.jp", postal_code="100-0001", address="東京都千代田区1")
        for n in range(2):
            number = f"MD8888{n:04d}"
            session.add(Order(order_number=number, customer=customer, ordered_at=now, status="delivered",
                              items=[OrderItem(name="加湿器 アロマ", quantity=1, unit_price=5980)]))
            session.add(Trouble(reference=f"TX-{uuid.uuid4().hex[:8]}", conversation_id="c", channel="rest",
                                issue_type="product_safety", order_number=number, status="queued",
                                created_at=now - timedelta(days=1), updated_at=now, reply_due=now))
    page = console.browser("alice").get("/console/").body
    alert = re.search(r'<div class="product-alert" data-product="加湿器 アロマ">.*?</div>', page, re.S).group(0)
    assert "出荷停止・販売停止を検討" in alert and alert.count("MD8888****") == 2 and "MD88880000" not in alert
