"""Bad input to the REST channel gets a clear Japanese error, and nothing crashes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from bot import templates

pytestmark = pytest.mark.server


def post(assistant, body: bytes, content_type: str = "application/json") -> tuple[int, dict]:
    request = urllib.request.Request(assistant.rest_url, data=body, headers={"Content-Type": content_type})
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
])
def test_malformed_requests_get_400_with_a_japanese_error(assistant, body, error):
    assert post(assistant, body) == (400, {"error": error})


def test_an_overlong_message_is_refused_with_the_limit(assistant):
    status, body = post(assistant, json.dumps({"sender": "a", "message": "あ" * 5000}).encode())
    assert status == 413 and "2000" in body["error"]


def test_the_assistant_still_answers_after_bad_input(assistant):
    post(assistant, b"{not json")
    assert assistant.say(assistant.new_sender(), "こんにちは")
