"""The Telegram channel: a running assistant gets updates built with python-telegram-bot and
answers through the fake Bot API (tests.fake_platform)."""

from __future__ import annotations

import asyncio
import json
import time
from types import SimpleNamespace

import pytest
from telegram import CallbackQuery, Chat, Message, Sticker, Update

from bot import templates
from bot.channels import telegram as channel
from bot.channels import without_command_prefix
from tests.conftest import CHANNEL_TEST_ENV
from tests.oversize import post_oversized
from tests.responses import response_text
from tests.telegram_platform import (
    COMPLAINT,
    SECRET,
    TOKEN,
    _update_ids,
    api_params,
    new_chat_id,
    now,
    post,
    post_update,
    webhook_url,
    private_chat,
    sent_texts,
    text_update,
    user,
    wait_for_texts,
)

pytestmark = pytest.mark.server



class PassingGuard:
    """Stands in for bot.outbound.OutboundGuard where no database is at hand."""

    def __init__(self, replacement: str | None = None) -> None:
        self.screened: list[str] = []
        self.replacement = replacement

    def screen(self, conversation_id: str, text: str, channel_name: str = "") -> str:
        self.screened.append(text)
        return self.replacement or text


# --- the webhook of the running assistant -------------------------------------------------


def test_forged_secret_token_is_rejected_before_parsing(assistant, fake_platform):
    before = len(fake_platform.calls)
    assert post(assistant, b"{not json", secret="forged-secret")[0] == 403
    assert post(assistant, b"{not json", secret=None)[0] == 403
    status, body = post(assistant, text_update(new_chat_id(), COMPLAINT).to_json().encode(), secret=SECRET + "x")
    assert (status, body) == (403, {"error": templates.TELEGRAM_ERROR_FORBIDDEN})
    time.sleep(0.5)
    assert len(fake_platform.calls) == before


def test_get_is_not_allowed(assistant):
    assert post(assistant, b"", method="GET") == (405, {"error": templates.TELEGRAM_ERROR_METHOD_NOT_ALLOWED})


def test_an_oversize_body_is_refused(assistant):
    body = b'{"update_id": 1, "x": "' + b"a" * (channel.MAX_BODY_BYTES + 10) + b'"}'
    status, _ = post_oversized(webhook_url(assistant), body, {channel.SECRET_HEADER: SECRET})
    assert status == 413  # the Rasa server's own body cap (64 KB, SANIC_REQUEST_MAX_SIZE) comes first


@pytest.mark.parametrize("body, error", [
    (b"{not json", templates.ERROR_BAD_JSON),
    (b"[1, 2]", templates.ERROR_BAD_JSON),
    (b'{"message": {"text": "no update_id"}}', templates.TELEGRAM_ERROR_BAD_UPDATE),
])
def test_malformed_json_with_the_right_secret_is_a_400(assistant, body, error):
    assert post(assistant, body) == (400, {"error": error})


def test_a_japanese_complaint_is_answered_in_the_chat(assistant, fake_platform):
    chat_id = new_chat_id()
    assert post_update(assistant, text_update(chat_id, COMPLAINT)) == (200, {"ok": True})
    fake_platform.wait_for("sendMessage", 2)
    expected = [response_text("utter_ack_delivery_delay"), response_text("utter_ask_order_number")]
    assert wait_for_texts(fake_platform, chat_id, 2) == expected


def test_a_duplicated_update_is_processed_once(assistant, fake_platform):
    chat_id = new_chat_id()
    update = text_update(chat_id, COMPLAINT)
    assert post_update(assistant, update)[0] == 200
    assert post_update(assistant, update)[0] == 200
    assert len(wait_for_texts(fake_platform, chat_id, 2)) == 2
    time.sleep(1)
    assert len(sent_texts(fake_platform, chat_id)) == 2


def test_a_sticker_gets_the_polite_text(assistant, fake_platform):
    chat_id = new_chat_id()
    sticker = Sticker("file-id", "unique-id", 512, 512, False, False, Sticker.REGULAR)
    message = Message(next(_update_ids), now(), private_chat(chat_id), from_user=user(chat_id), sticker=sticker)
    assert post_update(assistant, Update(next(_update_ids), message=message)) == (200, {"ok": True})
    assert wait_for_texts(fake_platform, chat_id, 1) == [templates.TELEGRAM_UNSUPPORTED_MESSAGE_REPLY]


def test_a_button_press_is_forwarded_and_answered(assistant, fake_platform):
    chat_id = new_chat_id()
    query_id = f"cq-{chat_id}"
    pressed_on = Message(next(_update_ids), now(), private_chat(chat_id), text="ボタン付きのメッセージ")
    query = CallbackQuery(query_id, user(chat_id), "instance", data="/delivery_delay", message=pressed_on)
    assert post_update(assistant, Update(next(_update_ids), callback_query=query)) == (200, {"ok": True})
    answers = [api_params(c) for c in fake_platform.calls_to("/answerCallbackQuery")]
    assert any(a.get("callback_query_id") == query_id for a in answers)
    assert wait_for_texts(fake_platform, chat_id, 1)[0] == response_text("utter_ack_delivery_delay")


def test_edited_messages_and_other_updates_are_ignored(assistant, fake_platform):
    chat_id = new_chat_id()
    edited = Message(next(_update_ids), now(), private_chat(chat_id), from_user=user(chat_id), text=COMPLAINT)
    assert post_update(assistant, Update(next(_update_ids), edited_message=edited)) == (200, {"ok": True})
    assert post(assistant, json.dumps({"update_id": next(_update_ids), "poll": None}).encode())[0] == 200
    time.sleep(0.5)
    assert sent_texts(fake_platform, chat_id) == []


def test_no_secret_and_no_message_text_in_the_log(assistant, fake_platform):
    chat_id = new_chat_id()
    typed = "電話は090-3333-4444です、荷物が届きません"
    post_update(assistant, text_update(chat_id, typed))
    log = assistant.log_path.read_text(encoding="utf-8", errors="replace")
    for secret in (TOKEN, SECRET, typed, "090-3333-4444"):
        assert secret not in log


# --- the handler without a server ---------------------------------------------------------


def _receive_handler(input_channel: channel.TelegramInput, on_new_message):
    blueprint = input_channel.blueprint(on_new_message)
    return next(route.handler for route in blueprint._future_routes if "POST" in route.methods)


def _call(handler, body: bytes, secret: str | None = SECRET):
    request = SimpleNamespace(headers={channel.SECRET_HEADER: secret} if secret else {}, body=body)
    answer = asyncio.run(handler(request))
    return answer.status, json.loads(answer.body)


def test_without_secrets_the_webhook_answers_503_and_does_nothing(monkeypatch, fake_platform):
    monkeypatch.delenv(channel.ENV_BOT_TOKEN, raising=False)
    monkeypatch.delenv(channel.ENV_SECRET_TOKEN, raising=False)
    received = []
    unconfigured = channel.TelegramInput.from_credentials(None)
    unconfigured.guard = PassingGuard()
    handler = _receive_handler(unconfigured, lambda m: received.append(m))
    before = len(fake_platform.calls)
    assert _call(handler, text_update(new_chat_id(), COMPLAINT).to_json().encode()) == (
        503, {"error": templates.TELEGRAM_ERROR_NOT_CONFIGURED})
    assert received == [] and len(fake_platform.calls) == before
    assert unconfigured.get_output_channel() is None


def _configured(fake_platform) -> tuple[channel.TelegramInput, list]:
    received = []

    async def on_new_message(message):
        received.append(message)

    configured = channel.TelegramInput(TOKEN, SECRET, fake_platform.url, guard=PassingGuard())
    return _receive_handler(configured, on_new_message), received


def test_start_is_greeted_and_typed_commands_stay_text(fake_platform, shop_database):
    handler, received = _configured(fake_platform)
    chat_id = new_chat_id()
    assert _call(handler, text_update(chat_id, "/start").to_json().encode())[0] == 200
    assert sent_texts(fake_platform, chat_id) == [templates.TELEGRAM_START_GREETING]
    assert _call(handler, text_update(chat_id, "/restart").to_json().encode())[0] == 200
    [message] = received
    assert (message.text, message.sender_id, message.input_channel) == ("restart", str(chat_id), "telegram")
    assert without_command_prefix(" / /restart{} ") == "restart{}"


def test_a_restart_button_payload_is_refused_but_answered(fake_platform, shop_database):
    handler, received = _configured(fake_platform)
    chat_id = new_chat_id()
    query = CallbackQuery(f"cq-{chat_id}", user(chat_id), "i", data=" /restart ",
                          message=Message(1, now(), private_chat(chat_id), text="…"))
    assert _call(handler, Update(next(_update_ids), callback_query=query).to_json().encode())[0] == 200
    assert received == []
    assert any(api_params(c).get("callback_query_id") == f"cq-{chat_id}"
               for c in fake_platform.calls_to("/answerCallbackQuery"))


def test_group_chats_are_ignored(fake_platform, shop_database):
    handler, received = _configured(fake_platform)
    chat_id = -new_chat_id()
    message = Message(1, now(), Chat(chat_id, Chat.SUPERGROUP), from_user=user(5), text=COMPLAINT)
    assert _call(handler, Update(next(_update_ids), message=message).to_json().encode())[0] == 200
    assert received == [] and sent_texts(fake_platform, chat_id) == []


# --- sending ------------------------------------------------------------------------------


def test_a_10000_character_text_is_split_at_the_telegram_limit():
    text = "あいうえお。" * 1666 + "かきくけ"  # 10,000 characters
    assert len(text) == 10_000
    pieces = channel.split_text(text)
    assert "".join(pieces) == text
    assert len(pieces) == 3
    assert all(len(p) <= 4096 for p in pieces)
    assert all(p.endswith("。") for p in pieces[:-1])  # cut after a sentence


def test_splitting_counts_utf16_units_and_prefers_line_breaks():
    emoji = "😀" * 3000  # 6000 UTF-16 units
    pieces = channel.split_text(emoji)
    assert "".join(pieces) == emoji and [len(p) for p in pieces] == [2048, 952]
    lines = "\n".join(["行" * 99] * 100)
    assert all(p.endswith("\n") for p in channel.split_text(lines)[:-1])
    assert channel.split_text("") == [] and channel.split_text("短い") == ["短い"]


def test_buttons_become_an_inline_keyboard_one_per_row():
    keyboard = channel.build_inline_keyboard([
        {"title": "はい", "payload": "/affirm"},
        {"title": "いいえ", "payload": "/deny"},
        {"title": "長すぎる", "payload": "/inform" + "x" * 64},
        {"title": "注文履歴", "url": "https://shop.example.jp/orders"},
    ])
    rows = keyboard.to_dict()["inline_keyboard"]
    assert rows == [
        [{"text": "はい", "callback_data": "/affirm"}],
        [{"text": "いいえ", "callback_data": "/deny"}],
        [{"text": "注文履歴", "url": "https://shop.example.jp/orders"}],
    ]
    assert channel.build_inline_keyboard([]) is None


def test_the_output_channel_screens_splits_and_sends_buttons_across_event_loops(fake_platform):
    guard = PassingGuard()
    output = channel.TelegramOutput(lambda: channel.bot_for_running_loop(TOKEN, fake_platform.url), guard)
    chat_id = new_chat_id()
    asyncio.run(output.send_text_message(str(chat_id), "あ" * 10_000))
    asyncio.run(output.send_text_with_buttons(str(chat_id), "よろしいですか？", [{"title": "はい", "payload": "/affirm"}]))
    calls = [p for p in map(api_params, fake_platform.calls_to("/sendMessage")) if p["chat_id"] == str(chat_id)]
    assert [len(p["text"]) for p in calls] == [4096, 4096, 1808, len("よろしいですか？")]
    assert calls[-1]["reply_markup"] == {"inline_keyboard": [[{"text": "はい", "callback_data": "/affirm"}]]}
    assert guard.screened == ["あ" * 10_000, "よろしいですか？\nはい"]


def test_a_blocked_reply_is_sent_as_the_safe_text_without_buttons(fake_platform):
    guard = PassingGuard(replacement=templates.REPLY_BLOCKED_BY_PRIVACY_GUARD)
    output = channel.TelegramOutput(lambda: channel.bot_for_running_loop(TOKEN, fake_platform.url), guard)
    chat_id = new_chat_id()
    asyncio.run(output.send_text_with_buttons(str(chat_id), "鈴木様のご注文", [{"title": "はい", "payload": "/affirm"}]))
    [call] = [p for p in map(api_params, fake_platform.calls_to("/sendMessage")) if p["chat_id"] == str(chat_id)]
    assert call["text"] == templates.REPLY_BLOCKED_BY_PRIVACY_GUARD and "reply_markup" not in call


# --- webhook registration -----------------------------------------------------------------


def test_register_webhook_sends_the_url_and_the_secret(monkeypatch, fake_platform):
    for key, value in {**CHANNEL_TEST_ENV, channel.ENV_API_BASE: fake_platform.url}.items():
        monkeypatch.setenv(key, value)
    url = "https://shop.example.jp/webhooks/telegram/webhook"
    assert channel.register_webhook(url) is True
    call = fake_platform.calls_to("/setWebhook")[-1]
    assert call.path == f"/bot{TOKEN}/setWebhook"
    params = api_params(call)
    assert params["url"] == url and params["secret_token"] == SECRET
    assert params["allowed_updates"] == ["message", "callback_query"]
    with pytest.raises(ValueError):
        channel.register_webhook("http://shop.example.jp/webhook")
    monkeypatch.delenv(channel.ENV_SECRET_TOKEN)
    with pytest.raises(channel.TelegramNotConfigured):
        channel.register_webhook(url)


def test_the_cli_registers_the_webhook_with_the_secret_token(fake_platform):
    import subprocess
    import sys

    from bot.config import PROJECT_ROOT
    from tests.conftest import CHANNEL_TEST_ENV

    url = "https://shop.example/webhooks/telegram/webhook"
    before = len(fake_platform.calls_to("setWebhook"))
    result = subprocess.run([sys.executable, "-m", "bot", "telegram-webhook", url], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "TELEGRAM_API_BASE": fake_platform.url, **CHANNEL_TEST_ENV})
    assert result.returncode == 0, result.stderr
    calls = fake_platform.calls_to("setWebhook")
    assert len(calls) == before + 1
    params = api_params(calls[-1])
    assert params["url"] == url
    assert params["secret_token"] == CHANNEL_TEST_ENV["TELEGRAM_SECRET_TOKEN"]
