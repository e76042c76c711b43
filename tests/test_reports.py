"""The monthly trouble report against a month of known records, on SQLite and PostgreSQL.

A small shop is written straight into a migrated database: kettles delivered
more than 48 hours late, heaters reported defective and unsafe, tickets
answered in time and late, a verification lockout, satisfaction answers.
Every count on the report, the CSV and the product alerts are checked
against it; the PNG charts are real images drawn with the Japanese font.
"""

from __future__ import annotations

import csv
import io
import struct
from datetime import date, datetime, timedelta

import pytest

from bot import handoff
from bot.report_charts import CHARTS, draw_chart, japanese_font, write_report
from bot.reports import ALERT_ACTION, Month, ReportError, monthly_report, recent_product_alerts
from bot.store.db import engine_for, session_scope
from bot.store.migrate import upgrade
from bot.store.models import (
    Agent,
    AuditEntry,
    Customer,
    Order,
    OrderItem,
    SatisfactionSurvey,
    Shipment,
    Ticket,
    Trouble,
)
from bot.support import JST
from tests.conftest import postgres_admin_engine  # noqa: F401 - the postgres_url fixture needs it

NOVEMBER = Month(2026, 11)
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=JST)
CUSTOMER = {"name": "山田 花子", "name_kana": "ヤマダ ハナコ", "birth_date": date(1985, 4, 12),
            "phone": "090-1234-5678", "email": "hanako.yamada@example.jp", "postal_code": "150-0001",
            "address": "東京都渋谷区神宮前1-2-3 メゾン青山201"}
KETTLE, HEATER, TOWEL, MUG = "電気ケトル 1.0L", "セラミックヒーター", "今治タオル バスタオル", "マグカップ"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def _order(session, customer, number, product, expected=None, delivered=None, status="delivered"):
    order = Order(order_number=number, customer=customer, ordered_at=at("2026-11-01T10:00"), status=status,
                  shipping_fee=0, items=[OrderItem(name=product, quantity=1, unit_price=3980)])
    if expected is not None:
        order.shipment = Shipment(carrier="ヤマト運輸", tracking_number="1234-5678-9012",
                                  status="delivered" if delivered else "in_transit", expected_delivery=expected,
                                  delivered_at=delivered, shipped_at=at("2026-11-05T10:00"))
    session.add(order)
    return order


_counter = iter(range(1, 1000))


def _trouble(session, issue_type, created, order_number=None, status="queued"):
    number = next(_counter)
    trouble = Trouble(reference=f"T{created:%Y%m%d}-{number:05d}", conversation_id=f"rest:c{number}",
                      channel="rest", issue_type=issue_type, order_number=order_number, status=status,
                      detail="電話は090-1234-5678です", created_at=created, updated_at=created,
                      reply_due=created + timedelta(hours=24))
    session.add(trouble)
    return trouble


def _ticket(session, trouble, reason, created, *, replied_after=None, agent=None, status="open"):
    ticket = Ticket(reference=f"E{created:%Y%m%d}-{next(_counter):05d}", conversation_id=trouble.conversation_id,
                    channel="rest", reason=reason, severity="normal", evidence="", status=status,
                    trouble_reference=trouble.reference, created_at=created,
                    first_reply_due=created + timedelta(minutes=60), claimed_by=agent.id if agent else None,
                    first_human_reply_at=created + replied_after if replied_after else None)
    session.add(ticket)
    session.flush()
    return ticket


def a_month_of_records(url: str) -> None:
    upgrade(url)
    with session_scope(engine_for(url)) as session:
        customer = Customer(**CUSTOMER)
        session.add(customer)
        alice = Agent(login="alice", display_name="鈴木 愛", password_hash="-", role="agent", active=True,
                      created_at=NOW)
        bob = Agent(login="bob", display_name="佐藤 文", password_hash="-", role="agent", active=True,
                    created_at=NOW)
        session.add_all([alice, bob])
        # three kettles more than 48 hours late (one still on the way), one towel a day late
        _order(session, customer, "MD26110001", KETTLE, date(2026, 11, 10), at("2026-11-13T10:00"))
        _order(session, customer, "MD26110002", KETTLE, date(2026, 11, 11), at("2026-11-14T09:00"))
        _order(session, customer, "MD26110003", KETTLE, date(2026, 11, 20), None, status="shipped")
        _order(session, customer, "MD26110004", TOWEL, date(2026, 11, 10), at("2026-11-11T18:00"))
        _order(session, customer, "MD26110005", HEATER, date(2026, 11, 8), at("2026-11-08T12:00"))
        _order(session, customer, "MD26110006", HEATER, date(2026, 11, 9), at("2026-11-09T12:00"))
        _order(session, customer, "MD26110007", MUG, date(2026, 11, 9), at("2026-11-09T12:00"))
        session.flush()

        delay = _trouble(session, "delivery_delay", at("2026-11-02T10:00"), "MD26110001", "handed_off")
        defect = _trouble(session, "defective_product", at("2026-11-10T11:00"), "MD26110005", "handed_off")
        _trouble(session, "product_safety", at("2026-11-17T09:30"), "MD26110006")
        _trouble(session, "defective_product", at("2026-11-18T15:00"), "MD26110007")
        _trouble(session, "wrong_delivery", at("2026-11-24T10:00"), "MD26110004")
        locked = _trouble(session, "refund_return", at("2026-11-30T23:00"), None, "verification_locked")
        _trouble(session, "other", at("2026-10-31T23:59"))  # October
        _trouble(session, "other", at("2026-12-01T00:00"))  # December
        session.flush()

        met = _ticket(session, delay, "human_request", at("2026-11-02T10:01"), replied_after=timedelta(minutes=30),
                      agent=alice, status="closed")
        missed = _ticket(session, defect, "excessive_demand", at("2026-11-10T11:05"),
                         replied_after=timedelta(hours=2), agent=bob, status="closed")
        _ticket(session, locked, "verification_locked", at("2026-11-30T23:01"), status="open")
        met.outcome, missed.outcome = "resolved", "refunded"

        for minute in range(5):  # five wrong answers lock; two more tries are refused
            lock = " locked=sender+order" if minute == 4 else ""
            session.add(AuditEntry(at=at(f"2026-11-03T10:0{minute}"), actor="bot", action="identity.verify_order",
                                   conversation_id="rest:x", detail=f"order=MD2611**** result=wrong_phone_digits{lock}"))
        for minute in (6, 7):
            session.add(AuditEntry(at=at(f"2026-11-03T10:0{minute}"), actor="bot", action="identity.verify_order",
                                   conversation_id="rest:x", detail="order=MD2611**** result=sender_locked locked=sender"))
        session.add(AuditEntry(at=at("2026-11-20T10:00"), actor="bot", action="identity.verify_order",
                               conversation_id="rest:y", detail="order=MD2611**** result=verified"))

        session.add(SatisfactionSurvey(ticket_id=met.id, conversation_id=met.conversation_id, agent_id=alice.id,
                                       asked_at=at("2026-11-02T12:00"), status="answered", score=5,
                                       comment="早くて助かりました", answered_at=at("2026-11-02T12:05")))
        session.add(SatisfactionSurvey(ticket_id=missed.id, conversation_id=missed.conversation_id,
                                       agent_id=bob.id, asked_at=at("2026-11-11T12:00"), status="skipped"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'report.db'}"
    return request.getfixturevalue("postgres_url")


def november(url: str):
    with session_scope(engine_for(url)) as session:
        return monthly_report(session, NOVEMBER, NOW)


def test_the_report_counts_a_known_month(database):
    a_month_of_records(database)
    report = november(database)

    assert len(report.troubles) == 6  # 10/31 23:59 and 12/1 00:00 (JST) are other months
    assert report.weeks == ["11/1〜", "11/2〜", "11/9〜", "11/16〜", "11/23〜", "11/30〜"]
    assert {w: dict(c) for w, c in report.weekly.items() if c} == {
        "11/2〜": {"delivery_delay": 1}, "11/9〜": {"defective_product": 1},
        "11/16〜": {"product_safety": 1, "defective_product": 1}, "11/23〜": {"wrong_delivery": 1},
        "11/30〜": {"refund_return": 1}}
    assert {p: dict(c) for p, c in report.products.items()} == {
        HEATER: {"defective_product": 1, "product_safety": 1}, MUG: {"defective_product": 1},
        TOWEL: {"wrong_delivery": 1}}
    assert report.top_products()[0][0] == HEATER
    assert dict(report.escalations) == {"担当者を希望": 1, "過剰要求": 1, "本人確認ロック": 1}
    assert {t: dict(c) for t, c in report.sla.items()} == {
        "delivery_delay": {"met": 1}, "defective_product": {"missed": 1}, "refund_return": {"missed": 1}}
    assert dict(report.containment) == {"handed_off": 3, "bot_only": 3}
    assert dict(report.lockouts["11/2〜"]) == {"failures": 5, "locks": 1, "refused": 2}
    assert report.lockout_handoffs == 1
    assert dict(report.scores) == {5: 1} and report.average_score == 5.0
    assert (report.surveys_asked, report.surveys_skipped) == (2, 1)
    assert [(a.agent, a.answers, a.average) for a in report.agent_scores] == [("鈴木 愛", 1, 5.0)]
    rows = {}
    for row in report.troubles:
        rows.setdefault(row.issue_type, row)  # the first of each type
    assert rows["delivery_delay"].first_reply_minutes == 30  # from the hand-off (10:01) to the reply (10:31)
    assert rows["delivery_delay"].status == "終了（解決）"
    assert rows["defective_product"].escalation_reason == "過剰要求"
    assert rows["wrong_delivery"].escalation_reason == "" and rows["wrong_delivery"].status == "担当者対応待ち"
    assert rows["refund_return"].product == "（注文番号なし）"


def test_products_late_or_repeatedly_defective_are_flagged_with_masked_orders(database):
    a_month_of_records(database)
    alerts = {a.product: a for a in november(database).alerts}
    assert set(alerts) == {KETTLE, HEATER}  # one late towel and one broken mug are not a pattern
    kettle, heater = alerts[KETTLE], alerts[HEATER]
    assert kettle.action == heater.action == ALERT_ACTION == "出荷停止・販売停止を検討"
    assert kettle.reason == "48時間を超える配送遅延が3件"
    assert [o.order for o in kettle.orders] == ["MD2611****"] * 3
    assert "予定11/10から58時間超（配達済み）" in kettle.orders[0].detail
    assert "未配達" in kettle.orders[2].detail  # still on the way at the end of the month
    assert heater.reason == "不良品・製品安全のお問い合わせが2件"
    assert [o.detail.split()[1] for o in heater.orders] == ["不良品・破損", "製品安全"]
    for alert in alerts.values():
        for order in alert.orders:
            assert "MD26110" not in order.order + order.detail


def test_console_home_alerts_look_at_the_last_30_days(database):
    a_month_of_records(database)
    with session_scope(engine_for(database)) as session:
        assert {a.product for a in recent_product_alerts(session, at("2026-11-25T12:00"))} == {KETTLE, HEATER}
        assert recent_product_alerts(session, at("2027-02-01T12:00")) == []


def test_the_csv_has_one_row_per_trouble_and_no_personal_data(database, tmp_path):
    a_month_of_records(database)
    text = november(database).csv_text()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["日時", "受付番号", "チャネル", "種類", "エスカレーション理由", "商品", "状況", "初回返信（分）"]
    assert len(rows) == 7
    assert rows[1][:4] == ["2026-11-02 10:00", rows[1][1], "rest", "配送遅延"]
    assert rows[1][5] == KETTLE and rows[1][7] == "30"
    for personal in ("山田", "ヤマダ", "090-1234-5678", "hanako", "神宮前", "150-0001", "MD26110"):
        assert personal not in text


def test_the_folder_has_the_page_the_charts_and_the_csv(database, tmp_path):
    a_month_of_records(database)
    files = write_report(november(database), tmp_path / "out")
    assert sorted(f.name for f in files) == sorted(["index.html", "troubles.csv", *(c.name for c in CHARTS)])
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    for chart in CHARTS:
        assert f'src="{chart.name}"' in page
        png = (tmp_path / "out" / chart.name).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert (width, height) == (750, 360)
    assert "出荷停止・販売停止を検討" in page and KETTLE in page
    assert "MD26110" not in page and "山田" not in page


def test_charts_use_the_japanese_font():
    assert japanese_font() == "Noto Sans CJK JP", "install fonts-noto-cjk (./madoguchi does it as root)"


def test_an_empty_month_gives_an_empty_report(database, tmp_path):
    upgrade(database)
    with session_scope(engine_for(database)) as session:
        report = monthly_report(session, Month(2026, 8), NOW)
    assert report.empty and report.troubles == [] and report.alerts == [] and report.average_score is None
    files = write_report(report, tmp_path / "empty")
    assert len(files) == 2 + len(CHARTS)
    assert "2026年8月の記録はありません" in (tmp_path / "empty" / "index.html").read_text(encoding="utf-8")
    assert (tmp_path / "empty" / "troubles.csv").read_text(encoding="utf-8").count("\n") == 1
    assert draw_chart(report, "weekly.png")[:4] == b"\x89PNG"


@pytest.mark.parametrize("text", ["2026-13", "2026/11", "11", "", "1999-01", "2026-1"])
def test_a_month_that_cannot_be_read_says_how_to_write_it(text):
    with pytest.raises(ReportError, match="2026-11 の形"):
        Month.parse(text)


def test_months_run_over_the_year_end_in_japan_time():
    assert Month(2026, 12).next() == Month(2027, 1) and Month(2027, 1).previous() == Month(2026, 12)
    assert Month(2026, 12).end == datetime(2027, 1, 1, tzinfo=JST)
    assert Month.of(datetime(2026, 11, 30, 15, 30, tzinfo=handoff.timezone.utc)) == Month(2026, 12)


def test_without_a_japanese_font_the_report_says_so_and_still_draws(monkeypatch, tmp_path):
    from bot import report_charts

    monkeypatch.setattr(report_charts, "japanese_font", lambda: None)
    upgrade(f"sqlite:///{tmp_path / 'nofont.db'}")
    with session_scope(engine_for(f"sqlite:///{tmp_path / 'nofont.db'}")) as session:
        report = monthly_report(session, NOVEMBER, NOW)
    write_report(report, tmp_path / "out")
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "日本語フォントが見つからないため" in page and "fonts-noto-cjk" in page
    assert (tmp_path / "out" / "weekly.png").read_bytes()[:4] == b"\x89PNG"
