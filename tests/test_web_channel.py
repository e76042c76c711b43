"""The web widget's socket.io channel and page, against the running assistant.

A real python-socketio client speaks the protocol the widget speaks
(session_request → session_confirm, user_uttered → bot_uttered). The first
test is the regression test for rasa#13027: with python-socketio ≥ 5.10,
Rasa's own channel never joins the session's room and every reply is lost.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from datetime import datetime, timezone

import pytest
import socketio
from sqlalchemy import select

from bot import handoff, templates
from bot.store.db import engine_for, session_scope
from bot.store.models import Ticket
from tests.responses import ask_phone_last4, response_text
from tests.tickets import agent_replies, delivery_of
from tests.widget import SESSION_ID, WidgetClient, conversation_of, wait_for_web  # noqa: F401 - also imported from here

pytestmark = pytest.mark.server

def run(coroutine):
    return asyncio.run(coroutine)


def test_replies_reach_the_widget_with_session_persistence_rasa_13027(assistant):
    async def scenario():
        client = WidgetClient(assistant)
        session_id = await client.connect()
        assert SESSION_ID.fullmatch(session_id)
        await client.say("注文した荷物がまだ届きません")
        replies = await client.replies(2)
        await client.close()
        return replies

    replies = run(scenario())
    assert [r["text"] for r in replies] == [response_text("utter_ack_delivery_delay"),
                                            response_text("utter_ask_order_number")]


def test_the_conversation_continues_in_a_new_socket_with_the_same_session(assistant):
    async def scenario():
        first = WidgetClient(assistant)
        session_id = await first.connect()
        await first.say("届いた商品が壊れていました")
        await first.replies(2)
        await first.close()
        again = WidgetClient(assistant)  # a page reload
        assert await again.connect(session_id) == session_id
        await again.say("MD26110263")
        replies = await again.replies(1)
        await again.close()
        return replies

    assert [r["text"] for r in run(scenario())] == [ask_phone_last4()]


@pytest.mark.parametrize("asked", ["1", "abc", "../../etc", "A" * 32, 12345,
                                   "0123456789abcdef0123456789abcdef",  # well formed, never issued
                                   "0123456789abcdef0123456789abcdef." + "0" * 32])  # a forged signature
def test_a_made_up_session_id_is_replaced_by_a_fresh_one(assistant, asked):
    async def scenario():
        client = WidgetClient(assistant)
        given = await client.connect(asked)
        await client.close()
        return given

    given = run(scenario())
    assert SESSION_ID.fullmatch(given) and given.split(".")[0] != str(asked).split(".")[0]


def test_a_socket_cannot_speak_in_a_session_it_did_not_ask_for(assistant):
    async def scenario():
        owner, intruder = WidgetClient(assistant), WidgetClient(assistant)
        owners_session = await owner.connect()
        await intruder.connect()
        await intruder.say("注文した荷物がまだ届きません", session_id=owners_session)
        error = await asyncio.wait_for(intruder.errors.get(), 20)
        nothing_for_owner = await owner.nothing_more(2)
        await owner.close()
        await intruder.close()
        return error, nothing_for_owner

    error, nothing_for_owner = run(scenario())
    assert error == {"text": templates.WEB_ERROR_NO_SESSION}
    assert nothing_for_owner


def test_an_overlong_message_gets_a_japanese_error(assistant):
    async def scenario():
        client = WidgetClient(assistant)
        await client.connect()
        await client.say("あ" * 2001)
        error = await asyncio.wait_for(client.errors.get(), 20)
        await client.close()
        return error

    assert "2000文字まで" in run(scenario())["text"]


def test_a_page_from_another_origin_cannot_open_a_socket(assistant):
    async def scenario():
        client = WidgetClient(assistant, origin="https://evil.example")
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect()

    run(scenario())


def test_typed_commands_stay_text(assistant):
    async def scenario():
        client = WidgetClient(assistant)
        await client.connect()
        await client.say('/inform{"order_number": "MD26110045"}')
        replies = await client.replies(1)
        await client.close()
        return replies

    replies = run(scenario())
    assert all("MD26110045" not in r["text"] for r in replies)


def test_an_agents_reply_reaches_the_open_widget_and_waits_for_a_closed_one(assistant):
    async def escalate_and_wait():
        client = WidgetClient(assistant)
        session_id = await client.connect()
        await client.say("人間の担当者と話したいです")
        await client.replies(1)
        return client, session_id

    async def scenario():
        client, session_id = await escalate_and_wait()
        conversation_id = conversation_of(session_id)
        with session_scope(engine_for(assistant.database_url)) as session:
            ticket_id = session.execute(select(Ticket.id).where(Ticket.conversation_id == conversation_id)).scalar_one()
        agent = await asyncio.to_thread(agent_replies, assistant, ticket_id, "担当の佐藤です。ご用件を伺います。")
        [live] = await client.replies(1, seconds=20)
        await client.close()
        # the page is closed: the next reply waits…
        with session_scope(engine_for(assistant.database_url)) as session:
            handoff.reply(session, ticket_id, agent, "お待たせしました。返金の手続きをしました。", datetime.now(timezone.utc))
        await asyncio.sleep(2.5)
        with session_scope(engine_for(assistant.database_url)) as session:
            waiting = handoff.conversations_with_pending_replies(session, "web")
        # …and arrives when the page opens again
        again = WidgetClient(assistant)
        await again.connect(session_id)
        [later] = await again.replies(1, seconds=20)
        await again.close()
        return live, waiting, later, conversation_id, ticket_id

    live, waiting, later, conversation_id, ticket_id = run(scenario())
    assert live == {"text": "担当の佐藤です。ご用件を伺います。", "sender": "agent", "agent_name": "佐藤"}
    assert conversation_id in waiting
    assert later["text"] == "お待たせしました。返金の手続きをしました。" and later["sender"] == "agent"
    assert delivery_of(assistant, ticket_id, "お待たせしました。返金の手続きをしました。") == "delivered"


# ---------------------------------------------------------------------------
# The page the run command serves
# ---------------------------------------------------------------------------

def fetch(url: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode("utf-8", "replace"), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)


def test_the_page_its_config_and_the_socket_io_client_are_served(assistant):
    wait_for_web(assistant)
    status, page, _ = fetch(assistant.web_url + "/")
    assert status == 200 and 'lang="ja"' in page and "/static/widget.js" in page
    status, config, _ = fetch(assistant.web_url + "/config.js")
    assert status == 200
    assert json.loads(config.split("=", 1)[1].strip().rstrip(";"))["socketUrl"] == assistant.rasa_url
    status, client, _ = fetch(assistant.web_url + "/static/vendor/socket.io.min.js")
    assert status == 200 and len(client) > 10_000
    for path in ("/static/..%2Fpackage.json", "/static/.hidden.js", "/static/widget.exe"):
        assert fetch(assistant.web_url + path)[0] == 404
