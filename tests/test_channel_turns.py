"""Issue 9 §2, §3, §6: every channel runs one customer-turn pipeline, over HTTP as an attacker comes.

A stolen REST sender without the token, an oversized body, caller-written
metadata, a forged or idle widget session, stickers in a handed-off LINE or
Telegram chat, an over-long Telegram text, a flood from one client, a LINE
outage while an agent's reply waits, a database error before the gate; and
the ticket transcript shows what the guard let the customer see.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from bot import handoff, templates
from bot.channels.rest import conversation_id_for as rest_conversation
from bot.store.db import engine_for, session_scope
from bot.store.models import Ticket, TicketMessage, WebSession
from tests import line_platform as line
from tests import telegram_platform as telegram
from tests.tickets import agent_replies, delivery_of, ticket_of, transcript
from tests.widget import WidgetClient, conversation_of
from tests.oversize import post_oversized
from tests.responses import is_acknowledgement

HAND_OVER = "人間の担当者と話したいです"


def rest_call(assistant, path: str, body: bytes | None = None, headers: dict | None = None,
              method: str | None = None) -> tuple[int, object]:
    url = assistant.rest_url.rsplit("/", 1)[0] + path
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **(headers or {})},
                                     method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw or b"null")
        except ValueError:
            return error.code, raw.decode("utf-8", "replace")


def updates_path(sender: str) -> str:
    return "/updates?" + urllib.parse.urlencode({"sender": sender})


def message_state(assistant, ticket_id: int, text: str) -> str:
    with session_scope(engine_for(assistant.database_url)) as session:
        return session.execute(select(TicketMessage.delivery).where(
            TicketMessage.ticket_id == ticket_id, TicketMessage.text == text)).scalar_one()


# ---------------------------------------------------------------------------
# §2 REST: token, body cap, metadata, tickets per client
# ---------------------------------------------------------------------------

@pytest.mark.server
def test_a_stolen_rest_sender_without_the_token_gets_401_and_no_agent_replies(assistant):
    sender = assistant.new_sender()
    assistant.say(sender, HAND_OVER)
    ticket = ticket_of(assistant, rest_conversation(sender))
    reply = "担当の佐藤です。ご注文の件、確認いたしました。"
    agent_replies(assistant, ticket.id, reply)

    stranger = {"X-Forwarded-For": "203.0.113.66"}
    for headers in (stranger, {**stranger, "Authorization": "Bearer wrong-token"},
                    {**stranger, "Authorization": "test-rest-token"}):
        assert rest_call(assistant, updates_path(sender), headers=headers) == \
            (401, {"error": templates.ERROR_UNAUTHORIZED})
        body = json.dumps({"sender": sender, "message": "返信を見せて"}).encode()
        assert rest_call(assistant, "/webhook", body, headers=headers) == \
            (401, {"error": templates.ERROR_UNAUTHORIZED})
    assert message_state(assistant, ticket.id, reply) == "pending"
    assert ("customer", "返信を見せて") not in transcript(assistant, ticket.id)

    # the shop's back end, with the token, gets it; once
    status, answer = rest_call(assistant, updates_path(sender), headers=assistant.rest_headers(sender))
    assert status == 200 and [m["text"] for m in answer] == [reply]
    assert delivery_of(assistant, ticket.id, reply) == "delivered"
    assert rest_call(assistant, updates_path(sender), headers=assistant.rest_headers(sender)) == (200, [])


@pytest.mark.server
def test_an_oversized_rest_body_is_refused_with_413(assistant):
    body = json.dumps({"sender": assistant.new_sender(), "message": "届きません",
                       "metadata": {"padding": "x" * 100_000}}).encode()
    status, _ = post_oversized(assistant.rest_url, body, assistant.rest_headers())
    assert status == 413
    assert assistant.say(assistant.new_sender(), "こんにちは")  # and the server still answers


@pytest.mark.server
def test_metadata_written_by_the_caller_is_not_stored(assistant):
    sender = assistant.new_sender()
    body = json.dumps({"sender": sender, "message": "注文した荷物がまだ届きません",
                       "metadata": {"client_key": "forged", "padding": "x" * 20_000}}).encode()
    status, _ = rest_call(assistant, "/webhook", body, headers=assistant.rest_headers(sender))
    assert status == 200
    with sqlite3.connect(assistant.var_dir / "rasa_tracker.db") as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'",
                          (rest_conversation(sender),)).fetchall()
    [metadata] = [json.loads(data).get("metadata") for (data,) in rows]
    assert set(metadata) - {"model_id", "assistant_id"} == {"client_key"}  # Rasa adds its own two
    assert metadata["client_key"] != "forged" and len(metadata["client_key"]) == 64


@pytest.mark.server
def test_one_client_cannot_fill_the_agents_queue_by_rotating_senders(assistant):
    one_client = {**assistant.rest_headers(), "X-Forwarded-For": "203.0.113.7"}
    answers = []
    for _ in range(4):
        body = json.dumps({"sender": assistant.new_sender(), "message": HAND_OVER}).encode()
        status, answer = rest_call(assistant, "/webhook", body, headers=one_client)
        assert status == 200
        answers.append([m["text"] for m in answer])
    assert all("受付番号" in texts[0] for texts in answers[:3])
    assert answers[3] == [templates.TICKET_LIMIT_REACHED]


# ---------------------------------------------------------------------------
# §3 widget sessions
# ---------------------------------------------------------------------------

def run(coroutine):
    return asyncio.run(coroutine)


@pytest.mark.server
def test_a_forged_signature_on_a_real_session_key_does_not_join_it(assistant):
    async def scenario():
        owner = WidgetClient(assistant)
        real = await owner.connect()
        await owner.say("注文した荷物がまだ届きません")
        await owner.replies(2)
        key = real.split(".")[0]
        thief = WidgetClient(assistant)
        given = await thief.connect(f"{key}.{'f' * 32}")
        await thief.say("MD26110263", session_id=f"{key}.{'f' * 32}")
        error = await asyncio.wait_for(thief.errors.get(), 20)
        await owner.close()
        await thief.close()
        return real, given, error

    real, given, error = run(scenario())
    assert given != real and given.split(".")[0] != real.split(".")[0]
    assert error == {"text": templates.WEB_ERROR_NO_SESSION}


def make_idle(assistant, session_id: str, hours: float) -> None:
    with session_scope(engine_for(assistant.database_url)) as session:
        session.execute(update(WebSession).where(WebSession.session_key == session_id.split(".")[0])
                        .values(last_seen_at=datetime.now(timezone.utc) - timedelta(hours=hours)))


@pytest.mark.server
def test_an_idle_widget_session_is_replaced_on_the_next_visit(assistant):
    async def visit(session_id=None):
        client = WidgetClient(assistant)
        given = await client.connect(session_id)
        errors = []
        await asyncio.sleep(0.5)
        while not client.errors.empty():
            errors.append(client.errors.get_nowait())
        await client.close()
        return given, errors

    first, _ = run(visit())
    assert run(visit(first)) == (first, [])  # back within the day: the same conversation
    make_idle(assistant, first, hours=25)
    fresh, errors = run(visit(first))
    assert fresh != first and fresh.split(".")[0] != first.split(".")[0]
    assert errors == [{"text": templates.WEB_SESSION_EXPIRED}]
    assert run(visit(first))[0] not in (first, fresh)  # the ended one never comes back


@pytest.mark.server
def test_a_session_that_went_idle_while_the_page_was_open_ends(assistant):
    async def scenario():
        client = WidgetClient(assistant)
        session_id = await client.connect()
        make_idle(assistant, session_id, hours=24.5)
        await client.say("注文した荷物がまだ届きません")
        error = await asyncio.wait_for(client.errors.get(), 20)
        nothing = await client.nothing_more(2)
        await client.close()
        return error, nothing

    error, nothing = run(scenario())
    assert error == {"text": templates.WEB_SESSION_EXPIRED, "code": "session_expired"}
    assert nothing  # the bot did not answer in the ended conversation


@pytest.mark.server
def test_an_agents_reply_counts_as_delivered_only_when_the_page_acknowledges_it(assistant):
    class SilentPage(WidgetClient):
        """A page that receives but never acknowledges (an old widget, a tab frozen mid-load)."""

        async def _bot_uttered(self, data):
            await self.received.put(data)
            await asyncio.sleep(3600)

    async def scenario():
        page = SilentPage(assistant)
        session_id = await page.connect()
        await page.say(HAND_OVER)
        await page.replies(1)
        conversation_id = conversation_of(session_id)
        with session_scope(engine_for(assistant.database_url)) as session:
            ticket_id = session.execute(select(Ticket.id).where(Ticket.conversation_id == conversation_id)
                                        ).scalar_one()
        await asyncio.to_thread(agent_replies, assistant, ticket_id, "担当の佐藤です。")
        [shown] = await page.replies(1, seconds=20)
        await asyncio.sleep(2)
        unacknowledged = message_state(assistant, ticket_id, "担当の佐藤です。")
        await page.close()
        # the customer comes back with the real widget: the reply comes again and is acknowledged
        again = WidgetClient(assistant)
        await again.connect(session_id)
        [resent] = await again.replies(1, seconds=90)
        await again.close()
        return shown, unacknowledged, resent, ticket_id

    shown, unacknowledged, resent, ticket_id = run(scenario())
    assert shown["text"] == resent["text"] == "担当の佐藤です。"
    assert unacknowledged in ("sending", "pending")
    assert delivery_of(assistant, ticket_id, "担当の佐藤です。", seconds=30) == "delivered"


# ---------------------------------------------------------------------------
# §6 LINE and Telegram: everything passes the gate; nothing is lost
# ---------------------------------------------------------------------------

def line_sticker(user_id: str) -> dict:
    event = line.base_event("message", user_id)
    event["message"] = {"type": "sticker", "id": "468789577898262530", "packageId": "446", "stickerId": "1988",
                        "stickerResourceType": "STATIC", "quoteToken": line.new_token()}
    return event


def line_image(user_id: str) -> dict:
    event = line.base_event("message", user_id)
    event["message"] = {"type": "image", "id": "468789577898262531", "contentProvider": {"type": "line"},
                        "quoteToken": line.new_token()}
    return event


@pytest.mark.server
def test_a_sticker_and_an_image_in_a_handed_off_line_chat_reach_the_ticket_and_the_bot_stays_silent(
        assistant, fake_platform):
    user_id = line.new_user_id()
    line.send(assistant, line.text_event(user_id, HAND_OVER))
    ticket = ticket_of(assistant, user_id)
    sticker, image = line_sticker(user_id), line_image(user_id)
    long_text = line.text_event(user_id, "経緯を詳しく書きます。" * 250)  # 2,750 characters

    for event in (sticker, image, long_text):
        assert line.send(assistant, event) == (200, {})

    assert is_acknowledgement(line.texts_of(line.replies_to(fake_platform, sticker["replyToken"])))
    assert line.replies_to(fake_platform, image["replyToken"]) == []
    assert line.replies_to(fake_platform, long_text["replyToken"]) == []
    lines = transcript(assistant, ticket.id)
    assert ("customer", "（スタンプ）") in lines and ("customer", "（画像）") in lines
    assert any(author == "customer" and text.startswith("経緯を詳しく書きます。") for author, text in lines)


@pytest.mark.server
def test_a_sticker_and_a_photo_in_a_handed_off_telegram_chat_reach_the_ticket_and_the_bot_stays_silent(
        assistant, fake_platform):
    chat_id = telegram.new_chat_id()
    telegram.post_update(assistant, telegram.text_update(chat_id, HAND_OVER))
    ticket = ticket_of(assistant, str(chat_id))
    sent_before = len(telegram.sent_texts(fake_platform, chat_id))

    assert telegram.post(assistant, json.dumps(telegram_media_update(chat_id, "sticker")).encode())[0] == 200
    assert telegram.post(assistant, json.dumps(telegram_media_update(chat_id, "photo")).encode())[0] == 200

    time.sleep(0.5)
    assert is_acknowledgement(telegram.sent_texts(fake_platform, chat_id)[sent_before:])
    lines = transcript(assistant, ticket.id)
    assert ("customer", "（スタンプ）") in lines and ("customer", "（画像）") in lines


def telegram_media_update(chat_id: int, kind: str) -> dict:
    update_id = next(telegram._update_ids)
    message = {"message_id": update_id, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
               "from": {"id": chat_id, "is_bot": False, "first_name": "テスト"}}
    if kind == "sticker":
        message["sticker"] = {"file_id": "CAACAgIAAxkBAAE", "file_unique_id": "AgADYQADNIBZDw", "type": "regular",
                              "width": 512, "height": 512, "is_animated": False, "is_video": False}
    else:
        message["photo"] = [{"file_id": "AgACAgIAAxkBAAE", "file_unique_id": "AQADx8IxG", "width": 90,
                             "height": 67, "file_size": 1200}]
    return {"update_id": update_id, "message": message}


@pytest.mark.server
def test_a_2001_character_telegram_text_gets_the_japanese_error(assistant, fake_platform):
    chat_id = telegram.new_chat_id()
    status, _ = telegram.post_update(assistant, telegram.text_update(chat_id, "あ" * 2001))
    assert status == 200
    assert telegram.wait_for_texts(fake_platform, chat_id, 1) == [
        templates.ERROR_MESSAGE_TOO_LONG.format(limit=2000)]


@pytest.mark.server
def test_a_client_writing_faster_than_a_person_is_held_back(assistant, fake_platform):
    """30 messages a minute per client; the 31st gets the Japanese notice and reaches no one."""
    chat_id = telegram.new_chat_id()
    telegram.post_update(assistant, telegram.text_update(chat_id, HAND_OVER))  # with people: no bot turns
    ticket = ticket_of(assistant, str(chat_id))
    for n in range(29):
        telegram.post_update(assistant, telegram.text_update(chat_id, f"{n}回目です"))
    assert telegram.post_update(assistant, telegram.text_update(chat_id, "31回目です"))[0] == 200
    assert telegram.wait_for_texts(fake_platform, chat_id, 3)[-1] == templates.ERROR_TOO_MANY_MESSAGES
    lines = transcript(assistant, ticket.id)
    assert ("customer", "28回目です") in lines and ("customer", "31回目です") not in lines


@pytest.mark.server
def test_a_line_outage_is_retried_and_the_reply_delivered_once_with_one_retry_key(assistant, fake_platform):
    user_id = line.new_user_id()
    line.send(assistant, line.text_event(user_id, HAND_OVER))
    ticket = ticket_of(assistant, user_id)
    reply = "担当の佐藤です。LINEが不調でも届きます。"
    fake_platform.line_push_outage("down", "lost")  # refused once; then accepted, but the answer lost

    agent_replies(assistant, ticket.id, reply)

    assert delivery_of(assistant, ticket.id, reply, seconds=60) == "delivered"
    attempts = [c for c in line.pushes_to(fake_platform, user_id) if reply in line.texts_of([c])]
    keys = {c.headers.get("X-Line-Retry-Key") for c in attempts}
    assert len(attempts) == 3 and len(keys) == 1 and None not in keys
    assert [c for c in fake_platform.line_delivered if c.body.get("to") == user_id] == [attempts[1]]


@pytest.mark.server
def test_a_database_error_before_the_gate_loses_no_line_message(assistant, fake_platform):
    user_id = line.new_user_id()
    line.send(assistant, line.text_event(user_id, HAND_OVER))
    ticket = ticket_of(assistant, user_id)
    event = line.text_event(user_id, "注文番号はMD26110220です")
    database = assistant.var_dir / "madoguchi.db"
    with sqlite3.connect(database) as db:
        db.execute("ALTER TABLE ticket_messages RENAME TO ticket_messages_away")
    try:
        status, _ = line.send(assistant, event)
    finally:
        with sqlite3.connect(database) as db:
            db.execute("ALTER TABLE ticket_messages_away RENAME TO ticket_messages")
    assert status == 500  # LINE redelivers the call
    assert line.texts_of(line.replies_to(fake_platform, event["replyToken"])) == [templates.ERROR_INTERNAL]

    redelivered = {**event, "deliveryContext": {"isRedelivery": True}}
    assert line.send(assistant, redelivered) == (200, {})
    assert line.send(assistant, redelivered) == (200, {})  # handled once
    assert transcript(assistant, ticket.id).count(("customer", "注文番号はMD26110220です")) == 1


@pytest.mark.server
def test_a_database_error_before_the_gate_loses_no_telegram_message(assistant, fake_platform):
    chat_id = telegram.new_chat_id()
    telegram.post_update(assistant, telegram.text_update(chat_id, HAND_OVER))
    ticket = ticket_of(assistant, str(chat_id))
    update = telegram.text_update(chat_id, "注文番号はMD26110220です").to_json().encode()
    database = assistant.var_dir / "madoguchi.db"
    with sqlite3.connect(database) as db:
        db.execute("ALTER TABLE ticket_messages RENAME TO ticket_messages_away")
    try:
        status, _ = telegram.post(assistant, update)
    finally:
        with sqlite3.connect(database) as db:
            db.execute("ALTER TABLE ticket_messages_away RENAME TO ticket_messages")
    assert status == 500  # Telegram redelivers on anything but 2xx

    assert telegram.post(assistant, update)[0] == 200
    assert telegram.post(assistant, update)[0] == 200  # handled once
    assert transcript(assistant, ticket.id).count(("customer", "注文番号はMD26110220です")) == 1


# ---------------------------------------------------------------------------
# §6 transcripts show what the guard let through (in process, on a real shop database)
# ---------------------------------------------------------------------------

@pytest.fixture
def demo_shop(demo_shop_database):
    return demo_shop_database


def test_the_ticket_transcript_shows_the_guarded_text_not_the_bots(demo_shop):
    """A bad template leaks a neighbour's data; the customer saw the safe text, and so must the agent."""
    from rasa.core.channels.channel import CollectingOutputChannel

    from bot.channels.rest import GuardedCollectingOutputChannel
    from bot.channels.turn import CustomerTurns, Inbound
    from tests.demo_shop import same_address_households

    _, neighbour = same_address_households()
    leak = f"お隣の{neighbour.name}様のご注文{neighbour.order_numbers[0]}も確認できました"
    turns = CustomerTurns("rest")
    conversation = "rest:leaky-template"
    said: list[str] = []

    async def leaky_bot(message):
        said.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, leak)

    output = GuardedCollectingOutputChannel(turns.screen, "rest")
    asyncio.run(turns.take(Inbound(conversation, "k", "注文を確認して"), output, leaky_bot))
    assert [m["text"] for m in output.messages] == [templates.REPLY_BLOCKED_BY_PRIVACY_GUARD]
    assert isinstance(output, CollectingOutputChannel) and said == ["注文を確認して"]

    now = datetime.now(timezone.utc)
    with session_scope(engine_for(demo_shop)) as session:  # the escalation, with the tracker's lines
        ticket = handoff.open_ticket(session, conversation_id=conversation, channel="rest", reason="human_request",
                                     severity="normal", evidence=[], now=now, transcript=[
                                         handoff.TranscriptLine("customer", "注文を確認して", now),
                                         handoff.TranscriptLine("bot", leak, now)])
        lines = [(m.author, m.text) for m in ticket.messages]
    assert lines == [("customer", "注文を確認して"), ("bot", templates.REPLY_BLOCKED_BY_PRIVACY_GUARD)]


def test_a_failed_custom_action_ends_the_turn_with_the_apology_not_the_fallbacks_guess(demo_shop):
    """The action server is down: Rasa logs it and predicts on; the fallback's reply must not reach the customer."""
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    from bot.channels.rest import GuardedCollectingOutputChannel
    from bot.channels.turn import CustomerTurns, Inbound
    from bot.devserver import free_port

    turns = CustomerTurns("rest")
    down = EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")  # nothing listens: connection refused
    domain = Domain.from_dict({"actions": ["action_start_trouble"]})

    async def rasa_with_the_action_server_down(message):
        """What Rasa's processor does: greet, run the custom action (it fails, Rasa logs and carries on), guess."""
        await message.output_channel.send_text_message(message.sender_id, "お問い合わせありがとうございます。")
        tracker = DialogueStateTracker(message.sender_id, slots=[])
        with contextlib.suppress(Exception):  # as Rasa's processor: logged, no events
            await RemoteAction("action_start_trouble", down).run(message.output_channel, None, tracker, domain)
        await message.output_channel.send_text_message(message.sender_id, "うまく理解できませんでした。")

    output = GuardedCollectingOutputChannel(turns.screen, "rest")
    asyncio.run(turns.take(Inbound("rest:actions-down", "k", "荷物が届きません"), output,
                           rasa_with_the_action_server_down))
    assert [m["text"] for m in output.messages] == ["お問い合わせありがとうございます。", templates.ERROR_BOT_SILENT]


# ---------------------------------------------------------------------------
# The parts
# ---------------------------------------------------------------------------

def test_the_rate_limit_counts_a_sliding_minute_per_client():
    from bot.channels.turn import MessageRateLimit

    now = [0.0]
    limit = MessageRateLimit(3, clock=lambda: now[0], capacity=2)
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("b")  # another client is not affected
    now[0] = 59.9
    assert not limit.allow("a")
    now[0] = 60.1
    assert limit.allow("a")  # the first three have left the window
    limit.allow("c")  # capacity 2: the least recently seen client ("b") is forgotten
    assert limit.allow("b")


def test_run_refuses_to_open_rest_beyond_loopback_without_a_token(monkeypatch, capsys, tmp_path):
    from bot import cli
    from bot.config import load_settings

    monkeypatch.setenv("MADOGUCHI_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MADOGUCHI_HOST", "0.0.0.0")
    monkeypatch.delenv("MADOGUCHI_REST_TOKEN", raising=False)
    assert cli.cmd_run(load_settings(), None) == 2
    assert "MADOGUCHI_REST_TOKEN" in capsys.readouterr().err
    assert not (tmp_path / "madoguchi.db").exists()  # refused before anything started
    monkeypatch.setenv("MADOGUCHI_REST_TOKEN", "a-long-random-token")
    assert not cli.rest_exposed_without_token(load_settings())
    monkeypatch.delenv("MADOGUCHI_REST_TOKEN")
    for loopback in ("127.0.0.1", "::1", "localhost"):
        monkeypatch.setenv("MADOGUCHI_HOST", loopback)
        assert not cli.rest_exposed_without_token(load_settings())


def test_rest_token_check_is_exact():
    from bot.channels.rest import token_is_valid

    assert token_is_valid(None, None)
    assert token_is_valid("s3cret", "Bearer s3cret")
    for wrong in (None, "", "s3cret", "Bearer", "Bearer s3cre", "Bearer s3cret2", "Basic s3cret"):
        assert not token_is_valid("s3cret", wrong)


def test_widget_session_ids_are_signed_and_masked():
    from bot import web_sessions

    signed = web_sessions.signed_id("0123456789abcdef0123456789abcdef")
    assert web_sessions.key_of(signed) == "0123456789abcdef0123456789abcdef"
    for forged in ("0123456789abcdef0123456789abcdef", signed[:-1] + ("0" if signed[-1] != "0" else "1"),
                   signed.upper(), None, 42, signed + "0"):
        assert web_sessions.key_of(forged) is None
    assert web_sessions.masked("web:0123456789abcdef0123456789abcdef") == "web:0123…"
    assert web_sessions.masked("line:U123") == "line:U123"


def test_the_console_says_a_reply_the_channel_refused_will_be_sent_again():
    from bot.console.views import DELIVERY_LABELS, RETRY_LABEL, message_view

    now = datetime.now(timezone.utc)
    waiting = TicketMessage(id=1, author="agent", text="担当の佐藤です。", at=now, delivery="pending")
    retrying = TicketMessage(id=2, author="agent", text="担当の佐藤です。", at=now, delivery="pending",
                             delivery_error="ConnectionError")
    assert message_view(waiting, []).delivery_label == DELIVERY_LABELS["pending"]
    assert message_view(retrying, []).delivery_label == RETRY_LABEL


@pytest.mark.parametrize("kind", ["in memory", "sql", "sql inside Rasa's fail-safe wrapper"])
def test_a_retried_message_id_gets_the_first_replies_from_rasas_tracker_store(demo_shop, kind, tmp_path):
    """Rasa kept the message (then the replica died before answering): the retry is not handled twice.

    Also on the SQL store the server uses, bare and inside Rasa's fail-safe wrapper.
    """
    from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, UserUttered

    from bot.channels.rest import GuardedCollectingOutputChannel
    from bot.channels.tracker_store import PooledSQLTrackerStore
    from bot.channels.turn import CustomerTurns, Inbound, Outcome, replies_in_tracker

    if kind == "in memory":
        store = InMemoryTrackerStore(Domain.empty())
    else:
        store = PooledSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
        if kind != "sql":
            store = FailSafeTrackerStore(store)
    turns = CustomerTurns("rest")
    handled: list[str] = []

    async def rasa(message):
        handled.append(message.text)
        tracker = await store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, message_id=message.message_id))
        tracker.update(BotUttered(f"受付番号 T-{len(handled)} で承りました。"))
        await store.save(tracker)
        await message.output_channel.send_text_message(message.sender_id, f"受付番号 T-{len(handled)} で承りました。")

    def say(message_id: str) -> tuple[Outcome, list[str]]:
        output = GuardedCollectingOutputChannel(turns.screen, "rest")
        result = asyncio.run(turns.take(Inbound("rest:retrying", "k", "商品が壊れていました", message_id=message_id),
                                        output, rasa, replies_in_tracker(store)))
        return result.outcome, [m["text"] for m in output.messages]

    assert say("m-1") == (Outcome.ANSWERED, ["受付番号 T-1 で承りました。"])
    assert say("m-1") == (Outcome.REPEATED, ["受付番号 T-1 で承りました。"])
    assert say("m-2") == (Outcome.ANSWERED, ["受付番号 T-2 で承りました。"])
    assert handled == ["商品が壊れていました"] * 2

    # The first attempt died before Rasa kept it: the retry is handled (once), on a new CustomerTurns
    # (another replica) as well.
    turns = CustomerTurns("rest")
    assert say("m-3") == (Outcome.ANSWERED, ["受付番号 T-3 で承りました。"])
    assert say("m-3") == (Outcome.REPEATED, ["受付番号 T-3 で承りました。"])
