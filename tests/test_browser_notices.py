"""Issue 12 end to end in a real headless Chromium: a supervisor sends a recall and a leak notice.

The supervisor creates the notice in the console, reads the preview (LINE
customers, LINE pushes), sends it, and watches the progress; the running
assistant pushes it to the fake LINE; the customer answers on LINE and the
answer arrives in the console as a ticket. For a leak, the APPI rule and
clock are on the page, the checklist is ticked, and the affected customer's
question gets the approved answer.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot import notices
from bot.store.db import engine_for, session_scope
from bot.store.models import Customer, Notice, VerifiedConversation
from bot.support import JST
from tests import line_platform as line
from tests.demo_shop import demo_shop
from tests.chromium import console_page

pytestmark = [pytest.mark.server, pytest.mark.browser]

ITEM = "スマートウォッチ LITE"


def buyers_of(item: str) -> list[int]:
    return sorted({position for position, c in enumerate(demo_shop()["customers"], start=1)
                   for o in c["orders"] if o["status"] != "cancelled" and any(i["name"] == item for i in o["items"])})


@pytest.fixture
def supervisor(browser, assistant):
    context, page, _ = console_page(browser, assistant, role="supervisor")
    yield page
    context.close()
    with session_scope(engine_for(assistant.database_url)) as session:  # no other test hears of these
        for notice in session.execute(select(Notice).where(Notice.status != notices.CLOSED)).scalars():
            notices.close(session, notice.id, "test", datetime.now(timezone.utc))


def verify_on_line(assistant, customer_id: int) -> str:
    user_id = line.new_user_id()
    with session_scope(engine_for(assistant.database_url)) as session:
        customer = session.get(Customer, customer_id)
        session.add(VerifiedConversation(conversation_id=user_id, customer_id=customer_id,
                                         order_id=customer.orders[0].id, sender_key="k" * 64, level="order",
                                         verified_at=datetime.now(timezone.utc) + timedelta(seconds=1)))
    return user_id


def pushed_texts(fake_platform, user_id: str, seconds: float = 30) -> list[str]:
    """The texts LINE received for this user, waiting until the first push arrives."""
    deadline = time.monotonic() + seconds
    while not line.pushes_to(fake_platform, user_id) and time.monotonic() < deadline:
        time.sleep(0.2)
    return line.texts_of(line.pushes_to(fake_platform, user_id))


def count(page, key: str) -> int:
    return int(page.inner_text(f"[data-count={key}]"))


def test_a_supervisor_sends_a_recall_and_a_customers_reply_arrives_as_a_ticket(supervisor, assistant,
                                                                               fake_platform):
    page = supervisor
    buyers = buyers_of(ITEM)
    user_id = verify_on_line(assistant, buyers[0])

    page.click("a:text-is('一斉連絡')")
    page.click("a:text-is('製品安全のお知らせを作成')")
    page.check(f"input[name=items][value='{ITEM}']")
    page.fill("#title", "スマートウォッチ LITE 充電器の使用中止のお願い")
    page.fill("#what_happened", "付属の充電器が過熱し、やけどのおそれがあることがわかりました。")
    page.fill("#what_to_do", "ただちに充電器のご使用をおやめください。新しい充電器を無料でお送りします。")
    page.fill("#deadline", (datetime.now(JST) + timedelta(days=30)).strftime("%Y-%m-%d"))
    page.click("button:text-is('下書きを作成して件数を確認')")

    # the preview: every buyer once, one of them on LINE, one push
    page.wait_for_selector("#preview")
    assert int(page.inner_text("[data-preview=total]")) == len(buyers)
    assert int(page.inner_text("[data-preview=line]")) == 1
    assert int(page.inner_text("[data-preview=line_pushes]")) == 1
    assert "ただちにご使用をおやめください" in page.inner_text("#notice-text")

    page.click("#send")
    page.wait_for_selector("#recipients")
    assert "ただちにご使用をおやめください" in pushed_texts(fake_platform, user_id)[0]
    for _ in range(30):  # the page refreshes itself; reload to be quick
        page.reload()
        if count(page, "sent") + count(page, "delivered") == len(buyers):
            break
        page.wait_for_timeout(1000)
    assert count(page, "sent") == len(buyers) and count(page, "failed") == 0
    assert "#%d" % buyers[0] in page.inner_text("#recipients")

    # the customer answers on LINE: a ticket for people, shown on the progress page
    token = line.new_token()
    line.send(assistant, line.text_event(user_id, "充電器が熱くなっていました。交換をお願いします", reply_token=token))
    [answer] = line.texts_of(line.replies_to(fake_platform, token))
    reference = re.search(r"E\d{8}-\d{5}", answer).group(0)
    page.reload()
    assert count(page, "replied") == 1
    page.click(f"#recipients a:text-is('{reference}')")
    page.wait_for_selector("#transcript")
    assert "充電器が熱くなっていました。交換をお願いします" in page.inner_text("#transcript")
    assert "製品安全のお知らせへの返信" in page.inner_text(".side")

    # and it is in the agents' queue
    page.click("a:text-is('対応キュー')")
    assert "製品安全のお知らせへの返信" in page.locator("tr", has=page.locator(f"a:text-is('{reference}')")).inner_text()


def test_a_supervisor_opens_a_leak_incident_and_the_affected_customer_gets_the_approved_answer(
        supervisor, assistant, fake_platform):
    page = supervisor
    affected = demo_shop()["customers"][5:7]  # customers 6 and 7
    user_id = verify_on_line(assistant, 6)

    page.goto(assistant.web_url + "/console/incidents/new")
    page.fill("#title", "会員データベースへの不正アクセス")
    page.fill("#discovered_at", (datetime.now(JST) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#orders", "\n".join(c["orders"][0]["order_number"] for c in affected))
    page.check("input[name=kinds][value=name]")
    page.check("input[name=kinds][value=email]")
    page.check("input[name=wrongful]")
    page.fill("#cause", "会員データベースに外部から不正アクセスがあり、一部の情報が閲覧されたおそれがあります。")
    page.click("button:text-is('登録して期限と件数を確認')")

    appi = page.inner_text("#appi")
    assert "報告が必要です" in appi and "第3号：不正の目的をもって行われたおそれがある" in appi
    assert "あと1日" in appi and "確報（60日以内）" in appi and "あと58日" in appi
    page.click("[data-check=contained]")
    assert "☑ 原因を止めた" in page.inner_text("#checklist")

    page.click("#send")
    page.wait_for_selector("#recipients")
    assert any("心よりお詫び申し上げます" in text for text in pushed_texts(fake_platform, user_id))

    token = line.new_token()
    line.send(assistant, line.text_event(user_id, "私のどの情報が漏れたんですか？", reply_token=token))
    [answer] = line.texts_of(line.replies_to(fake_platform, token))
    assert answer.startswith("お客様について漏えいした可能性のある情報は、氏名、メールアドレスです。")
    other = affected[1]["name"]
    assert other not in answer and other.split(" ")[0] not in answer
