"""Telegram's side of the conversation for tests: chat ids, updates built with python-telegram-bot's own
classes, the webhook call with its secret token, and what the fake Bot API got."""

from __future__ import annotations

import datetime
import itertools
import json
import random
import time
import urllib.error
import urllib.request

from telegram import Chat, Message, Update, User

from bot.channels import telegram as channel

from tests.conftest import CHANNEL_TEST_ENV

SECRET = CHANNEL_TEST_ENV["TELEGRAM_SECRET_TOKEN"]
TOKEN = CHANNEL_TEST_ENV["TELEGRAM_BOT_TOKEN"]
COMPLAINT = "注文した荷物がまだ届きません"

_update_ids = itertools.count(random.randrange(10**6, 10**8))


# --- helpers ------------------------------------------------------------------------------


def webhook_url(assistant) -> str:
    return assistant.rest_url.replace("/webhooks/rest/webhook", "/webhooks/telegram/webhook")


def new_chat_id() -> int:
    return random.randrange(10**9, 10**10)


def post(assistant, body: bytes, secret: str | None = SECRET, method: str = "POST") -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[channel.SECRET_HEADER] = secret
    request = urllib.request.Request(webhook_url(assistant), data=body if method == "POST" else None,
                                     headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=90) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def post_update(assistant, update: Update) -> tuple[int, dict]:
    return post(assistant, update.to_json().encode())


def user(chat_id: int) -> User:
    return User(chat_id, "テスト", False)


def private_chat(chat_id: int) -> Chat:
    return Chat(chat_id, Chat.PRIVATE)


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def text_update(chat_id: int, text: str, update_id: int | None = None) -> Update:
    message = Message(next(_update_ids), now(), private_chat(chat_id), from_user=user(chat_id), text=text)
    return Update(update_id if update_id is not None else next(_update_ids), message=message)


def api_params(call) -> dict:
    """PTB posts form-encoded (JSON inside for objects); the fake platform keeps that as _raw."""
    if "_raw" not in call.body:
        return call.body
    params = dict(urllib.parse.parse_qsl(call.body["_raw"], keep_blank_values=True))
    for key in ("reply_markup", "allowed_updates"):
        if key in params:
            params[key] = json.loads(params[key])
    return params


def sent_texts(platform, chat_id: int) -> list[str]:
    return [p["text"] for p in map(api_params, platform.calls_to("/sendMessage"))
            if str(p.get("chat_id")) == str(chat_id)]


def wait_for_texts(platform, chat_id: int, count: int, seconds: float = 30) -> list[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(sent_texts(platform, chat_id)) < count:
        time.sleep(0.05)
    return sent_texts(platform, chat_id)
