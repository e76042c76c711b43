"""The console's notice pages, served for real by `python -m bot.console` and used over HTTP like a browser."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from bot.config import load_settings
from bot.store.db import session_scope
from bot.store.models import AuditEntry, Notice, NoticeRecipient
from bot.store.seed import load_demo_shop, seed
from bot.support import JST
from tests.demo_shop import customers, demo_shop
from tests.console_server import start_console, stop_console

ITEM = "限定 福袋2026"


def buyers_of(item: str) -> set[int]:
    return {position for position, c in enumerate(demo_shop()["customers"], start=1)
            for o in c["orders"] if o["status"] != "cancelled" and any(i["name"] == item for i in o["items"])}


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("console_notices")
    url = f"sqlite:///{var_dir / 'madoguchi.db'}"
    process, running = start_console(var_dir, url)
    with session_scope(running.engine) as session:
        seed(session, load_demo_shop(load_settings().demo_shop_file))
    yield running
    stop_console(process)


def preview_value(page: str, key: str) -> int:
    match = re.search(rf'data-preview="{key}">(\d+)<', page)
    assert match, f"no {key} in the preview"
    return int(match.group(1))


def create_notice(browser, **fields) -> int:
    form = browser.get("/console/notices/new")
    reply = browser.post("/console/notices", {
        "csrf_token": form.csrf(), "items": ITEM, "title": "福袋 同梱品の使用中止のお願い",
        "what_happened": "同梱のモバイルバッテリーが発熱するおそれがあります。",
        "what_to_do": "ただちに使用をやめ、着払いでご返送ください。全額返金します。", "deadline": "", "keywords": "",
        **fields})
    assert reply.status == 303, reply.body[:2000]
    return int(re.search(r"/console/notices/(\d+)\?done=created", reply.location).group(1))


def test_agents_cannot_open_the_notice_pages(console):
    agent = console.browser("alice")
    assert agent.get("/console/notices").status == 403
    assert agent.get("/console/notices/new").status == 403
    assert "一斉連絡" not in agent.get("/console/").body  # no link in the menu either
    assert console.browser().get("/console/notices").status == 303  # not logged in: to the login page


def test_a_post_without_the_csrf_token_creates_nothing(console):
    sue = console.browser("sue")
    reply = sue.post("/console/notices", {"items": ITEM, "title": "x", "what_happened": "x", "what_to_do": "x"})
    assert reply.status == 403
    with session_scope(console.engine) as session:
        assert session.execute(select(Notice).where(Notice.title == "x")).first() is None


def test_create_preview_send_and_progress(console):
    sue = console.browser("sue")
    notice_id = create_notice(sue)
    page = sue.get(f"/console/notices/{notice_id}")
    assert page.status == 200
    want = len(buyers_of(ITEM))
    assert preview_value(page.body, "total") == want == preview_value(page.body, "email")
    assert preview_value(page.body, "line_pushes") == 0
    assert "ただちにご使用をおやめください" in unescape(page.body)

    sent = sue.post(f"/console/notices/{notice_id}/send", {"csrf_token": page.csrf()})
    assert sent.status == 303 and sent.location.endswith("?done=sent")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with session_scope(console.engine) as session:
            states = list(session.execute(select(NoticeRecipient.delivery)
                                          .where(NoticeRecipient.notice_id == notice_id)).scalars())
        if states and set(states) == {"sent"}:
            break
        time.sleep(0.3)
    assert len(states) == want and set(states) == {"sent"}
    assert len(list((console.var_dir / "outbox").iterdir())) >= want
    page = sue.get(f"/console/notices/{notice_id}")
    assert re.search(r'data-count="sent">(\d+)<', page.body).group(1) == str(want)
    shown = unescape(page.body)
    for c in customers():
        assert c.name not in shown and c.email not in shown
    # a second send changes nothing
    again = sue.post(f"/console/notices/{notice_id}/send", {"csrf_token": page.csrf()})
    assert again.status == 303
    with session_scope(console.engine) as session:
        assert len(session.execute(select(NoticeRecipient).where(NoticeRecipient.notice_id == notice_id))
                   .scalars().all()) == want
    progress = sue.get(f"/console/notices/{notice_id}/progress.json")
    assert progress.status == 200 and f'"total":{want}' in progress.body.replace(" ", "")


def test_bad_input_is_explained_and_kept(console):
    sue = console.browser("sue")
    form = sue.get("/console/notices/new")
    reply = sue.post("/console/notices", {"csrf_token": form.csrf(), "title": "<script>alert(1)</script>",
                                          "what_happened": "", "what_to_do": "返送してください", "deadline": ""})
    assert reply.status == 400
    assert "対象の商品を1つ以上選んでください。" in reply.body
    assert "<script>alert(1)</script>" not in reply.body and "&lt;script&gt;" in reply.body


def test_an_incident_shows_the_appi_rule_and_clock_and_audits_the_checklist(console):
    sue = console.browser("sue")
    form = sue.get("/console/incidents/new")
    found = (datetime.now(JST) - timedelta(days=1)).replace(second=0, microsecond=0)
    reply = sue.post("/console/incidents", [  # pairs: the form has two "kinds"
        ("csrf_token", form.csrf()), ("title", "決済代行の設定不備"), ("discovered_at", f"{found:%Y-%m-%dT%H:%M}"),
        ("orders", "\n".join(c.order_numbers[0] for c in customers()[:3])), ("kinds", "name"),
        ("kinds", "card_number"), ("cause", "決済画面の設定不備により、カード番号が第三者から閲覧できる状態でした。"),
        ("watch_for", ""), ("contact", "")])
    assert reply.status == 303, reply.body[:1500]
    notice_id = int(re.search(r"/console/notices/(\d+)", reply.location).group(1))
    page = sue.get(f"/console/notices/{notice_id}")
    shown = unescape(page.body)
    assert "報告が必要です" in shown and "第2号：不正に利用されると財産的被害が生じるおそれがある" in shown
    assert "あと2日" in shown and "あと29日" in shown  # 速報 target (3 days) and 確報 (30 days) from yesterday
    assert preview_value(page.body, "total") == 3

    ticked = sue.post(f"/console/notices/{notice_id}/check",
                      {"csrf_token": page.csrf(), "item": "contained", "done": "1"})
    assert ticked.status == 303
    shown = unescape(sue.get(f"/console/notices/{notice_id}").body)
    assert "☑ 原因を止めた" in shown and "agent:sue" in shown
    with session_scope(console.engine) as session:
        reference = session.get(Notice, notice_id).reference
        audited = session.execute(select(AuditEntry.actor).where(
            AuditEntry.action == "incident_check", AuditEntry.detail == f"notice {reference}: contained")).scalars().all()
    assert audited == ["agent:sue"]
