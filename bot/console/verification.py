"""The supervisors' page of verification failures: is someone guessing phone digits right now?

A spike of failures means an attack (sender rotation against a few orders,
or enumeration of many): supervisors see failures per hour over the last 24
hours, how many orders, senders and clients they came from, and which orders
are past their daily budget of wrong digits (so their owners can only get in
by mailed code or through a person). Order numbers appear masked only
(``bot.identity.mask_order_number``); keys and addresses never.

It lives in its own module so that the console app only registers the route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from bot import handoff, identity
from bot.console.views import jst_label
from bot.store.models import AuditEntry
from bot.support import JST

if TYPE_CHECKING:  # the app imports this module to register the page
    from bot.console.app import Console

PATH = "/verification"


@dataclass(frozen=True)
class HourRow:
    label: str  # 14:00–15:00
    failures: int
    spike: bool


@dataclass(frozen=True)
class OverBudgetRow:
    label: str
    failures: int
    last_failure: str
    budget_back_at: str


@dataclass(frozen=True)
class FailuresPage:
    hours: list[HourRow]
    peak: int  # the largest hourly count (the bars' scale)
    failures: int
    orders_affected: int
    senders: int
    clients: int
    over_budget: list[OverBudgetRow]
    spike: bool


def failures_page(report: identity.FailureReport) -> FailuresPage:
    hours = [HourRow(f"{h.start.astimezone(JST):%m/%d %H}時台", h.failures, h.spike) for h in report.hours]
    return FailuresPage(
        hours=list(reversed(hours)), peak=max([1, *(h.failures for h in report.hours)]), failures=report.failures,
        orders_affected=report.orders_affected, senders=report.senders, clients=report.clients,
        over_budget=[OverBudgetRow(o.label, o.failures, jst_label(o.last_failure), jst_label(o.budget_back_at))
                     for o in report.over_budget],
        spike=report.spike,
    )


def add_route(bp: Blueprint, console: "Console", login_path: str) -> None:
    """Register the page on the console's blueprint, with the console's session, rendering and database."""

    async def verification_failures(request: Request) -> HTTPResponse:
        user = await console.current_user(request)
        if user is None:
            return response.redirect(login_path, status=303)
        if not user.is_supervisor:
            return console.render("error.html", status=403, user=user, title="権限がありません",
                                  message="本人確認の失敗状況はスーパーバイザーだけが見られます。")
        now = handoff.now_utc()

        def work(session: Session) -> FailuresPage:
            page = failures_page(identity.failure_report(session, now))
            session.add(AuditEntry(at=now, actor=f"agent:{user.login}", action="console_verification_view"))
            return page

        page = await console.db(work)
        return console.render("verification.html", user=user, nav="verification", page=page,
                              budget=identity.ORDER_DAILY_BUDGET, updated_at=f"{now.astimezone(JST):%H:%M}")

    bp.add_route(verification_failures, PATH, methods=["GET"])
