"""Rasa's check of the action server's answers, with the compiled validator (bot.channels.action_results)."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.channels import action_results

ANSWERS = [
    {"events": [{"event": "slot", "name": "order_number", "value": "MD26110220", "timestamp": None},
                {"event": "bot", "text": "ご注文を確認しました"}, {"event": "followup", "name": "action_x"}],
     "responses": [{"response": "utter_verified"}]},
    {"events": [], "responses": []},
    {},
    {"events": [{"event": "slot"}]},  # a slot without its name
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": [1, 2]},
]


def _rasa_verdict(answer):
    """What Rasa's own check (jsonschema.validate on the same schema) says."""
    try:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
        return True
    except jsonschema.ValidationError as error:
        return error.message


@pytest.mark.parametrize("answer", ANSWERS)
def test_the_compiled_validator_gives_rasas_verdicts_and_errors(answer):
    action_results.install()
    try:
        ours = RemoteAction("action_bench", None)._validate_action_result(answer)
    except jsonschema.ValidationError as error:
        ours = error.message
    expected = _rasa_verdict(answer)
    if expected is True:
        assert ours is True
    else:
        assert ours.startswith(expected + ". Failed to validate Action server response from API")
        assert ours.endswith("/custom-actions")


def test_the_schema_is_compiled_once():
    assert action_results.compiled_validator() is action_results.compiled_validator()
    action_results.install()
    assert RemoteAction._validate_action_result is action_results.validate_action_result
