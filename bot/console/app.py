"""The agents' console as a Sanic app: server-rendered Japanese pages under ``/console``.

Pages need a session (``bot.console.accounts``): a GET without one is sent to
the login page, a POST or a JSON request without one gets 401, and a POST
whose CSRF token does not match the session's gets 403. Every page view and
action is written to the audit log, and so are reads of a ticket's
messages.json (at most one line per agent and ticket every
``TRANSCRIPT_READ_AUDIT_INTERVAL``, since the ticket page polls it every
5 seconds); message texts and passwords never are.

Behind the shop's TLS proxy the console trusts ``X-Forwarded-For`` and
``X-Forwarded-Proto`` only from the proxies in ``MADOGUCHI_TRUSTED_PROXIES``
(``bot.clients``): the client address is what login limits count, and a
trusted ``https`` (or ``MADOGUCHI_COOKIE_SECURE``) puts ``Secure`` on the
cookies. Every response under /console forbids framing (CSP
``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``) and loads nothing
but the console's own files.

Database work runs in worker threads (``Console.db``), one session per
request, so a slow query or a password hash never stalls other agents; two
agents claiming the same ticket at once really race, and ``bot.handoff.claim``
lets exactly one win.
"""

from __future__ import annotations

import asyncio
import hmac
import re
import secrets
from datetime import datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import exists, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from bot import canned_replies, handoff, reports, satisfaction, web_sessions
from bot.clients import ClientOrigin, client_origin
from bot.config import Settings, load_settings
from bot.console import accounts, verification
from bot.console.accounts import ConsoleUser
from bot.console.views import (
    AuditRow,
    EndedItem,
    QueueItem,
    TicketView,
    ended_item,
    evidence_lines,
    message_view,
    queue_item,
    ticket_state,
    ticket_view,
)
from bot.secrets import server_secret
from bot.store.db import engine_for, session_scope
from bot.store.models import Agent, AuditEntry, Ticket
from bot.support import JST

T = TypeVar("T")

PREFIX = "/console"
LOGIN_PATH = f"{PREFIX}/login"
QUEUE_PATH = f"{PREFIX}/"
LOGIN_CSRF_COOKIE = "madoguchi_console_login"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
# Forms are small: a reply of 4000 characters is under 40 kB even percent-encoded.
REQUEST_MAX_SIZE = 128 * 1024

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                                "base-uri 'none'; object-src 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

# What the page says after an action succeeded (?done=…); keys only, so nothing can be injected.
DONE_MESSAGES = {
    "claim": "このチケットを担当しました。",
    "reply": "返信を登録しました。お客様のチャネルから順に送信されます。",
    "hand-back": "会話をボットに戻しました。",
    "close": "チケットを終了しました。",
    "release": "担当を外しました。チケットはキューに戻りました。",
}
ACTIONS = tuple(DONE_MESSAGES)
MAX_NOTE_LENGTH = 2000
RECENT_ENDED = 20
AUDIT_PAGE_SIZE = 200
REFERENCE_PATTERN = re.compile(r"[A-Za-z0-9-]{1,30}")
MAX_TICKET_ID = 2**31 - 1
# The ticket page polls messages.json every 5 s; one audit line per agent and ticket in this time is enough.
TRANSCRIPT_READ_AUDIT_INTERVAL = timedelta(minutes=10)


# ---------------------------------------------------------------------------
# Authentication wrappers for the handlers
# ---------------------------------------------------------------------------

def _page(handler):
    """A GET page: without a session, go to the login page."""
    @wraps(handler)
    async def wrapper(self: "Console", request: Request, **params) -> HTTPResponse:
        user = await self.current_user(request)
        if user is None:
            return response.redirect(LOGIN_PATH, status=303)
        return await handler(self, request, user, **params)
    return wrapper


def _api(handler):
    """A JSON endpoint: without a session, 401."""
    @wraps(handler)
    async def wrapper(self: "Console", request: Request, **params) -> HTTPResponse:
        user = await self.current_user(request)
        if user is None:
            return response.json({"error": "login required"}, status=401)
        return await handler(self, request, user, **params)
    return wrapper


def _action(handler):
    """A POST: without a session 401, without the session's CSRF token 403."""
    @wraps(handler)
    async def wrapper(self: "Console", request: Request, **params) -> HTTPResponse:
        user = await self.current_user(request)
        if user is None:
            return self.render("error.html", status=401, title="ログインが必要です",
                               message="ログインの有効期限が切れたか、ログアウトしています。もう一度ログインしてください。")
        if not accounts.csrf_matches(user, request.form.get("csrf_token")):
            return self.render("error.html", status=403, user=user, title="操作を受け付けられません",
                               message="フォームの有効期限が切れています。ページを再読み込みしてからもう一度操作してください。")
        return await handler(self, request, user, **params)
    return wrapper


def bound_to(console: "Console", handler: Callable) -> Callable:
    """A page module's handler ``handler(console, request, …)`` as a Sanic route handler of this console.

    The page modules (canned replies, FAQ, reports, notices) keep their handlers as plain
    functions of the console instead of methods, so app.py does not grow with each page.
    """
    async def bound(request: Request, **params) -> HTTPResponse:
        return await handler(console, request, **params)
    bound.__name__ = handler.__name__
    return bound


class _TicketNotFound(Exception):
    pass


# ---------------------------------------------------------------------------
# The console
# ---------------------------------------------------------------------------

class Console:
    """The console's pages and actions over one database."""

    def __init__(self, engine: Engine, secret: bytes, *, trusted_proxies: tuple = (),
                 cookie_secure: bool = False) -> None:
        self.engine = engine
        self.secret = secret
        self.trusted_proxies = trusted_proxies
        self.cookie_secure = cookie_secure
        self.templates = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                                     undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)

    async def db(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction, in a worker thread."""
        def run() -> T:
            with session_scope(self.engine) as session:
                return work(session)
        return await asyncio.to_thread(run)

    def render(self, template: str, status: int = 200, **context) -> HTTPResponse:
        context.setdefault("user", None)
        context.setdefault("nav", "")
        context["role_labels"] = accounts.ROLES
        return response.html(self.templates.get_template(template).render(**context), status=status)

    def origin(self, request: Request) -> ClientOrigin:
        """The client's address and scheme, as far as a trusted proxy vouches for them."""
        return client_origin(request.ip, ",".join(request.headers.getall("x-forwarded-for", [])),
                             request.headers.get("x-forwarded-proto"), self.trusted_proxies)

    def set_cookie(self, page: HTTPResponse, request: Request, name: str, value: str, *, path: str,
                   max_age: int) -> None:
        """HttpOnly, SameSite=Strict, and Secure whenever the browser reached us over TLS."""
        page.cookies[name] = value
        cookie = page.cookies[name]
        cookie["path"] = path
        cookie["max-age"] = max_age
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        if self.cookie_secure or request.scheme == "https" or self.origin(request).scheme == "https":
            cookie["secure"] = True

    async def current_user(self, request: Request) -> ConsoleUser | None:
        token = request.cookies.get(accounts.COOKIE_NAME)
        if not token:
            return None
        now = handoff.now_utc()
        return await self.db(lambda session: accounts.session_user(session, token, now))

    def blueprint(self) -> Blueprint:
        bp = Blueprint("console", url_prefix=PREFIX)
        routes = [
            (self.login_page, "/login", "GET"),
            (self.login_submit, "/login", "POST"),
            (self.logout, "/logout", "POST"),
            (self.queue, "/", "GET"),
            (self.ticket, "/tickets/<ticket_id:int>", "GET"),
            (self.messages, "/tickets/<ticket_id:int>/messages.json", "GET"),
            (self.ticket_action, "/tickets/<ticket_id:int>/<action>", "POST"),
            (self.audit, "/audit", "GET"),
        ]
        from bot.console import canned_pages, faq_pages, reports_pages  # they import this module's wrappers

        routes += reports_pages.routes(self) + canned_pages.routes(self) + faq_pages.routes(self)
        for method, uri, http_method in routes:
            bp.add_route(_plain_function(method), uri, methods=[http_method])
        verification.add_route(bp, self, LOGIN_PATH)
        bp.static("/static", str(STATIC_DIR), name="static")
        return bp

    # -- logging in and out ------------------------------------------------

    def _login_form(self, request: Request, *, status: int = 200, error: str = "", login: str = "") -> HTTPResponse:
        """The login page with a fresh login CSRF token, in a cookie and in the form (double submit)."""
        token = secrets.token_urlsafe(32)
        page = self.render("login.html", status=status, error=error, login=login, login_csrf=token)
        self.set_cookie(page, request, LOGIN_CSRF_COOKIE, token, path=LOGIN_PATH, max_age=3600)
        return page

    async def login_page(self, request: Request) -> HTTPResponse:
        if await self.current_user(request) is not None:
            return response.redirect(QUEUE_PATH, status=303)
        return self._login_form(request)

    async def login_submit(self, request: Request) -> HTTPResponse:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
        submitted = request.form.get("csrf_token") or ""
        if not expected or not hmac.compare_digest(expected.encode(), submitted.encode("utf-8")):
            return self._login_form(request, status=403,
                                    error="ページの有効期限が切れました。もう一度ログインしてください。")
        login = request.form.get("login") or ""
        password = request.form.get("password") or ""
        now = handoff.now_utc()
        result = await asyncio.to_thread(accounts.authenticate, self.engine, login, password,
                                         self.origin(request).address, now, self.secret)
        if result.agent is None:
            shown = accounts.normalise_login(login)[:50]
            if result.locked:
                until = result.locked_until.astimezone(JST)
                error = (f"この接続元からのログインに続けて失敗したため、{until:%H:%M}までログインできません。"
                         if result.client_locked else
                         f"ログインに続けて失敗したため、このログインIDは{until:%H:%M}まで使えません。")
                return self._login_form(request, status=429, login=shown, error=error)
            return self._login_form(request, status=401, login=shown,
                                    error="ログインIDまたはパスワードが違います。")
        token = await self.db(lambda session: accounts.start_session(session, result.agent, now))
        page = response.redirect(QUEUE_PATH, status=303)
        self.set_cookie(page, request, accounts.COOKIE_NAME, token, path=PREFIX,
                        max_age=int(accounts.SESSION_LIFETIME.total_seconds()))
        self.set_cookie(page, request, LOGIN_CSRF_COOKIE, "", path=LOGIN_PATH, max_age=0)
        return page

    @_action
    async def logout(self, request: Request, user: ConsoleUser) -> HTTPResponse:
        now = handoff.now_utc()
        await self.db(lambda session: accounts.end_session(session, user, now))
        page = response.redirect(LOGIN_PATH, status=303)
        self.set_cookie(page, request, accounts.COOKIE_NAME, "", path=PREFIX, max_age=0)
        return page

    # -- the queue -----------------------------------------------------------

    @_page
    async def queue(self, request: Request, user: ConsoleUser) -> HTTPResponse:
        # The page reloads itself every 15 s with ?auto=1; only the agent's own visits are audited.
        automatic = request.args.get("auto") == "1"
        now = handoff.now_utc()

        def work(session: Session) -> tuple[list[QueueItem], list[EndedItem], dict[str, int]]:
            items = [queue_item(row, now) for row in handoff.queue(session, now)]
            ended = session.execute(
                select(Ticket).where(Ticket.status.in_((handoff.HANDED_BACK, handoff.CLOSED)))
                .options(selectinload(Ticket.agent)).order_by(Ticket.ended_at.desc(), Ticket.id.desc())
                .limit(RECENT_ENDED)
            ).scalars().all()
            if not automatic:
                session.add(AuditEntry(at=now, actor=f"agent:{user.login}", action="console_queue_view"))
            alerts = reports.recent_product_alerts(session, now, late_orders_for_alert=settings.alert_late_orders,
                                                   defect_troubles_for_alert=settings.alert_defect_troubles)
            return items, [ended_item(t) for t in ended], handoff.waiting_counts(session), alerts

        settings = load_settings()
        items, ended, counts, alerts = await self.db(work)
        return self.render("queue.html", user=user, nav="queue", items=items, ended=ended, alerts=alerts,
                           open_count=counts.get(handoff.OPEN, 0), claimed_count=counts.get("claimed", 0),
                           updated_at=f"{now.astimezone(JST):%H:%M:%S}")

    # -- one ticket ------------------------------------------------------------

    async def _ticket_page(self, user: ConsoleUser, ticket_id: int, *, status: int = 200, flash: str = "",
                           error: str = "", draft: str = "") -> HTTPResponse:
        now = handoff.now_utc()

        def work(session: Session) -> tuple[TicketView | None, list]:
            if ticket_id > MAX_TICKET_ID or session.get(Ticket, ticket_id) is None:
                return None, []
            ticket = handoff.get_ticket(session, ticket_id)
            handoff.record_view(session, ticket, session.get(Agent, user.agent_id), now)
            return ticket_view(session, ticket, user, now), canned_replies.options_for(
                session, ticket, user.display_name, now)

        view, canned = await self.db(work)
        if view is None:
            return self.render("error.html", status=404, user=user, title="チケットが見つかりません",
                               message="このチケットは見つかりません。")
        return self.render("ticket.html", status=status, user=user, t=view, flash=flash, error=error, draft=draft,
                           canned=canned,
                           outcomes=handoff.OUTCOMES, max_reply=handoff.MAX_TRANSCRIPT_TEXT,
                           max_note=MAX_NOTE_LENGTH)

    @_page
    async def ticket(self, request: Request, user: ConsoleUser, ticket_id: int) -> HTTPResponse:
        return await self._ticket_page(user, ticket_id, flash=DONE_MESSAGES.get(request.args.get("done", ""), ""))

    @_api
    async def messages(self, request: Request, user: ConsoleUser, ticket_id: int) -> HTTPResponse:
        now = handoff.now_utc()

        def work(session: Session) -> dict | None:
            if ticket_id > MAX_TICKET_ID or session.get(Ticket, ticket_id) is None:
                return None
            ticket = handoff.get_ticket(session, ticket_id)
            _audit_transcript_read(session, user, ticket, now)
            evidence = evidence_lines(ticket)
            return {"state": ticket_state(ticket), "status": ticket.status,
                    "messages": [message_view(m, evidence).as_json() for m in ticket.messages]}

        payload = await self.db(work)
        if payload is None:
            return response.json({"error": "not found"}, status=404)
        return response.json(payload, ensure_ascii=False)

    @_action
    async def ticket_action(self, request: Request, user: ConsoleUser, ticket_id: int, action: str) -> HTTPResponse:
        if action not in ACTIONS:
            return self.render("error.html", status=404, user=user, title="ページが見つかりません",
                               message="この操作はありません。")
        text = request.form.get("text") or ""
        outcome = request.form.get("outcome") or ""
        note = request.form.get("note") or ""
        problem = _invalid_input(action, text, outcome, note)
        if problem:
            return await self._ticket_page(user, ticket_id, status=400, error=problem, draft=text)
        now = handoff.now_utc()

        def work(session: Session) -> None:
            if ticket_id > MAX_TICKET_ID or session.get(Ticket, ticket_id) is None:
                raise _TicketNotFound()
            agent = session.get(Agent, user.agent_id)
            if action == "claim":
                handoff.claim(session, ticket_id, agent, now)
            elif action == "reply":
                handoff.reply(session, ticket_id, agent, text, now)
            elif action == "hand-back":
                handoff.hand_back(session, ticket_id, agent, now)
            elif action == "close":
                satisfaction.ask_after_close(session, handoff.close(session, ticket_id, agent, outcome, note, now), now)
            else:
                handoff.release(session, ticket_id, agent, now)

        try:
            await self.db(work)
        except _TicketNotFound:
            return self.render("error.html", status=404, user=user, title="チケットが見つかりません",
                               message="このチケットは見つかりません。")
        except handoff.HandoffError as error:
            return await self._ticket_page(user, ticket_id, status=409, error=error.message, draft=text)
        return response.redirect(f"{PREFIX}/tickets/{ticket_id}?done={action}", status=303)

    # -- the audit log (supervisors) ------------------------------------------------

    @_page
    async def audit(self, request: Request, user: ConsoleUser) -> HTTPResponse:
        if not user.is_supervisor:
            return self.render("error.html", status=403, user=user, title="権限がありません",
                               message="監査ログはスーパーバイザーだけが見られます。")
        reference = (request.args.get("ref") or "").strip()
        if reference and not REFERENCE_PATTERN.fullmatch(reference):
            return self.render("audit.html", status=400, user=user, nav="audit", rows=[], reference=reference,
                               error="受付番号の形式が違います（例: E20261124-00001）。")
        now = handoff.now_utc()

        def work(session: Session) -> list[AuditRow]:
            query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(AUDIT_PAGE_SIZE)
            if reference:
                query = query.where(or_(AuditEntry.detail == f"ticket {reference}",
                                        AuditEntry.detail.like(f"ticket {reference}:%")))
            # a widget's session key is masked: the page is no place to copy it from
            rows = [AuditRow(f"{e.at.astimezone(JST):%Y-%m-%d %H:%M:%S}", e.actor, e.action,
                             web_sessions.masked(e.conversation_id or ""), e.detail)
                    for e in session.execute(query).scalars().all()]
            session.add(AuditEntry(at=now, actor=f"agent:{user.login}", action="console_audit_view",
                                   detail=f"ref={reference}" if reference else ""))
            return rows

        rows = await self.db(work)
        return self.render("audit.html", user=user, nav="audit", rows=rows, reference=reference, error="")


def _plain_function(method: Callable) -> Callable:
    """Sanic marks its handlers with attributes, which a bound method cannot take."""
    async def handler(request: Request, **params) -> HTTPResponse:
        return await method(request, **params)
    handler.__name__ = method.__name__
    return handler


def _invalid_input(action: str, text: str, outcome: str, note: str) -> str:
    """What is wrong with the form, in Japanese, or "" when it can go to bot.handoff."""
    if action == "reply":
        if not text.strip():
            return "返信の本文が空です。"
        if len(text.strip()) > handoff.MAX_TRANSCRIPT_TEXT:
            return f"返信が長すぎます（{handoff.MAX_TRANSCRIPT_TEXT}文字まで）。"
        if canned_replies.UNFILLED in text:
            return "定型文の【要記入】の部分を書き換えてから送信してください。"
    if action == "close":
        if outcome not in handoff.OUTCOMES:
            return "対応結果を選んでください。"
        if len(note) > MAX_NOTE_LENGTH:
            return f"メモが長すぎます（{MAX_NOTE_LENGTH}文字まで）。"
    return ""


def _audit_transcript_read(session: Session, user: ConsoleUser, ticket: Ticket, now: datetime) -> None:
    """Audit a read of the transcript as JSON like a page view, once per agent and ticket in the interval."""
    actor = f"agent:{user.login}"
    detail = f"ticket {ticket.reference}"
    recent = session.execute(select(exists().where(
        AuditEntry.action == "ticket_messages_read", AuditEntry.actor == actor, AuditEntry.detail == detail,
        AuditEntry.at > now - TRANSCRIPT_READ_AUDIT_INTERVAL))).scalar()
    if not recent:
        session.add(AuditEntry(at=now, actor=actor, action="ticket_messages_read",
                               conversation_id=ticket.conversation_id, detail=detail))


def _is_console_path(path: str) -> bool:
    return path == PREFIX or path.startswith(f"{PREFIX}/")


async def _security_headers(request: Request, page: HTTPResponse) -> None:
    if _is_console_path(request.path):
        page.headers.update(SECURITY_HEADERS)


def create_app(name: str = "madoguchi_web", *, blueprints: Iterable[Blueprint] = (),
               settings: Settings | None = None) -> Sanic:
    """The web app with the console under /console; ``blueprints`` adds others (the widget page at /)."""
    settings = settings or load_settings()
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = REQUEST_MAX_SIZE
    console = Console(engine_for(settings.database_url), server_secret(settings),
                      trusted_proxies=settings.trusted_proxies, cookie_secure=settings.cookie_secure)
    accounts.prepare_dummy_hash()
    app.blueprint(console.blueprint())
    from bot.console import notices  # it builds on this module, so it is imported once this one is loaded

    app.blueprint(notices.blueprint(console))
    for blueprint in blueprints:
        app.blueprint(blueprint)
    app.register_middleware(_security_headers, "response")
    return app
