"""Supervisors see and edit the shop's FAQ in the console, and see the training that applies it.

A real console process (as in tests/test_console.py) whose FAQ file is a copy
of data/faq.yml (``MADOGUCHI_FAQ_FILE``), so the repository's file is never
touched. Starting a real training would take minutes: the test checks the
state the page shows and that a second start is refused while one runs.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timezone
from html import unescape

import pytest

from bot.config import PROJECT_ROOT
from bot.faq import load_faq
from bot.faq_log import FaqOutcome, record_answer
from bot.store.db import session_scope
from bot.training import LOCK_FILE, STATE_FILE
from tests.console_server import RunningConsole, start_console, stop_console


@pytest.fixture(scope="module")
def console(tmp_path_factory) -> RunningConsole:
    var_dir = tmp_path_factory.mktemp("faq_console")
    faq = var_dir / "faq.yml"
    shutil.copy(PROJECT_ROOT / "data" / "faq.yml", faq)
    process, running = start_console(var_dir, f"sqlite:///{var_dir / 'madoguchi.db'}",
                                     env={"MADOGUCHI_FAQ_FILE": str(faq)})
    running.faq = faq
    yield running
    stop_console(process)


def test_only_supervisors_see_and_edit_the_faq(console):
    alice = console.browser("alice")
    assert alice.get("/console/faq").status == 403
    token = alice.get("/console/").csrf()
    assert alice.post("/console/faq/receipt", {"csrf_token": token, "questions": "x", "answer": "y"}).status == 403
    assert alice.post("/console/faq/train", {"csrf_token": token}).status == 403


def test_a_supervisor_edits_an_entry_and_the_file_changes_for_the_next_training(console):
    sue = console.browser("sue")
    page = sue.get("/console/faq")
    assert page.status == 200 and 'data-faq="gift_wrapping"' in page.body
    edit = sue.get("/console/faq/gift_wrapping")
    before = {e.id: e for e in load_faq(console.faq)}["gift_wrapping"]
    questions = "\n".join((*before.questions, "風呂敷で包んでもらえますか"))
    answer = before.answer.replace("330円", "385円")
    saved = sue.post("/console/faq/gift_wrapping", {"csrf_token": edit.csrf(), "questions": questions,
                                                      "answer": answer, "answer_en": before.answer_en,
                                                      "questions_en": ""})
    assert saved.status == 303
    after = {e.id: e for e in load_faq(console.faq)}["gift_wrapping"]
    assert after.questions[-1] == "風呂敷で包んでもらえますか" and "385円" in after.answer
    assert "学習を開始" in unescape(sue.get("/console/faq?done=saved").body)
    [entry] = console.audit("faq_update")
    assert entry.detail.startswith("faq gift_wrapping") and "385" not in entry.detail


def test_a_broken_entry_is_refused_on_the_form_and_the_file_is_left_as_it_was(console):
    sue = console.browser("sue")
    before = console.faq.read_bytes()
    edit = sue.get("/console/faq/receipt")
    page = sue.post("/console/faq/receipt", {"csrf_token": edit.csrf(), "questions": "領収書ください",
                                              "answer": "発行します。"})
    assert page.status == 400 and "質問の言い方を5つ以上書いてください" in unescape(page.body)
    new = sue.post("/console/faq", {"csrf_token": edit.csrf(), "id": "receipt", "questions": "a\nb\nc\nd\ne",
                                    "answer": "x"})
    assert new.status == 400 and "「receipt」はもうあります" in unescape(new.body)
    assert console.faq.read_bytes() == before


def test_a_supervisor_gives_an_entry_a_trouble_topic_and_an_older_form_without_it_keeps_it(console):
    sue = console.browser("sue")
    edit = sue.get("/console/faq/gift_delivery")
    assert 'name="issue_type"' in edit.body and "なし（トラブルの話題ではない）" in unescape(edit.body)
    before = {e.id: e for e in load_faq(console.faq)}["gift_delivery"]
    form = {"csrf_token": edit.csrf(), "questions": "\n".join(before.questions), "answer": before.answer,
            "answer_en": before.answer_en, "questions_en": "\n".join(before.questions_en)}
    assert sue.post("/console/faq/gift_delivery", {**form, "issue_type": "delivery_delay"}).status == 303
    assert {e.id: e for e in load_faq(console.faq)}["gift_delivery"].issue_type == "delivery_delay"
    page = sue.get("/console/faq")
    assert "配送遅延" in unescape(page.body.split('data-faq="gift_delivery"', 1)[1].split("</tr>", 1)[0])
    assert 'value="delivery_delay" selected' in sue.get("/console/faq/gift_delivery").body
    assert sue.post("/console/faq/gift_delivery", form).status == 303  # a page from before the field
    assert {e.id: e for e in load_faq(console.faq)}["gift_delivery"].issue_type == "delivery_delay"
    refused = sue.post("/console/faq/gift_delivery", {**form, "issue_type": "late"})
    assert refused.status == 400 and "issue_type は delivery_delay" in unescape(refused.body)
    assert sue.post("/console/faq/gift_delivery", {**form, "issue_type": "other"}).status == 303
    assert {e.id: e for e in load_faq(console.faq)}["gift_delivery"].issue_type == "other"


def test_a_new_entry_is_added(console):
    sue = console.browser("sue")
    token = sue.get("/console/faq").csrf()
    questions = "\n".join(("駐輪場はありますか", "自転車を停める場所は", "バイクで行っても大丈夫？", "ちゅうりんじょう ある？",
                           "原付停められますか"))
    page = sue.post("/console/faq", {"csrf_token": token, "id": "bicycle_parking", "questions": questions,
                                     "answer": "実店舗がないため、駐輪場もございません。"})
    assert page.status == 303
    assert load_faq(console.faq)[-1].id == "bicycle_parking"


def test_the_page_shows_a_running_training_and_a_second_start_is_refused(console):
    (console.var_dir / STATE_FILE).write_text(json.dumps(
        {"state": "running", "started_at": datetime.now(timezone.utc).isoformat(), "finished_at": "",
         "pid": os.getpid(), "exit_code": None}), encoding="utf-8")
    (console.var_dir / LOCK_FILE).write_text("", encoding="utf-8")
    try:
        sue = console.browser("sue")
        page = sue.get("/console/faq")
        assert 'data-state="running"' in page.body and "学習中" in page.body
        refused = sue.post("/console/faq/train", {"csrf_token": page.csrf()})
        assert refused.status == 409 and "学習はすでに実行中です" in unescape(refused.body)
    finally:
        (console.var_dir / LOCK_FILE).unlink()
        (console.var_dir / STATE_FILE).unlink()


def test_the_monthly_report_counts_faq_answers_and_lists_unanswered_questions(console):
    now = datetime.now(timezone.utc)
    with session_scope(console.engine) as session:
        for faq_id in ("shipping_fee", "shipping_fee", "receipt"):
            record_answer(session, conversation_id=f"rest:{faq_id}", channel="rest", outcome=FaqOutcome.ANSWERED,
                          faq_id=faq_id, confidence=0.9, english=False, question="", now=now)
        record_answer(session, conversation_id="rest:q", channel="rest", outcome=FaqOutcome.NOT_IN_FAQ,
                      faq_id=None, confidence=None, english=False, question="駐車場は何台分ありますか", now=now)
    sue = console.browser("sue")
    body = unescape(sue.get("/console/reports?fresh=1").body)
    section = body[body.index('id="faq-report"'):body.index("トラブル一覧")]
    assert "<code>shipping_fee</code></td><td class=\"num\">2" in section
    assert "駐車場は何台分ありますか" in section
    assert "担当者なしで済んだ会話" in section
