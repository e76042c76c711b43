"""The LINE channel against the real assistant, with LINE's webhook shapes and signatures.

LINE's servers are played by ``fake_platform``; the webhook is called exactly
as LINE calls it: the raw JSON body, signed with the channel secret.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

from bot import templates
from bot.channels import RecentIds
from bot.channels.line import (
    MAX_BODY_BYTES, MAX_MESSAGES_PER_CALL, MAX_QUICK_REPLY_LABEL_CHARS, MAX_TEXT_LENGTH, LineApi, LineOutput,
    LineTurnCollector, split_text_for_line,
)
from bot.config import PROJECT_ROOT
from bot.devserver import free_port
from tests.oversize import post_oversized
from tests.responses import ask_phone_last4, response_text
from tests.line_platform import (
    StubGuard,
    ACCESS_TOKEN,
    DELIVERY_COMPLAINT,
    REPLY,
    SECRET,
    base_event,
    call_webhook,
    line_signature,
    line_webhook_url,
    new_event_id,
    new_token,
    new_user_id,
    pushes_to,
    replies_to,
    send,
    text_event,
    texts_of,
    webhook_body,
)

pytestmark = pytest.mark.server


# ---------------------------------------------------------------------------
# The webhook's gate: nothing unsigned, oversized or malformed gets in.
# ---------------------------------------------------------------------------

def test_forged_line_signature_is_rejected_before_parsing(assistant, fake_platform):
    calls_before = len(fake_platform.calls)
    body = b'{"events": [{"type": "message", not json at all'
    forged = line_signature(body, secret="not-the-channel-secret")

    status, answer = call_webhook(line_webhook_url(assistant), body, signature=forged)

    assert (status, answer) == (401, {"error": templates.LINE_ERROR_BAD_SIGNATURE})
    assert len(fake_platform.calls) == calls_before


def test_a_valid_event_with_a_forged_signature_reaches_no_one(assistant, fake_platform):
    user_id, reply_token = new_user_id(), new_token()
    body = webhook_body(text_event(user_id, DELIVERY_COMPLAINT, reply_token=reply_token))

    status, _ = call_webhook(line_webhook_url(assistant), body, signature=line_signature(body + b" "))

    assert status == 401
    assert replies_to(fake_platform, reply_token) == [] and pushes_to(fake_platform, user_id) == []


def test_missing_signature_is_rejected(assistant, fake_platform):
    user_id, reply_token = new_user_id(), new_token()
    body = webhook_body(text_event(user_id, DELIVERY_COMPLAINT, reply_token=reply_token))

    status, answer = call_webhook(line_webhook_url(assistant), body, signature=None)

    assert (status, answer) == (401, {"error": templates.LINE_ERROR_BAD_SIGNATURE})
    assert replies_to(fake_platform, reply_token) == [] and pushes_to(fake_platform, user_id) == []


def test_empty_events_connection_check_gets_200(assistant):
    assert send(assistant) == (200, {})


def test_get_on_the_webhook_is_405(assistant):
    status, answer = call_webhook(line_webhook_url(assistant), None, signature=None, method="GET")
    assert status == 405 and answer == {"error": templates.LINE_ERROR_METHOD_NOT_ALLOWED}


def test_oversize_body_is_refused_with_413(assistant, fake_platform):
    calls_before = len(fake_platform.calls)
    body = b'{"events": [], "padding": "' + b"x" * MAX_BODY_BYTES + b'"}'

    status, _ = post_oversized(line_webhook_url(assistant), body, {"x-line-signature": line_signature(body)})

    # the Rasa server's own body cap (64 KB, SANIC_REQUEST_MAX_SIZE) refuses it before the channel runs
    assert status == 413
    assert len(fake_platform.calls) == calls_before


@pytest.mark.parametrize("body", [b'{"events": [', b"\xff\xfe not utf-8", b"[1, 2]", b'{"events": "none"}'])
def test_malformed_json_with_a_valid_signature_is_400(assistant, body):
    assert call_webhook(line_webhook_url(assistant), body) == (400, {"error": templates.ERROR_BAD_JSON})


def test_unknown_event_type_is_ignored_with_200(assistant, fake_platform):
    user_id = new_user_id()
    event = base_event("beacon", user_id)
    event["beacon"] = {"hwid": "d41d8cd98f", "type": "enter"}

    assert send(assistant, event) == (200, {})
    assert replies_to(fake_platform, event["replyToken"]) == [] and pushes_to(fake_platform, user_id) == []


# ---------------------------------------------------------------------------
# Conversations: one reply call per turn, redeliveries, expired tokens.
# ---------------------------------------------------------------------------

def test_a_complaint_gets_one_reply_call_with_the_bots_messages(assistant, fake_platform):
    user_id, reply_token = new_user_id(), new_token()

    assert send(assistant, text_event(user_id, DELIVERY_COMPLAINT, reply_token=reply_token)) == (200, {})

    [reply] = replies_to(fake_platform, reply_token)
    assert reply.headers.get("Authorization") == f"Bearer {ACCESS_TOKEN}"
    assert reply.body["messages"] == [
        {"type": "text", "text": response_text("utter_ack_delivery_delay")},
        {"type": "text", "text": response_text("utter_ask_order_number")},
    ]
    assert pushes_to(fake_platform, user_id) == []


def test_the_conversation_continues_with_the_same_line_user(assistant, fake_platform):
    user_id = new_user_id()
    send(assistant, text_event(user_id, DELIVERY_COMPLAINT))
    second_token = new_token()

    send(assistant, text_event(user_id, "ＭＤ２６１１０２２０です", reply_token=second_token))

    assert texts_of(replies_to(fake_platform, second_token)) == [ask_phone_last4()]


def test_a_redelivered_event_is_not_processed_twice(assistant, fake_platform):
    user_id, reply_token, event_id = new_user_id(), new_token(), new_event_id()
    send(assistant, text_event(user_id, DELIVERY_COMPLAINT, event_id=event_id, reply_token=reply_token))

    status, _ = send(assistant, text_event(user_id, DELIVERY_COMPLAINT, event_id=event_id, reply_token=reply_token,
                                           redelivery=True))

    assert status == 200
    assert len(replies_to(fake_platform, reply_token)) == 1
    assert pushes_to(fake_platform, user_id) == []


def test_an_expired_reply_token_falls_back_to_push(assistant, fake_platform):
    user_id, reply_token = new_user_id(), new_token()
    fake_platform.respond_with(REPLY, lambda body: (400, {"message": "Invalid reply token"}))
    try:
        assert send(assistant, text_event(user_id, DELIVERY_COMPLAINT, reply_token=reply_token)) == (200, {})
    finally:
        fake_platform.respond_with(REPLY, None)

    assert len(replies_to(fake_platform, reply_token)) == 1
    [push] = pushes_to(fake_platform, user_id)
    assert push.headers.get("Authorization") == f"Bearer {ACCESS_TOKEN}"
    assert texts_of([push]) == [response_text("utter_ack_delivery_delay"), response_text("utter_ask_order_number")]


def test_a_sticker_gets_the_polite_text_and_does_not_reach_the_bot(assistant, fake_platform):
    user_id = new_user_id()
    sticker = base_event("message", user_id)
    sticker["message"] = {"type": "sticker", "id": "468789577898262530", "packageId": "446", "stickerId": "1988",
                          "stickerResourceType": "STATIC", "quoteToken": new_token()}

    assert send(assistant, sticker) == (200, {})
    assert texts_of(replies_to(fake_platform, sticker["replyToken"])) == [templates.LINE_UNSUPPORTED_MESSAGE_REPLY]

    # The conversation then starts normally with the first text.
    next_token = new_token()
    send(assistant, text_event(user_id, DELIVERY_COMPLAINT, reply_token=next_token))
    assert texts_of(replies_to(fake_platform, next_token))[0] == response_text("utter_ack_delivery_delay")


@pytest.mark.parametrize("message", [
    {"type": "image", "contentProvider": {"type": "line"}},
    {"type": "location", "title": "自宅", "address": "東京都", "latitude": 35.6, "longitude": 139.7},
    {"type": "file", "fileName": "receipt.pdf", "fileSize": 2048},
])
def test_other_non_text_messages_get_the_polite_text(assistant, fake_platform, message):
    event = base_event("message", new_user_id())
    event["message"] = {"id": "468789577898262531", **message}

    assert send(assistant, event) == (200, {})
    assert texts_of(replies_to(fake_platform, event["replyToken"])) == [templates.LINE_UNSUPPORTED_MESSAGE_REPLY]


def test_a_follow_event_gets_the_greeting(assistant, fake_platform):
    follow = base_event("follow", new_user_id())
    follow["follow"] = {"isUnblocked": False}

    assert send(assistant, follow) == (200, {})
    assert texts_of(replies_to(fake_platform, follow["replyToken"])) == [templates.LINE_FOLLOW_GREETING]


def test_events_in_a_group_chat_are_not_answered(assistant, fake_platform):
    event = text_event(new_user_id(), DELIVERY_COMPLAINT)
    event["source"] = {"type": "group", "groupId": "C" + uuid.uuid4().hex, "userId": event["source"]["userId"]}

    assert send(assistant, event) == (200, {})
    assert replies_to(fake_platform, event["replyToken"]) == []


def test_customers_line_texts_stay_out_of_the_log(assistant):
    private = "鈴木花子です。電話は090-3333-4444"
    send(assistant, text_event(new_user_id(), f"荷物が届きません。{private}"))
    log = assistant.log_path.read_text(encoding="utf-8", errors="replace")
    assert private not in log and "090-3333-4444" not in log


@pytest.mark.server  # starts a stand-alone Sanic server
def test_an_unconfigured_channel_loads_and_answers_503(fake_platform, tmp_path):
    """A shop without LINE keeps the line in credentials.yml; the webhook then only says so."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINE_CHANNEL_")}
    env["LINE_API_BASE"] = fake_platform.url
    script = (
        "from sanic import Sanic\n"
        "from bot.channels.line import LineInput\n"
        "app = Sanic('line_unconfigured')\n"
        "async def on_new_message(message): raise AssertionError('reached the bot')\n"
        "app.blueprint(LineInput.from_credentials(None).blueprint(on_new_message), url_prefix='/webhooks/line')\n"
        f"app.run(host='127.0.0.1', port={port}, access_log=False)\n"
    )
    server_log = tmp_path / "line_unconfigured.log"
    server = subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env,
                              stdout=server_log.open("wb"), stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/webhooks/line/webhook"
        user_id = new_user_id()
        body = webhook_body(text_event(user_id, DELIVERY_COMPLAINT))
        deadline = time.monotonic() + 60
        while True:
            try:
                status, answer = call_webhook(url, body)
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"the stand-alone LINE server did not start:\n{server_log.read_text()[-2000:]}")
                time.sleep(0.3)
        assert (status, answer) == (503, {"error": templates.LINE_ERROR_NOT_CONFIGURED})
        assert pushes_to(fake_platform, user_id) == []
    finally:
        server.terminate()
        server.wait(timeout=30)


# ---------------------------------------------------------------------------
# The parts, on their own.
# ---------------------------------------------------------------------------

def test_a_6000_character_text_is_split_at_lines_limit():
    text = "あ" * 6000
    parts = split_text_for_line(text)
    assert [len(p) for p in parts] == [MAX_TEXT_LENGTH, 1000] and "".join(parts) == text


def test_splitting_prefers_a_line_break_and_counts_emoji_as_line_does():
    paragraph = "お" * 99 + "\n"
    text = paragraph * 60
    parts = split_text_for_line(text)
    assert "".join(parts) == text and all(p.endswith("\n") for p in parts)
    assert all(len(p) <= MAX_TEXT_LENGTH for p in parts)

    emoji = split_text_for_line("😀" * 3000)  # two UTF-16 units each
    assert [len(p) for p in emoji] == [2500, 500]
    assert split_text_for_line("短い") == ["短い"] and split_text_for_line("") == []


def test_recent_event_ids_are_bounded():
    seen = RecentIds(capacity=3)
    assert all(seen.first_time(i) for i in "abcd")
    assert not seen.first_time("d")
    assert seen.first_time("a")  # forgotten: the oldest went when "d" came


def test_buttons_become_quick_replies_with_short_labels():
    collector = LineTurnCollector(StubGuard())
    buttons = [{"title": "はい", "payload": "/affirm"},
               {"title": "いいえ、別の注文についてのお問い合わせです", "payload": "/deny"}]
    asyncio.run(collector.send_text_with_buttons("U1", "この注文でよろしいですか？", buttons))

    [message] = collector.messages
    items = message["quickReply"]["items"]
    assert [i["action"]["data"] for i in items] == ["/affirm", "/deny"]
    assert all(len(i["action"]["label"]) <= MAX_QUICK_REPLY_LABEL_CHARS for i in items)
    assert items[1]["action"]["displayText"] == buttons[1]["title"]


def test_a_blocked_reply_is_replaced_and_loses_its_buttons():
    guard = StubGuard()
    collector = LineTurnCollector(guard)
    asyncio.run(collector.send_text_with_buttons("U1", "鈴木太郎様のご注文です", [{"title": "OK", "payload": "/ok"}]))
    assert collector.messages == [{"type": "text", "text": templates.REPLY_BLOCKED_BY_PRIVACY_GUARD}]
    assert guard.screened[0] == ("U1", "鈴木太郎様のご注文です", "line")


def test_the_push_output_screens_and_pushes_later_messages(fake_platform):
    """What Rasa uses for messages outside a webhook request, such as an agent's reply."""
    user_id, guard = new_user_id(), StubGuard()
    output = LineOutput(LineApi(fake_platform.url, ACCESS_TOKEN), guard)

    asyncio.run(output.send_text_message(user_id, "担当の佐藤です。お調べしました。"))
    asyncio.run(output.send_text_message(user_id, "鈴木太郎様の住所は…"))

    pushes = pushes_to(fake_platform, user_id)
    assert texts_of(pushes) == ["担当の佐藤です。お調べしました。", templates.REPLY_BLOCKED_BY_PRIVACY_GUARD]
    assert all(p.headers.get("Authorization") == f"Bearer {ACCESS_TOKEN}" for p in pushes)


def test_more_than_five_messages_go_by_reply_then_push_in_fives(fake_platform):
    user_id, reply_token = new_user_id(), new_token()
    messages = [{"type": "text", "text": f"{n}通目"} for n in range(1, 13)]

    asyncio.run(LineApi(fake_platform.url, ACCESS_TOKEN).deliver(reply_token, user_id, messages))

    [reply] = replies_to(fake_platform, reply_token)
    assert reply.body["messages"] == messages[:MAX_MESSAGES_PER_CALL]
    pushes = pushes_to(fake_platform, user_id)
    assert [len(p.body["messages"]) for p in pushes] == [5, 2]
    assert [m for p in pushes for m in p.body["messages"]] == messages[MAX_MESSAGES_PER_CALL:]


def test_a_failing_turn_gets_a_polite_answer_and_raises_nothing(fake_platform, caplog, shop_database):
    """Whatever breaks inside a turn, LINE still gets 200 and the log gets no customer text."""
    from bot.channels.line import LineInput

    channel = LineInput(SECRET, ACCESS_TOKEN, fake_platform.url, guard=StubGuard())
    user_id, reply_token = new_user_id(), new_token()
    secret_text = "鈴木花子 090-5555-6666"

    async def broken_bot(message):
        await message.output_channel.send_text_message(message.sender_id, "途中まで")
        raise RuntimeError(f"model crashed on {message.text}")

    asyncio.run(channel._handle_event(text_event(user_id, secret_text, reply_token=reply_token), broken_bot))

    assert texts_of(replies_to(fake_platform, reply_token)) == ["途中まで", templates.ERROR_INTERNAL]
    assert "RuntimeError" in caplog.text and secret_text not in caplog.text
