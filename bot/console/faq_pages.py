"""Console pages where supervisors read and edit the shop's FAQ, and start the training that applies it.

The FAQ is a file (``Settings.faq_file``, data/faq.yml by default) because
training reads it (``bot.rasa_nlu.faq_importer``) and a shop may just as well
edit it in a text editor. Here a supervisor edits one entry at a time; the
whole file is checked (``bot.faq.parse_faq``) before it is replaced, so a
mistake is shown on the form instead of breaking the next training. Edits
reach customers only after training (5 to 20 minutes, ``bot.training``) and
a restart of the assistant, which the page says next to the button.
Every change is audited (the entry's id, never its text).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import handoff
from bot.config import load_settings
from bot.console.accounts import ConsoleUser
from bot.console.app import bound_to, _action, _page
from bot.faq import OTHER, FaqEntry, FaqFileError, load_faq, save_faq
from bot.modelfiles import needs_training
from bot.store.models import AuditEntry
from bot.support import ISSUE_TYPE_LABELS, ISSUE_TYPES
from bot.training import FAILED, RUNNING, SUCCEEDED, TrainingAlreadyRunning, read_state, start_training

if TYPE_CHECKING:
    from bot.console.app import Console

# The topic a supervisor may give an entry (data/faq.yml issue_type): none (other) first, then the eight troubles.
TOPIC_CHOICES = ((OTHER, "なし（トラブルの話題ではない）"),
                 *((t, ISSUE_TYPE_LABELS[t]) for t in ISSUE_TYPES if t != OTHER))
DONE = {"saved": "FAQを保存しました。お客さまへの回答に反映するには「学習を開始」してください。",
        "created": "FAQを追加しました。お客さまへの回答に反映するには「学習を開始」してください。",
        "training": "学習を開始しました（5〜20分ほどかかります）。"}
STATE_LABELS = {RUNNING: "学習中", SUCCEEDED: "学習完了", FAILED: "学習に失敗", "": "まだ学習していません"}
# One editor at a time per console process: two saves must not interleave their read-modify-write.
_file_lock = asyncio.Lock()


def routes(console: "Console") -> list[tuple[Callable, str, str]]:
    return [(bound_to(console, handler), uri, method) for handler, uri, method in (
        (faq_list, "/faq", "GET"),
        (faq_create, "/faq", "POST"),
        (faq_train, "/faq/train", "POST"),
        (faq_edit, "/faq/<entry_id:str>", "GET"),
        (faq_update, "/faq/<entry_id:str>", "POST"),
    )]



def _forbidden(console: "Console", user: ConsoleUser) -> HTTPResponse:
    return console.render("error.html", status=403, user=user, title="権限がありません",
                          message="FAQの管理はスーパーバイザーだけができます。")


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def _training_view() -> dict:
    settings = load_settings()
    state = read_state(settings.var_dir)
    seconds = state.seconds
    return {"state": state.state, "label": STATE_LABELS.get(state.state, state.state),
            "started_at": state.started_at[:16].replace("T", " ") + " UTC" if state.started_at else "",
            "minutes": None if seconds is None else round(seconds / 60, 1),
            "model_current": not needs_training(settings.models_dir)}


def _render(console: "Console", user: ConsoleUser, entries: tuple[FaqEntry, ...], *, status: int = 200,
            flash: str = "", error: str = "", form: dict | None = None) -> HTTPResponse:
    return console.render("faq.html", status=status, user=user, nav="faq", entries=entries, flash=flash,
                          error=error, training=_training_view(),
                          topics=TOPIC_CHOICES, issue_type_labels=ISSUE_TYPE_LABELS,
                          form=form or {"id": "", "questions": "", "answer": "", "answer_en": "",
                                        "questions_en": "", "issue_type": OTHER, "new": True})


def _faq_path() -> Path:
    return load_settings().faq_file


@_page
async def faq_list(console: "Console", request: Request, user: ConsoleUser) -> HTTPResponse:
    if not user.is_supervisor:
        return _forbidden(console, user)
    try:
        entries = load_faq(_faq_path())
    except FaqFileError as error:
        return _render(console, user, (), status=500, error=f"FAQファイルを読めません: {error}")
    return _render(console, user, entries, flash=DONE.get(request.args.get("done", ""), ""))


@_page
async def faq_edit(console: "Console", request: Request, user: ConsoleUser, entry_id: str) -> HTTPResponse:
    if not user.is_supervisor:
        return _forbidden(console, user)
    entries = load_faq(_faq_path())
    entry = next((e for e in entries if e.id == entry_id), None)
    if entry is None:
        return console.render("error.html", status=404, user=user, title="FAQが見つかりません",
                              message="このFAQは見つかりません。")
    form = {"id": entry.id, "questions": "\n".join(entry.questions), "answer": entry.answer,
            "answer_en": entry.answer_en, "questions_en": "\n".join(entry.questions_en),
            "issue_type": entry.issue_type, "new": False}
    return _render(console, user, entries, form=form)


async def _save(console: "Console", request: Request, user: ConsoleUser, entry_id: str | None) -> HTTPResponse:
    if not user.is_supervisor:
        return _forbidden(console, user)
    new = entry_id is None
    form = {"id": (request.form.get("id") or "").strip() if new else entry_id,
            "questions": request.form.get("questions") or "", "answer": request.form.get("answer") or "",
            "answer_en": request.form.get("answer_en") or "", "questions_en": request.form.get("questions_en") or "",
            "issue_type": request.form.get("issue_type"), "new": new}
    path = _faq_path()
    async with _file_lock:
        entries = load_faq(path)
        if form["issue_type"] is None:  # a form without the field (an older page) leaves the entry's topic as it was
            form["issue_type"] = next((e.issue_type for e in entries if e.id == entry_id), OTHER)
        edited = FaqEntry(form["id"], _lines(form["questions"]), form["answer"].strip().replace("\r\n", "\n"),
                          form["answer_en"].strip().replace("\r\n", "\n"), _lines(form["questions_en"]),
                          form["issue_type"])
        try:
            if new:
                if any(e.id == edited.id for e in entries):
                    raise FaqFileError(f"「{edited.id}」はもうあります。別の id にしてください")
                updated = [*entries, edited]
            else:
                if not any(e.id == entry_id for e in entries):
                    raise FaqFileError("このFAQは見つかりません")
                updated = [edited if e.id == entry_id else e for e in entries]
            await asyncio.to_thread(save_faq, path, updated)
        except FaqFileError as error:
            return _render(console, user, entries, status=400, error=str(error), form=form)
    now = handoff.now_utc()
    await console.db(lambda session: session.add(AuditEntry(
        at=now, actor=f"agent:{user.login}", action="faq_create" if new else "faq_update",
        detail=f"faq {edited.id} questions={len(edited.questions)}")))
    return response.redirect(f"/console/faq?done={'created' if new else 'saved'}", status=303)


@_action
async def faq_create(console: "Console", request: Request, user: ConsoleUser) -> HTTPResponse:
    return await _save(console, request, user, None)


@_action
async def faq_update(console: "Console", request: Request, user: ConsoleUser, entry_id: str) -> HTTPResponse:
    return await _save(console, request, user, entry_id)


@_action
async def faq_train(console: "Console", request: Request, user: ConsoleUser) -> HTTPResponse:
    if not user.is_supervisor:
        return _forbidden(console, user)
    try:
        await asyncio.to_thread(start_training, load_settings().var_dir)
    except TrainingAlreadyRunning:
        entries = load_faq(_faq_path())
        return _render(console, user, entries, status=409, error="学習はすでに実行中です。終わるまでお待ちください。")
    now = handoff.now_utc()
    await console.db(lambda session: session.add(AuditEntry(at=now, actor=f"agent:{user.login}",
                                                            action="training_start", detail="from the FAQ page")))
    return response.redirect("/console/faq?done=training", status=303)
