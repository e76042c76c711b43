"""Bad input to the REST channel gets a clear Japanese error, and nothing crashes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from bot import templates

pytestmark = pytest.mark.server


def post(assistant, body: bytes, content_type: str = "application/json") -> tuple[int, dict]:
    request = urllib.request.Request(assistant.rest_url, data=body,
                                     headers={"Content-Type": content_type, **assistant.rest_headers()})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.mark.parametrize("body, error", [
    (b"{not json", templates.ERROR_BAD_JSON),
    (b"[1, 2]", templates.ERROR_BAD_JSON),
    (json.dumps({"message": "届かない"}).encode(), templates.ERROR_MISSING_SENDER),
    (json.dumps({"sender": "a", "message": "   "}).encode(), templates.ERROR_EMPTY_MESSAGE),
    (json.dumps({"sender": "a", "message": 42}).encode(), templates.ERROR_EMPTY_MESSAGE),
    (json.dumps({"sender": "a", "message": "届かない", "message_id": "x" * 65}).encode(),
     templates.ERROR_BAD_MESSAGE_ID),
    (json.dumps({"sender": "a", "message": "届かない", "message_id": 7}).encode(), templates.ERROR_BAD_MESSAGE_ID),
])
def test_malformed_requests_get_400_with_a_japanese_error(assistant, body, error):
    assert post(assistant, body) == (400, {"error": error})


def test_an_overlong_message_is_refused_with_the_limit(assistant):
    status, body = post(assistant, json.dumps({"sender": "a", "message": "あ" * 5000}).encode())
    assert status == 413 and "2000" in body["error"]


def test_a_message_sent_again_with_its_id_is_handled_once_and_gets_the_first_answer(assistant):
    from bot.channels.rest import conversation_id_for
    from bot.store.db import engine_for, session_scope
    from bot.store.models import Trouble
    from sqlalchemy import func, select

    sender = assistant.new_sender()

    def send(text: str, message_id: str) -> list:
        status, replies = post(assistant, json.dumps({"sender": sender, "message": text,
                                                      "message_id": message_id}).encode())
        assert status == 200
        return [r["text"] for r in replies]

    first = send("届いた商品が壊れていました", "m-1")
    assert send("届いた商品が壊れていました", "m-1") == first  # the client's retry: the same answer
    with session_scope(engine_for(assistant.database_url)) as session:
        cases = session.scalar(select(func.count()).select_from(Trouble)
                               .where(Trouble.conversation_id == conversation_id_for(sender)))
    assert cases == 1  # one case, one reference number
    assert send("届いた商品が壊れていました", "m-2") != []  # a new id is a new message


def test_the_assistant_still_answers_after_bad_input(assistant):
    post(assistant, b"{not json")
    assert assistant.say(assistant.new_sender(), "こんにちは")


def test_rest_senders_cannot_reach_another_channels_conversation(assistant):
    from sqlalchemy import select

    from bot.channels.rest import conversation_id_for
    from bot.store.db import engine_for, session_scope
    from bot.store.models import Trouble

    telegram_chat_id = "987654321"
    assistant.say(telegram_chat_id, "届いた商品が壊れていました")
    with session_scope(engine_for(assistant.database_url)) as session:
        ids = set(session.execute(select(Trouble.conversation_id)).scalars())
    assert conversation_id_for(telegram_chat_id) in ids
    assert telegram_chat_id not in ids


@pytest.mark.parametrize("typed, seen", [
    ("/restart", "restart"), ("//greet", "greet"), (' /inform{"a":1}', 'inform{"a":1}'), ("届かない", "届かない"),
])
def test_typed_text_never_reaches_rasa_as_an_intent_command(typed, seen):
    from bot.channels import without_command_prefix

    assert without_command_prefix(typed) == seen
