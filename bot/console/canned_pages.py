"""Console pages where supervisors keep the canned replies (定型文), per issue type.

Agents pick them on the ticket page (``bot.canned_replies.options_for``);
here supervisors add, edit and retire them. Every change is audited (the
reply's id, never its text).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import canned_replies, handoff
from bot.console.accounts import ConsoleUser
from bot.console.app import MAX_TICKET_ID, bound_to, _action, _page
from bot.console.views import jst_label
from bot.store.models import Agent, AuditEntry, CannedReply

if TYPE_CHECKING:
    from bot.console.app import Console

DONE = {"created": "定型文を追加しました。", "saved": "定型文を保存しました。"}


def routes(console: "Console") -> list[tuple[Callable, str, str]]:
    return [(bound_to(console, handler), uri, method) for handler, uri, method in (
        (canned_list, "/canned", "GET"),
        (canned_create, "/canned", "POST"),
        (canned_edit, "/canned/<reply_id:int>", "GET"),
        (canned_update, "/canned/<reply_id:int>", "POST"),
    )]



def _forbidden(console: "Console", user: ConsoleUser) -> HTTPResponse:
    return console.render("error.html", status=403, user=user, title="権限がありません",
                          message="定型文の管理はスーパーバイザーだけができます。")


def _rows(session: Session) -> list[dict]:
    labels = canned_replies.issue_type_labels()
    replies = session.execute(select(CannedReply).order_by(CannedReply.issue_type, CannedReply.title)).scalars().all()
    names = dict(session.execute(select(Agent.id, Agent.display_name)).all())
    return [{"id": r.id, "type_label": labels.get(r.issue_type, r.issue_type), "title": r.title, "body": r.body,
             "active": r.active, "updated": f"{jst_label(r.updated_at)} {names.get(r.updated_by, '')}"}
            for r in replies]


def _render(console: "Console", user: ConsoleUser, *, status: int = 200, flash: str = "", error: str = "",
            rows: list | None = None, form: dict | None = None) -> HTTPResponse:
    return console.render("canned.html", status=status, user=user, nav="canned", rows=rows or [], flash=flash,
                          error=error, form=form or {"id": None, "issue_type": canned_replies.ANY_TYPE,
                                                      "title": "", "body": "", "active": True},
                          types=canned_replies.issue_type_labels(), variables=canned_replies.VARIABLES,
                          max_title=canned_replies.MAX_TITLE, max_body=canned_replies.MAX_BODY)


@_page
async def canned_list(console: "Console", request: Request, user: ConsoleUser) -> HTTPResponse:
    if not user.is_supervisor:
        return _forbidden(console, user)
    rows = await console.db(_rows)
    return _render(console, user, rows=rows, flash=DONE.get(request.args.get("done", ""), ""))


@_page
async def canned_edit(console: "Console", request: Request, user: ConsoleUser, reply_id: int) -> HTTPResponse:
    if not user.is_supervisor:
        return _forbidden(console, user)

    def work(session: Session):
        reply = session.get(CannedReply, reply_id) if reply_id <= MAX_TICKET_ID else None
        if reply is None:
            return None, []
        return ({"id": reply.id, "issue_type": reply.issue_type, "title": reply.title, "body": reply.body,
                 "active": reply.active}, _rows(session))

    form, rows = await console.db(work)
    if form is None:
        return console.render("error.html", status=404, user=user, title="定型文が見つかりません",
                              message="この定型文は見つかりません。")
    return _render(console, user, rows=rows, form=form)


async def _save(console: "Console", request: Request, user: ConsoleUser, reply_id: int | None) -> HTTPResponse:
    if not user.is_supervisor:
        return _forbidden(console, user)
    form = {"id": reply_id, "issue_type": request.form.get("issue_type") or "",
            "title": request.form.get("title") or "", "body": request.form.get("body") or "",
            "active": request.form.get("active") == "1" if reply_id is not None else True}
    now = handoff.now_utc()

    def work(session: Session) -> int:
        if reply_id is not None and (reply_id > MAX_TICKET_ID or session.get(CannedReply, reply_id) is None):
            raise canned_replies.CannedReplyError("この定型文は見つかりません。")
        reply = canned_replies.save(session, session.get(Agent, user.agent_id), now, issue_type=form["issue_type"],
                                    title=form["title"], body=form["body"], active=form["active"],
                                    reply_id=reply_id)
        session.add(AuditEntry(at=now, actor=f"agent:{user.login}",
                               action="canned_reply_create" if reply_id is None else "canned_reply_update",
                               detail=f"canned reply {reply.id} type={reply.issue_type} active={reply.active}"))
        return reply.id

    try:
        await console.db(work)
    except canned_replies.CannedReplyError as error:
        rows = await console.db(_rows)
        return _render(console, user, status=400, error=str(error), rows=rows, form=form)
    return response.redirect(f"/console/canned?done={'created' if reply_id is None else 'saved'}", status=303)


@_action
async def canned_create(console: "Console", request: Request, user: ConsoleUser) -> HTTPResponse:
    return await _save(console, request, user, None)


@_action
async def canned_update(console: "Console", request: Request, user: ConsoleUser, reply_id: int) -> HTTPResponse:
    return await _save(console, request, user, reply_id)
