"""Console pages for looking back and keeping watch: the monthly report, the team, my own work, new tickets.

- ``/console/reports`` (supervisors): the month's report (``bot.reports``)
  with its charts as PNG images and ``troubles.csv``.
- ``/console/team`` (supervisors): each agent's open tickets and SLA risk.
- ``/console/me``: the agent's own open tickets and satisfaction scores.
- ``/console/queue.json``: the open tickets, urgent first, which every
  console page polls to tell the agent about new ones (notification, sound,
  tab title; ``console.js``).

The routes are registered by ``Console.blueprint`` and use its session, CSRF
and audit rules; database work runs in ``Console.db``'s worker threads.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Callable

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot import handoff, reports
from bot.config import load_settings
from bot.console.accounts import ConsoleUser
from bot.console.app import bound_to, _api, _page
from bot.console.views import SEVERITY_LABELS, SLA_WARNING, jst_label, queue_item, sla_clock
from bot.privacy import mask_personal_data
from bot.report_charts import CHART_NAMES, CHARTS, NO_FONT_NOTE, draw_chart, japanese_font
from bot.store.models import Agent, AuditEntry, SatisfactionSurvey
from bot.support import ISSUE_TYPE_LABELS, JST

if TYPE_CHECKING:
    from bot.console.app import Console

REPORT_CACHE_SECONDS = 60  # a page and its seven charts share one computation
RECENT_SCORES = 20
_cache: dict[str, tuple[float, reports.MonthlyReport]] = {}


def routes(console: "Console") -> list[tuple[Callable, str, str]]:
    """(handler, uri, method) for ``Console.blueprint``."""
    return [(bound_to(console, handler), uri, method) for handler, uri, method in (
        (reports_page, "/reports", "GET"),
        (report_file, "/reports/<month>/<name>", "GET"),
        (team_page, "/team", "GET"),
        (my_page, "/me", "GET"),
        (queue_feed, "/queue.json", "GET"),
    )]



def _forbidden(console: "Console", user: ConsoleUser, what: str) -> HTTPResponse:
    return console.render("error.html", status=403, user=user, title="権限がありません",
                          message=f"{what}はスーパーバイザーだけが見られます。")


def _thresholds() -> dict:
    settings = load_settings()
    return {"late_orders_for_alert": settings.alert_late_orders,
            "defect_troubles_for_alert": settings.alert_defect_troubles}


async def _report(console: "Console", month: reports.Month, *, fresh: bool) -> reports.MonthlyReport:
    cached = _cache.get(month.key)
    if cached and not fresh and time.monotonic() - cached[0] < REPORT_CACHE_SECONDS:
        return cached[1]
    now = handoff.now_utc()
    thresholds = _thresholds()
    report = await console.db(lambda session: reports.monthly_report(session, month, now, **thresholds))
    _cache[month.key] = (time.monotonic(), report)
    return report


def _audit(session: Session, user: ConsoleUser, action: str, detail: str = "") -> None:
    session.add(AuditEntry(at=handoff.now_utc(), actor=f"agent:{user.login}", action=action, detail=detail))


# ---------------------------------------------------------------------------
# The monthly report
# ---------------------------------------------------------------------------

@_page
async def reports_page(console: "Console", request: Request, user: ConsoleUser) -> HTTPResponse:
    if not user.is_supervisor:
        return _forbidden(console, user, "月次レポート")
    text = request.args.get("month") or reports.Month.of(handoff.now_utc()).key
    try:
        month = reports.Month.parse(text)
    except reports.ReportError as error:
        return console.render("error.html", status=400, user=user, title="月の指定が正しくありません",
                              message=str(error))
    report = await _report(console, month, fresh=True)
    await console.db(lambda session: _audit(session, user, "console_report_view", f"month={month.key}"))
    return console.render("reports.html", user=user, nav="reports", r=report, charts=CHARTS,
                          chart_url=f"/console/reports/{month.key}/", csv_url=f"/console/reports/{month.key}/troubles.csv",
                          font_note="" if japanese_font() else NO_FONT_NOTE, issue_labels=ISSUE_TYPE_LABELS,
                          sla_labels=reports.SLA_LABELS, product_types=reports.PRODUCT_TYPES)


@_page
async def report_file(console: "Console", request: Request, user: ConsoleUser, month: str,
                      name: str) -> HTTPResponse:
    if not user.is_supervisor:
        return _forbidden(console, user, "月次レポート")
    try:
        parsed = reports.Month.parse(month)
    except reports.ReportError:
        return response.text("not found", status=404)
    if name == "troubles.csv":
        report = await _report(console, parsed, fresh=True)
        await console.db(lambda session: _audit(session, user, "console_report_csv", f"month={parsed.key}"))
        return response.text(report.csv_text(), content_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="troubles-{parsed.key}.csv"'})
    if name not in CHART_NAMES:
        return response.text("not found", status=404)
    report = await _report(console, parsed, fresh=False)
    png = await asyncio.to_thread(draw_chart, report, name)
    return response.raw(png, content_type="image/png")


# ---------------------------------------------------------------------------
# The team (supervisors) and my own page
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class AgentLoad:
    name: str
    login: str
    open_tickets: int
    overdue: int
    due_soon: int
    tickets: list  # QueueItem


def _agent_loads(session: Session, now: datetime) -> tuple[list[AgentLoad], list]:
    rows = handoff.queue(session, now)
    agents = session.execute(select(Agent).where(Agent.active.is_(True)).order_by(Agent.display_name)).scalars()
    loads = []
    for agent in agents:
        mine = [queue_item(r, now) for r in rows if r.ticket.claimed_by == agent.id]
        loads.append(AgentLoad(agent.display_name, agent.login, len(mine),
                               sum(1 for i in mine if i.sla.state == "overdue"),
                               sum(1 for i in mine if i.sla.state == "due-soon"), mine))
    loads.sort(key=lambda a: (-a.overdue, -a.due_soon, -a.open_tickets, a.name))
    unclaimed = [queue_item(r, now) for r in rows if r.ticket.claimed_by is None]
    return loads, unclaimed


@_page
async def team_page(console: "Console", request: Request, user: ConsoleUser) -> HTTPResponse:
    if not user.is_supervisor:
        return _forbidden(console, user, "チームの状況")
    now = handoff.now_utc()

    def work(session: Session):
        loads, unclaimed = _agent_loads(session, now)
        _audit(session, user, "console_team_view")
        return loads, unclaimed

    loads, unclaimed = await console.db(work)
    return console.render("team.html", user=user, nav="team", loads=loads, unclaimed=unclaimed,
                          warning_minutes=int(SLA_WARNING.total_seconds() // 60),
                          updated_at=f"{now.astimezone(JST):%H:%M:%S}")


@dataclass(frozen=True)
class ScoreRow:
    at: str
    reference: str
    score: int
    comment: str


@_page
async def my_page(console: "Console", request: Request, user: ConsoleUser) -> HTTPResponse:
    now = handoff.now_utc()

    def work(session: Session):
        mine = [queue_item(r, now) for r in handoff.queue(session, now) if r.ticket.claimed_by == user.agent_id]
        answered = session.execute(
            select(SatisfactionSurvey).where(SatisfactionSurvey.agent_id == user.agent_id,
                                             SatisfactionSurvey.score.is_not(None))
            .options(selectinload(SatisfactionSurvey.ticket))
            .order_by(SatisfactionSurvey.answered_at.desc(), SatisfactionSurvey.id.desc())).scalars().all()
        asked = session.execute(select(SatisfactionSurvey.id).where(
            SatisfactionSurvey.agent_id == user.agent_id)).all()
        rows = [ScoreRow(jst_label(s.answered_at), s.ticket.reference, s.score,
                         mask_personal_data(s.comment or "")) for s in answered[:RECENT_SCORES]]
        average = sum(s.score for s in answered) / len(answered) if answered else None
        _audit(session, user, "console_me_view")
        return mine, rows, average, len(answered), len(asked)

    mine, rows, average, answered, asked = await console.db(work)
    return console.render("me.html", user=user, nav="me", mine=mine, scores=rows, average=average,
                          answered=answered, asked=asked)


# ---------------------------------------------------------------------------
# New tickets, for the console's notifications
# ---------------------------------------------------------------------------

@_api
async def queue_feed(console: "Console", request: Request, user: ConsoleUser) -> HTTPResponse:
    """Open tickets (most severe first) with what a notification says; not audited (polled)."""
    now = handoff.now_utc()

    def work(session: Session) -> list[dict]:
        return [{"id": r.ticket.id, "reference": r.ticket.reference, "severity": r.ticket.severity,
                 "severity_label": SEVERITY_LABELS.get(r.ticket.severity, r.ticket.severity),
                 "reason_label": handoff.REASON_LABELS.get(r.ticket.reason, r.ticket.reason),
                 "status": r.ticket.status, "sla": sla_clock(r.ticket, now).label}
                for r in handoff.queue(session, now) if r.ticket.claimed_by is None]

    return response.json({"open": await console.db(work)}, ensure_ascii=False)
