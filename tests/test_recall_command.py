"""`python -m bot recall`: the command shops script, on the demo shop, counted from data/demo_shop.yml."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from bot.config import PROJECT_ROOT
from bot.store.db import engine_for, session_scope
from bot.devserver import free_port
from bot.store.models import Customer, Notice, NoticeRecipient, VerifiedConversation
from tests.demo_shop import demo_shop
from tests.mailbox import RecordingMailbox

LINE_USER = "U" + "b" * 32
ITEMS = ["限定 福袋2026", "加湿器 超音波式 4L"]


def expected(items: list[str]) -> dict:
    """Buyers from the YAML: every customer with a non-cancelled order of an item, once."""
    buyers = {position for position, c in enumerate(demo_shop()["customers"], start=1)
              for o in c["orders"] if o["status"] != "cancelled" and any(i["name"] in items for i in o["items"])}
    return {"customers": len(buyers), "positions": buyers}


def run_recall(database_url: str, var_dir, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "MADOGUCHI_VAR_DIR": str(var_dir)}
    env.pop("SMTP_HOST", None)
    return subprocess.run([sys.executable, "-m", "bot", "recall", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _seeded(demo_shop_database, line_customer: int | None = None):
    engine = engine_for(demo_shop_database)
    with session_scope(engine) as session:
        if line_customer is not None:
            customer = session.get(Customer, line_customer)
            session.add(VerifiedConversation(conversation_id=LINE_USER, customer_id=customer.id,
                                             order_id=customer.orders[0].id, sender_key="k" * 64, level="order",
                                             verified_at=datetime.now(timezone.utc) - timedelta(days=1)))
    return engine


def test_dry_run_prints_the_customers_reached_by_channel(demo_shop_database, tmp_path):
    want = expected(ITEMS)
    line_customer = min(want["positions"])
    _seeded(demo_shop_database, line_customer)
    result = run_recall(demo_shop_database, tmp_path, *[a for item in ITEMS for a in ("--item", item)], "--dry-run")
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    assert json.loads(line) == {"customers": want["customers"],
                                "by_channel": {"line": 1, "telegram": 0, "email": want["customers"] - 1},
                                "line_pushes": 1}
    assert not (tmp_path / "outbox").exists()  # nothing was sent


def test_an_unknown_item_is_a_clear_error(demo_shop_database, tmp_path):
    _seeded(demo_shop_database)
    result = run_recall(demo_shop_database, tmp_path, "--item", "存在しない商品", "--dry-run")
    assert result.returncode == 2
    assert "カタログにない商品です：存在しない商品" in result.stderr and result.stdout == ""


def test_without_dry_run_it_mails_every_buyer_once(demo_shop_database, tmp_path):
    item = ITEMS[0]
    want = expected([item])
    engine = _seeded(demo_shop_database)
    result = run_recall(demo_shop_database, tmp_path, "--item", item, "--title", "福袋 同梱品の使用中止のお願い",
                        "--what-happened", "同梱のモバイルバッテリーが発熱するおそれがあります。",
                        "--what-to-do", "ただちに使用をやめ、着払いでご返送ください。", "--deadline", "2027-01-15")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["customers"] == want["customers"] and printed["progress"]["sent"] == want["customers"]
    mails = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in (tmp_path / "outbox").iterdir()]
    with session_scope(engine) as session:
        addresses = {c.id: c.email for c in session.execute(select(Customer)).scalars()}
        states = set(session.execute(select(NoticeRecipient.delivery)).scalars())
    assert sorted(m["To"] for m in mails) == sorted(addresses[p] for p in want["positions"])
    assert states == {"sent"}
    body = mails[0].get_content()
    assert "ただちにご使用をおやめください" in body and "2027年1月15日" in body and printed["reference"] in body


class SlowMailbox(RecordingMailbox):
    """An SMTP server that takes its time over each mail, so a sender can be stopped in the middle of one."""

    def __init__(self) -> None:
        super().__init__()
        self.receiving = 0  # mails whose DATA arrived (accepted once the pause is over, sender alive or not)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.receiving += 1
        await asyncio.sleep(0.4)
        return await super().handle_DATA(server, session, envelope)


def test_a_send_killed_half_way_resumes_without_skipping_anyone(demo_shop_database, tmp_path):
    """kill -9 in the middle of a mail, then ``--notice`` sends the rest, the interrupted one included: everyone once."""
    items = ITEMS + ["電気ケトル 1.0L", "スマートウォッチ LITE"]
    want = expected(items)
    engine = _seeded(demo_shop_database)
    mailbox = SlowMailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = {**os.environ, "DATABASE_URL": demo_shop_database, "MADOGUCHI_VAR_DIR": str(tmp_path),
           "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(controller.port),
           "SMTP_STARTTLS": "false"}  # a loopback test server without STARTTLS
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "recall", *[a for item in items for a in ("--item", item)],
             "--title", "使用中止のお願い", "--what-happened", "発熱のおそれがあります。",
             "--what-to-do", "ただちに使用をおやめください。"], cwd=PROJECT_ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while mailbox.receiving < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        process.kill()  # in the middle of the third mail: the server drops it with the connection
        process.wait()
        time.sleep(0.6)
        assert len(mailbox.mails) == 2 < want["customers"], "the send was not stopped half way"
        with session_scope(engine) as session:
            reference = session.execute(select(Notice.reference)).scalar_one()
            # the claim the killed process held is taken again after a minute: let that minute pass
            session.execute(update(NoticeRecipient).where(NoticeRecipient.delivery == "sending")
                            .values(sending_since=datetime.now(timezone.utc) - timedelta(minutes=2)))
        resumed = subprocess.run([sys.executable, "-m", "bot", "recall", "--notice", reference], cwd=PROJECT_ROOT,
                                 env=env, capture_output=True, text=True, timeout=120)
    finally:
        controller.stop()
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["progress"]["sent"] == want["customers"]
    with session_scope(engine) as session:
        addresses = {c.id: c.email for c in session.execute(select(Customer)).scalars()}
    received: dict[str, set[str]] = {}
    for _, _, message in mailbox.mails:
        received.setdefault(message["To"], set()).add(message["Message-ID"])
    assert set(received) == {addresses[p] for p in want["positions"]}  # nobody skipped
    assert all(len(ids) == 1 for ids in received.values())  # nobody got two different mails
    assert len(mailbox.mails) == len(received) == want["customers"]  # nor the same one twice
