"""Satisfaction after a resolved ticket, in whole conversations on REST and LINE with the running assistant.

An agent resolves a handed-off conversation; the question reaches the
customer on their channel through the agents' outbox; a score is thanked for
without reaching Rasa; anything else goes to the bot as usual; a refused
demand gets no question.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot import handoff, satisfaction, templates
from bot.channels.rest import conversation_id_for
from bot.store.db import engine_for, session_scope
from bot.store.models import SatisfactionSurvey
from tests import line_platform as line
from tests.responses import response_text
from tests.tickets import agent_replies, delivery_of, ticket_of

pytestmark = pytest.mark.server


def agent_closes(assistant, ticket_id: int, agent, outcome: str) -> None:
    """What the console does on 終了 (bot.console.app.ticket_action)."""
    with session_scope(engine_for(assistant.database_url)) as session:
        now = datetime.now(timezone.utc)
        satisfaction.ask_after_close(session, handoff.close(session, ticket_id, agent, outcome, "", now), now)


def rest_updates(assistant, sender: str) -> list[dict]:
    url = assistant.rest_url.rsplit("/", 1)[0] + "/updates?" + urllib.parse.urlencode({"sender": sender})
    request = urllib.request.Request(url, headers=assistant.rest_headers(sender))
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def survey_of(assistant, ticket_id: int) -> SatisfactionSurvey | None:
    with session_scope(engine_for(assistant.database_url)) as session:
        return session.execute(select(SatisfactionSurvey).where(
            SatisfactionSurvey.ticket_id == ticket_id)).scalar_one_or_none()


def handed_off_and_resolved(assistant, sender: str, outcome: str = "resolved") -> int:
    assistant.say(sender, "担当者と話したいです")
    ticket = ticket_of(assistant, conversation_id_for(sender))
    agent = agent_replies(assistant, ticket.id, "担当の佐藤です。交換品を本日発送しました。")
    agent_closes(assistant, ticket.id, agent, outcome)
    return ticket.id


def test_a_rest_customer_is_asked_once_and_a_score_is_thanked_without_the_bot(assistant):
    sender = assistant.new_sender()
    ticket_id = handed_off_and_resolved(assistant, sender)
    assert [m["text"] for m in rest_updates(assistant, sender)] == \
        ["担当の佐藤です。交換品を本日発送しました。", templates.SATISFACTION_QUESTION]
    assert delivery_of(assistant, ticket_id, templates.SATISFACTION_QUESTION) == "delivered"

    assert assistant.say(sender, "4です 丁寧でした") == [templates.SATISFACTION_THANKS]
    survey = survey_of(assistant, ticket_id)
    assert (survey.status, survey.score, survey.comment) == ("answered", 4, "丁寧でした")
    # answered: the next message is the bot's again
    assert assistant.say(sender, "ありがとうございます") == [response_text("utter_thanks")]


def test_a_rest_customer_who_goes_on_with_something_else_gets_the_bot(assistant):
    sender = assistant.new_sender()
    ticket_id = handed_off_and_resolved(assistant, sender)
    rest_updates(assistant, sender)
    # a person reads the question before writing (its delivery is recorded just after the response is written)
    assert delivery_of(assistant, ticket_id, templates.SATISFACTION_QUESTION) == "delivered"
    replies = assistant.say(sender, "注文した荷物がまだ届きません")
    assert replies[0] == response_text("utter_ack_delivery_delay"), replies
    assert survey_of(assistant, ticket_id).status == "skipped"
    assert assistant.say(sender, "5")[0] != templates.SATISFACTION_THANKS  # no longer waiting


def test_no_question_after_a_refused_demand(assistant):
    sender = assistant.new_sender()
    ticket_id = handed_off_and_resolved(assistant, sender, outcome="refused")
    assert [m["text"] for m in rest_updates(assistant, sender)] == ["担当の佐藤です。交換品を本日発送しました。"]
    assert survey_of(assistant, ticket_id) is None


def test_a_line_customer_gets_the_question_by_push_and_answers_with_stars(assistant, fake_platform):
    user_id = line.new_user_id()
    assert line.send(assistant, line.text_event(user_id, "人間のオペレーターと話したいです"))[0] == 200
    ticket = ticket_of(assistant, user_id)
    agent = agent_replies(assistant, ticket.id, "LINEでのお問い合わせありがとうございます。解決しました。")
    agent_closes(assistant, ticket.id, agent, "resolved")
    deadline = time.monotonic() + 20
    while templates.SATISFACTION_QUESTION not in line.texts_of(line.pushes_to(fake_platform, user_id)):
        assert time.monotonic() < deadline, line.texts_of(line.pushes_to(fake_platform, user_id))
        time.sleep(0.2)
    assert delivery_of(assistant, ticket.id, templates.SATISFACTION_QUESTION) == "delivered"

    token = line.new_token()
    assert line.send(assistant, line.text_event(user_id, "★★★★★", reply_token=token))[0] == 200
    assert line.texts_of(line.replies_to(fake_platform, token)) == [templates.SATISFACTION_THANKS]
    survey = survey_of(assistant, ticket.id)
    assert (survey.status, survey.score, survey.agent_id) == ("answered", 5, agent.id)
