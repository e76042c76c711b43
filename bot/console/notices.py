"""The console's pages for notices to many customers: recalls and data-leak incidents (supervisors only).

A supervisor writes a product-safety notice (items from the orders), sees
the preview (customers reached by channel, LINE pushes used), sends it, and
watches each customer's progress; an incident page adds the APPI clock and
the checklist. Sending writes the recipients; the channels' notice pumps
push LINE and Telegram, and this process mails the rest (``MailSender``).
Customers are shown masked (#id and initials); the customer-facing text is
shown in full, as it holds no one's data.

The pages use the console's own wrappers (session, CSRF, audit) and its
security headers; ``register`` adds them to the console app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from bot import handoff, notices, templates
from bot.config import load_settings
from bot.console.accounts import ConsoleUser
from bot.console.app import PREFIX, Console, _action, _page, _plain_function
from bot.console.views import jst_label
from bot.mail import Mailer, mailer_from_env
from bot.store.models import AuditEntry, Notice
from bot.support import JST

logger = logging.getLogger(__name__)

MAIL_POLL_SECONDS = 2.0
MAX_NOTICE_ID = 2**31 - 1
DONE_MESSAGES = {
    "created": "下書きを作成しました。送信先の件数と本文を確認してから送信してください。",
    "sent": "送信を開始しました。お客様ごとの進み具合がこのページに表示されます。",
    "closed": "このお知らせを終了しました。ボットは今後この件をご案内しません。",
    "checked": "チェックリストを更新しました。",
}


class _NotFound(Exception):
    pass


@dataclass(frozen=True)
class NoticeRow:
    id: int
    reference: str
    kind_label: str
    title: str
    status: str
    status_label: str
    created_at: str


@dataclass(frozen=True)
class CheckRow:
    key: str
    label: str
    done: bool
    by: str
    at: str


class NoticePages:
    """Routes under /console/notices and /console/incidents; every one for supervisors only."""

    def __init__(self, console: Console) -> None:
        self.console = console

    # the console wrappers call these two
    async def current_user(self, request: Request) -> ConsoleUser | None:
        return await self.console.current_user(request)

    def render(self, template: str, status: int = 200, **context) -> HTTPResponse:
        return self.console.render(template, status=status, **context)

    def db(self, work: Callable[[Session], object]):
        return self.console.db(work)

    def forbidden(self, user: ConsoleUser) -> HTTPResponse:
        return self.render("error.html", status=403, user=user, title="権限がありません",
                           message="一斉連絡（リコール・漏えい事案）はスーパーバイザーだけが扱えます。")

    def not_found(self, user: ConsoleUser) -> HTTPResponse:
        return self.render("error.html", status=404, user=user, title="見つかりません",
                           message="このお知らせは見つかりません。")

    def routes(self) -> list[tuple[Callable, str, str]]:
        return [
            (self.index, "/notices", "GET"),
            (self.new_notice, "/notices/new", "GET"),
            (self.create_notice, "/notices", "POST"),
            (self.new_incident, "/incidents/new", "GET"),
            (self.create_incident, "/incidents", "POST"),
            (self.show, "/notices/<notice_id:int>", "GET"),
            (self.progress_json, "/notices/<notice_id:int>/progress.json", "GET"),
            (self.send, "/notices/<notice_id:int>/send", "POST"),
            (self.close, "/notices/<notice_id:int>/close", "POST"),
            (self.check, "/notices/<notice_id:int>/check", "POST"),
        ]

    # -- the list and the forms ---------------------------------------------------

    @_page
    async def index(self, request: Request, user: ConsoleUser) -> HTTPResponse:
        if not user.is_supervisor:
            return self.forbidden(user)

        def work(session: Session) -> list[NoticeRow]:
            return [NoticeRow(n.id, n.reference, notices.KIND_LABELS[n.kind], n.title, n.status,
                              notices.STATUS_LABELS[n.status], jst_label(n.created_at))
                    for n in notices.list_notices(session)]

        return self.render("notices.html", user=user, nav="notices", rows=await self.db(work))

    async def _product_form(self, user: ConsoleUser, *, status: int = 200, error: str = "",
                            form: dict | None = None) -> HTTPResponse:
        catalogue = await self.db(notices.catalogue)
        return self.render("notice_new.html", status=status, user=user, nav="notices", catalogue=catalogue,
                           error=error, form=form or {"items": [], "title": "", "what_happened": "",
                                                      "what_to_do": "", "deadline": "", "keywords": ""})

    @_page
    async def new_notice(self, request: Request, user: ConsoleUser) -> HTTPResponse:
        if not user.is_supervisor:
            return self.forbidden(user)
        return await self._product_form(user)

    @_action
    async def create_notice(self, request: Request, user: ConsoleUser) -> HTTPResponse:
        if not user.is_supervisor:
            return self.forbidden(user)
        form = {"items": request.form.getlist("items") or [], "title": request.form.get("title") or "",
                "what_happened": request.form.get("what_happened") or "",
                "what_to_do": request.form.get("what_to_do") or "", "deadline": request.form.get("deadline") or "",
                "keywords": request.form.get("keywords") or ""}
        try:
            deadline = date.fromisoformat(form["deadline"]) if form["deadline"] else None
        except ValueError:
            return await self._product_form(user, status=400, error="ご連絡の期限の日付が正しくありません。", form=form)
        now = handoff.now_utc()

        def work(session: Session) -> int:
            return notices.create_product_notice(
                session, items=form["items"], title=form["title"], what_happened=form["what_happened"],
                what_to_do=form["what_to_do"], contact_deadline=deadline, actor=f"agent:{user.login}", now=now,
                keywords=form["keywords"].replace("、", "\n").splitlines()).id

        try:
            notice_id = await self.db(work)
        except notices.NoticeError as error:
            return await self._product_form(user, status=400, error=error.message, form=form)
        return response.redirect(f"{PREFIX}/notices/{notice_id}?done=created", status=303)

    def _incident_form(self, user: ConsoleUser, *, status: int = 200, error: str = "",
                       form: dict | None = None) -> HTTPResponse:
        return self.render("incident_new.html", status=status, user=user, nav="notices", error=error,
                           data_kinds=notices.DATA_KINDS,
                           form=form or {"title": "", "discovered_at": "", "orders": "", "kinds": [], "cause": "",
                                         "wrongful": False, "watch_for": templates.DATA_LEAK_DEFAULT_WATCH_FOR,
                                         "contact": templates.DATA_LEAK_DEFAULT_CONTACT})

    @_page
    async def new_incident(self, request: Request, user: ConsoleUser) -> HTTPResponse:
        if not user.is_supervisor:
            return self.forbidden(user)
        return self._incident_form(user)

    @_action
    async def create_incident(self, request: Request, user: ConsoleUser) -> HTTPResponse:
        if not user.is_supervisor:
            return self.forbidden(user)
        form = {"title": request.form.get("title") or "", "discovered_at": request.form.get("discovered_at") or "",
                "orders": request.form.get("orders") or "", "kinds": request.form.getlist("kinds") or [],
                "cause": request.form.get("cause") or "", "wrongful": request.form.get("wrongful") == "1",
                "watch_for": request.form.get("watch_for") or "", "contact": request.form.get("contact") or ""}
        try:
            discovered = datetime.fromisoformat(form["discovered_at"]).replace(tzinfo=JST)
        except ValueError:
            return self._incident_form(user, status=400, error="発覚した日時を入力してください。", form=form)
        now = handoff.now_utc()

        def work(session: Session) -> int:
            return notices.create_leak_incident(
                session, title=form["title"], discovered_at=discovered, affected_orders=form["orders"].splitlines(),
                data_kinds=form["kinds"], cause=form["cause"], wrongful_intent=form["wrongful"],
                actor=f"agent:{user.login}", now=now, watch_for=form["watch_for"], contact=form["contact"]).id

        try:
            notice_id = await self.db(work)
        except notices.NoticeError as error:
            return self._incident_form(user, status=400, error=error.message, form=form)
        return response.redirect(f"{PREFIX}/notices/{notice_id}?done=created", status=303)

    # -- one notice ------------------------------------------------------------------

    async def _notice_page(self, user: ConsoleUser, notice_id: int, *, automatic: bool, flash: str = "",
                           error: str = "", status: int = 200) -> HTTPResponse:
        now = handoff.now_utc()

        def work(session: Session) -> dict | None:
            notice = session.get(Notice, notice_id) if notice_id <= MAX_NOTICE_ID else None
            if notice is None:
                return None
            preview = notices.audience(session, notice)
            page = {"notice": notice, "kind_label": notices.KIND_LABELS[notice.kind],
                    "status_label": notices.STATUS_LABELS[notice.status], "preview": preview,
                    "text": notices.chat_text(notice), "subject": notices.mail_text(notice)[0],
                    "items": notices.split_lines(notice.items), "keywords": notices.split_lines(notice.keywords),
                    "progress": notices.progress(session, notice.id), "assessment": None, "checklist": [],
                    "created_at": jst_label(notice.created_at),
                    "sent_at": jst_label(notice.sent_at) if notice.sent_at else ""}
            if notice.kind == notices.DATA_LEAK:
                page["assessment"] = notices.assess(notice, preview.total, now)
                page["discovered_at"] = jst_label(notice.discovered_at)
                page["data_kind_labels"] = [notices.DATA_KINDS[k] for k in notices.split_lines(notice.data_kinds)]
                done = notices.checks(session, notice.id)
                page["checklist"] = [CheckRow(k, label, k in done, done[k].checked_by if k in done else "",
                                              jst_label(done[k].checked_at) if k in done else "")
                                     for k, label in notices.CHECKLIST.items()]
            if not automatic:
                session.add(AuditEntry(at=now, actor=f"agent:{user.login}", action="console_notice_view",
                                       detail=f"notice {notice.reference}"))
            return page

        page = await self.db(work)
        if page is None:
            return self.not_found(user)
        return self.render("notice.html", status=status, user=user, nav="notices", flash=flash, error=error,
                           channel_labels=notices.CHANNEL_LABELS, delivery_labels=notices.DELIVERY_LABELS,
                           updated_at=f"{now.astimezone(JST):%H:%M:%S}", **page)

    @_page
    async def show(self, request: Request, user: ConsoleUser, notice_id: int) -> HTTPResponse:
        if not user.is_supervisor:
            return self.forbidden(user)
        return await self._notice_page(user, notice_id, automatic=request.args.get("auto") == "1",
                                       flash=DONE_MESSAGES.get(request.args.get("done", ""), ""))

    async def progress_json(self, request: Request, notice_id: int) -> HTTPResponse:
        user = await self.current_user(request)
        if user is None:
            return response.json({"error": "login required"}, status=401)
        if not user.is_supervisor:
            return response.json({"error": "supervisors only"}, status=403)

        def work(session: Session) -> dict | None:
            if notice_id > MAX_NOTICE_ID or session.get(Notice, notice_id) is None:
                return None
            return notices.progress(session, notice_id).as_json()

        payload = await self.db(work)
        if payload is None:
            return response.json({"error": "not found"}, status=404)
        return response.json(payload, ensure_ascii=False)

    async def _act(self, user: ConsoleUser, notice_id: int, done: str,
                   work: Callable[[Session], object]) -> HTTPResponse:
        def guarded(session: Session) -> object:
            if notice_id > MAX_NOTICE_ID or session.get(Notice, notice_id) is None:
                raise _NotFound()
            return work(session)

        try:
            await self.db(guarded)
        except _NotFound:
            return self.not_found(user)
        except notices.NoticeError as error:
            return await self._notice_page(user, notice_id, automatic=True, error=error.message, status=409)
        return response.redirect(f"{PREFIX}/notices/{notice_id}?done={done}", status=303)

    @_action
    async def send(self, request: Request, user: ConsoleUser, notice_id: int) -> HTTPResponse:
        if not user.is_supervisor:
            return self.forbidden(user)
        now = handoff.now_utc()

        def work(session: Session) -> None:
            if session.get(Notice, notice_id).status == notices.CLOSED:
                raise notices.NoticeError("終了したお知らせは送信できません。")
            notices.start_sending(session, notice_id, f"agent:{user.login}", now)

        return await self._act(user, notice_id, "sent", work)

    @_action
    async def close(self, request: Request, user: ConsoleUser, notice_id: int) -> HTTPResponse:
        if not user.is_supervisor:
            return self.forbidden(user)
        now = handoff.now_utc()
        return await self._act(user, notice_id, "closed",
                               lambda session: notices.close(session, notice_id, f"agent:{user.login}", now))

    @_action
    async def check(self, request: Request, user: ConsoleUser, notice_id: int) -> HTTPResponse:
        if not user.is_supervisor:
            return self.forbidden(user)
        item, done = request.form.get("item") or "", request.form.get("done") == "1"
        now = handoff.now_utc()
        return await self._act(user, notice_id, "checked",
                               lambda session: notices.tick(session, notice_id, item, done, f"agent:{user.login}", now))


class MailSender:
    """Mails the notices of customers without a chat channel, every couple of seconds, in this process."""

    def __init__(self, mailer: Mailer | None = None, engine=None) -> None:
        self.mailer = mailer or mailer_from_env(load_settings())
        self.engine = engine
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        while True:
            try:
                while await asyncio.to_thread(notices.deliver_mail, self.mailer, engine=self.engine):
                    pass
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - a bad moment (DB busy) must not end the sender
                logger.warning("notices: mailing failed (%s)", type(error).__name__)
            await asyncio.sleep(MAIL_POLL_SECONDS)

    def attach(self, blueprint: Blueprint) -> None:
        @blueprint.listener("after_server_start")
        async def start(*_) -> None:
            self._task = asyncio.get_running_loop().create_task(self._run())

        @blueprint.listener("before_server_stop")
        async def stop(*_) -> None:
            if self._task is not None:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):  # stopping anyway
                    await self._task


def blueprint(console: Console) -> Blueprint:
    """The notices' pages and the mail sender, for ``create_app``."""
    pages = NoticePages(console)
    bp = Blueprint("console_notices", url_prefix=PREFIX)
    for method, uri, http_method in pages.routes():
        bp.add_route(_plain_function(method), uri, methods=[http_method])
    MailSender(engine=console.engine).attach(bp)
    return bp
