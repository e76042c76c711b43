"""The monthly trouble report: what went wrong, with which products, and how fast people answered.

Shops look back every month (which products break, which carrier is late,
whether replies come in time) and act on it, for example by stopping sales of
a product whose deliveries run more than 48 hours late. ``monthly_report``
gathers one month (JST) from the records the bot and the console already keep
— troubles, tickets, verification audit entries, satisfaction answers —
into plain values; ``bot.report_charts`` draws them and ``write_report`` puts
the page, the charts and a CSV in a folder.

Nothing personal leaves this module: the CSV has no customer's name, address,
phone, e-mail or order number; orders behind a product alert are shown masked
(``identity.mask_order_number``) next to the trouble's own reference.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot import handoff
from bot.faq_log import FaqSummary, summarise
from bot.identity import mask_order_number
from bot.store.models import AuditEntry, Order, SatisfactionSurvey, Shipment, Ticket, Trouble
from bot.support import DELAY_THRESHOLD, ISSUE_TYPE_LABELS, JST

MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")
PRODUCT_TYPES = ("defective_product", "product_safety", "wrong_delivery")
DEFECT_TYPES = ("defective_product", "product_safety")
TOP_PRODUCTS = 10
NO_PRODUCT = "（注文番号なし）"
ALERT_ACTION = "出荷停止・販売停止を検討"
TROUBLE_STATUS_LABELS = {
    "collecting": "聞き取り中",
    "queued": "担当者対応待ち",
    "handed_off": "担当者に引き継ぎ",
    "verification_locked": "本人確認ロック",
}
SLA_LABELS = {"met": "期限内", "missed": "期限超過", "no_reply": "未返信（期限前）"}
CSV_COLUMNS = ("日時", "受付番号", "チャネル", "種類", "エスカレーション理由", "商品", "状況", "初回返信（分）")
SCORES = (1, 2, 3, 4, 5)


class ReportError(ValueError):
    """A month that cannot be read; the message is Japanese for the console and the command line."""


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        match = MONTH_PATTERN.fullmatch((text or "").strip())
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
            raise ReportError(f"月は 2026-11 の形で指定してください（{text!r}）。")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, moment: datetime) -> "Month":
        local = moment.astimezone(JST)
        return cls(local.year, local.month)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=JST)

    @property
    def end(self) -> datetime:
        return self.next().start

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Month":
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)


@dataclass(frozen=True)
class TroubleRow:
    """One trouble as the CSV and the table show it: no personal data."""

    at: str  # 2026-11-24 10:20 (JST)
    reference: str
    channel: str
    issue_type: str
    issue_label: str
    escalation_reason: str  # Japanese label, "" when the bot handled it alone
    product: str
    status: str
    first_reply_minutes: int | None  # from the hand-off to the first human reply

    def as_csv(self) -> list[str]:
        return [self.at, self.reference, self.channel, self.issue_label, self.escalation_reason, self.product,
                self.status, "" if self.first_reply_minutes is None else str(self.first_reply_minutes)]


@dataclass(frozen=True)
class AlertOrder:
    """One order behind an alert: masked, with what makes it count."""

    order: str  # MD2611****
    detail: str  # "T20261124-00003 不良品・破損" or "ヤマト運輸 予定 11/16 から 74時間"


@dataclass(frozen=True)
class ProductAlert:
    product: str
    reason: str  # Japanese: why it is flagged
    orders: tuple[AlertOrder, ...]
    action: str = ALERT_ACTION


@dataclass(frozen=True)
class AgentScore:
    agent: str
    answers: int
    average: float


@dataclass
class MonthlyReport:
    """Everything on the report page, as counts and labels."""

    month: Month
    generated_at: datetime
    troubles: list[TroubleRow] = field(default_factory=list)
    weeks: list[str] = field(default_factory=list)  # "11/1〜", one per week (Monday to Sunday)
    weekly: dict[str, Counter] = field(default_factory=dict)  # week -> issue type -> count
    products: dict[str, Counter] = field(default_factory=dict)  # product -> issue type -> count (PRODUCT_TYPES)
    escalations: Counter = field(default_factory=Counter)  # reason label -> tickets
    sla: dict[str, Counter] = field(default_factory=dict)  # issue type -> met | missed | no_reply -> tickets
    containment: Counter = field(default_factory=Counter)  # bot_only | handed_off -> troubles
    lockouts: dict[str, Counter] = field(default_factory=dict)  # week -> failures | locks | refused
    lockout_handoffs: int = 0
    scores: Counter = field(default_factory=Counter)  # 1..5 -> answers
    surveys_asked: int = 0
    surveys_skipped: int = 0
    agent_scores: list[AgentScore] = field(default_factory=list)
    alerts: list[ProductAlert] = field(default_factory=list)
    faq: FaqSummary | None = None  # the FAQ's questions: per entry, unanswered, settled without a person

    @property
    def empty(self) -> bool:
        return not self.troubles and not self.escalations and not self.surveys_asked and not any(
            sum(c.values()) for c in self.lockouts.values()) and not (self.faq and self.faq.asked)

    @property
    def average_score(self) -> float | None:
        answered = sum(self.scores.values())
        return sum(s * n for s, n in self.scores.items()) / answered if answered else None

    def top_products(self, limit: int = TOP_PRODUCTS) -> list[tuple[str, Counter]]:
        ranked = sorted(self.products.items(), key=lambda item: (-sum(item[1].values()), item[0]))
        return ranked[:limit]

    def csv_text(self) -> str:
        """troubles.csv: UTF-8 with a BOM, so Excel in Japan opens it with the right characters."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for row in self.troubles:
            writer.writerow(row.as_csv())
        return "\ufeff" + out.getvalue()


# ---------------------------------------------------------------------------
# Gathering one month
# ---------------------------------------------------------------------------

def week_start(day: date, month: Month) -> date:
    """The Monday that starts ``day``'s week, but not before the first of the month."""
    return max(day - timedelta(days=day.weekday()), date(month.year, month.month, 1))


def week_label(day: date) -> str:
    return f"{day.month}/{day.day}〜"


def month_weeks(month: Month) -> list[str]:
    labels: list[str] = []
    day = month.start.date()
    while day < month.end.date():
        label = week_label(week_start(day, month))
        if label not in labels:
            labels.append(label)
        day += timedelta(days=1)
    return labels


def _week_of(moment: datetime, month: Month) -> str:
    return week_label(week_start(moment.astimezone(JST).date(), month))


def _products_by_order(session: Session, order_numbers: Iterable[str]) -> dict[str, list[str]]:
    numbers = sorted({n for n in order_numbers if n})
    if not numbers:
        return {}
    orders = session.execute(select(Order).where(Order.order_number.in_(numbers))
                             .options(selectinload(Order.items))).scalars().all()
    return {o.order_number: sorted({i.name for i in o.items}) for o in orders}


def _sla_state(ticket: Ticket, now: datetime) -> str:
    if ticket.first_human_reply_at is not None:
        return "met" if ticket.first_human_reply_at <= ticket.first_reply_due else "missed"
    return "missed" if (ticket.ended_at or now) > ticket.first_reply_due else "no_reply"


def monthly_report(session: Session, month: Month, now: datetime, *, late_orders_for_alert: int = 3,
                   defect_troubles_for_alert: int = 2) -> MonthlyReport:
    """One month of troubles, tickets, lockouts, satisfaction and FAQ answers; an empty month gives empty counts."""
    start, end = month.start, month.end
    report = MonthlyReport(month=month, generated_at=now)
    report.weeks = month_weeks(month)
    report.weekly = {week: Counter() for week in report.weeks}
    report.lockouts = {week: Counter() for week in report.weeks}

    troubles = session.execute(select(Trouble).where(Trouble.created_at >= start, Trouble.created_at < end)
                               .order_by(Trouble.created_at, Trouble.id)).scalars().all()
    tickets = session.execute(select(Ticket).where(Ticket.created_at >= start, Ticket.created_at < end)
                              .order_by(Ticket.created_at, Ticket.id)).scalars().all()
    references = [t.reference for t in troubles if t.reference]
    linked = session.execute(select(Ticket).where(Ticket.trouble_reference.in_(references))).scalars().all() \
        if references else []
    ticket_of_trouble = {t.trouble_reference: t for t in sorted(linked, key=lambda t: t.id)}
    issue_of_reference = {t.reference: t.issue_type for t in troubles}
    outside = [t.trouble_reference for t in tickets
               if t.trouble_reference and t.trouble_reference not in issue_of_reference]
    if outside:
        issue_of_reference.update(session.execute(
            select(Trouble.reference, Trouble.issue_type).where(Trouble.reference.in_(outside))).all())
    products_of = _products_by_order(session, (t.order_number for t in troubles))

    for trouble in troubles:
        ticket = ticket_of_trouble.get(trouble.reference)
        products = products_of.get(trouble.order_number or "", [])
        reply_minutes = None
        if ticket is not None and ticket.first_human_reply_at is not None:
            reply_minutes = int((ticket.first_human_reply_at - ticket.created_at).total_seconds() // 60)
        report.troubles.append(TroubleRow(
            at=f"{trouble.created_at.astimezone(JST):%Y-%m-%d %H:%M}", reference=trouble.reference or "",
            channel=trouble.channel, issue_type=trouble.issue_type,
            issue_label=ISSUE_TYPE_LABELS.get(trouble.issue_type, trouble.issue_type),
            escalation_reason=handoff.REASON_LABELS.get(ticket.reason, ticket.reason) if ticket else "",
            product="／".join(products) if products else NO_PRODUCT,
            status=_trouble_status(trouble, ticket), first_reply_minutes=reply_minutes,
        ))
        report.weekly[_week_of(trouble.created_at, month)][trouble.issue_type] += 1
        handed_off = ticket is not None or trouble.status in ("handed_off", "verification_locked")
        report.containment["handed_off" if handed_off else "bot_only"] += 1
        if trouble.issue_type in PRODUCT_TYPES:
            for product in products or [NO_PRODUCT]:
                report.products.setdefault(product, Counter())[trouble.issue_type] += 1

    for ticket in tickets:
        report.escalations[handoff.REASON_LABELS.get(ticket.reason, ticket.reason)] += 1
        issue_type = issue_of_reference.get(ticket.trouble_reference or "", "other")
        report.sla.setdefault(issue_type, Counter())[_sla_state(ticket, now)] += 1
        if ticket.reason == "verification_locked":
            report.lockout_handoffs += 1

    _count_lockouts(session, report, month)
    _count_satisfaction(session, report, month)
    report.faq = summarise(session, start, end)
    report.alerts = product_alerts(session, start, min(end, now), now, troubles=troubles,
                                   products_of=products_of, late_orders_for_alert=late_orders_for_alert,
                                   defect_troubles_for_alert=defect_troubles_for_alert)
    return report


def _trouble_status(trouble: Trouble, ticket: Ticket | None) -> str:
    if ticket is not None and ticket.status == handoff.CLOSED:
        return f"終了（{handoff.OUTCOMES.get(ticket.outcome or '', ticket.outcome or '')}）"
    if ticket is not None and ticket.status == handoff.HANDED_BACK:
        return "ボットに戻した"
    if ticket is not None:
        return "担当者が対応中"
    return TROUBLE_STATUS_LABELS.get(trouble.status, trouble.status)


_RESULT = re.compile(r"result=(\w+)")


def _count_lockouts(session: Session, report: MonthlyReport, month: Month) -> None:
    """From the verification audit entries: failures, new locks, and attempts refused while locked."""
    entries = session.execute(select(AuditEntry.at, AuditEntry.detail).where(
        AuditEntry.action.in_(("identity.verify_order", "identity.verify_code")),
        AuditEntry.at >= month.start, AuditEntry.at < month.end)).all()
    for at, detail in entries:
        match = _RESULT.search(detail or "")
        result = match.group(1) if match else ""
        week = report.lockouts[_week_of(at, month)]
        if result in ("verified", ""):
            continue
        if result in ("sender_locked", "order_locked"):
            week["refused"] += 1
            continue
        week["failures"] += 1
        if " locked=" in detail:
            week["locks"] += 1


def _count_satisfaction(session: Session, report: MonthlyReport, month: Month) -> None:
    surveys = session.execute(select(SatisfactionSurvey).where(
        SatisfactionSurvey.asked_at >= month.start, SatisfactionSurvey.asked_at < month.end)
        .options(selectinload(SatisfactionSurvey.agent))).scalars().all()
    by_agent: dict[str, list[int]] = defaultdict(list)
    for survey in surveys:
        report.surveys_asked += 1
        if survey.score is not None:
            report.scores[survey.score] += 1
            by_agent[survey.agent.display_name if survey.agent else "—"].append(survey.score)
        elif survey.status == "skipped":
            report.surveys_skipped += 1
    report.agent_scores = sorted((AgentScore(name, len(s), sum(s) / len(s)) for name, s in by_agent.items()),
                                 key=lambda a: (-a.answers, a.agent))


# ---------------------------------------------------------------------------
# Product alerts
# ---------------------------------------------------------------------------

def _hours_late(shipment: Shipment, until: datetime) -> float:
    """Hours past the end of the expected day, at delivery or (still on the way) at ``until``."""
    expected_end = datetime.combine(shipment.expected_delivery, time(23, 59, 59), tzinfo=JST)
    arrived = shipment.delivered_at if shipment.delivered_at is not None else until
    return (arrived - expected_end).total_seconds() / 3600


def product_alerts(session: Session, start: datetime, until: datetime, now: datetime, *,
                   troubles: list[Trouble] | None = None, products_of: dict[str, list[str]] | None = None,
                   late_orders_for_alert: int = 3, defect_troubles_for_alert: int = 2) -> list[ProductAlert]:
    """Products to consider stopping: several orders more than 48 h late, or repeated defect/safety troubles.

    Late deliveries come from the shipments expected between ``start`` and
    ``until`` (delivered late, or still not delivered at ``until``); defects
    from the troubles reported in that time.
    """
    if troubles is None:
        troubles = session.execute(select(Trouble).where(
            Trouble.created_at >= start, Trouble.created_at < until,
            Trouble.issue_type.in_(DEFECT_TYPES))).scalars().all()
    if products_of is None:
        products_of = _products_by_order(session, (t.order_number for t in troubles))
    late: dict[str, list[AlertOrder]] = defaultdict(list)
    shipments = session.execute(
        select(Shipment, Order).join(Order, Order.id == Shipment.order_id)
        .where(Shipment.expected_delivery >= start.astimezone(JST).date(),
               Shipment.expected_delivery <= until.astimezone(JST).date())
        .options(selectinload(Order.items)).order_by(Shipment.expected_delivery, Order.id)).all()
    for shipment, order in shipments:
        if order.status in ("cancelled", "refunded"):
            continue
        hours = _hours_late(shipment, min(until, now))
        if hours * 3600 <= DELAY_THRESHOLD.total_seconds():
            continue
        expected = shipment.expected_delivery
        state = "配達済み" if shipment.delivered_at is not None else "未配達"
        detail = f"{shipment.carrier} 予定{expected.month}/{expected.day}から{int(hours)}時間超（{state}）"
        for product in sorted({i.name for i in order.items}):
            late[product].append(AlertOrder(mask_order_number(order.order_number), detail))
    defects: dict[str, list[AlertOrder]] = defaultdict(list)
    for trouble in troubles:
        if trouble.issue_type not in DEFECT_TYPES or not trouble.order_number:
            continue
        label = ISSUE_TYPE_LABELS[trouble.issue_type]
        for product in products_of.get(trouble.order_number, []):
            defects[product].append(AlertOrder(mask_order_number(trouble.order_number),
                                               f"{trouble.reference} {label}"))
    alerts = []
    for product, orders in sorted(late.items()):
        if len(orders) >= late_orders_for_alert:
            alerts.append(ProductAlert(product, f"48時間を超える配送遅延が{len(orders)}件", tuple(orders)))
    for product, orders in sorted(defects.items()):
        if len(orders) >= defect_troubles_for_alert:
            alerts.append(ProductAlert(product, f"不良品・製品安全のお問い合わせが{len(orders)}件", tuple(orders)))
    return alerts


def recent_product_alerts(session: Session, now: datetime, days: int = 30, **thresholds) -> list[ProductAlert]:
    """The console home's alerts: the last ``days`` days up to now."""
    return product_alerts(session, now - timedelta(days=days), now, now, **thresholds)

