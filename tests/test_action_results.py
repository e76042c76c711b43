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
    {"events": [{"event": "user", "text": "荷物が届きません", "parse_data": {"intent": {"name": "delivery_delay", "confidence": 0.9},
                                                                  "entities": [{"entity": "order_number", "value": "MD1"}]}},
                {"event": "active_loop", "name": "verification_form"}, {"event": "action", "name": "action_listen"},
                {"event": "session_started", "metadata": {"channel": "rest"}}]},
    {"events": [{"event": "user", "parse_data": {"entities": [{"entity": "order_number"}]}}]},  # an entity without value
    {"events": [{"event": "bot", "text": 3}]},  # text of the wrong type
    {"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": "yesterday"}]},  # timestamp of the wrong type
    {"events": [{"event": "reset_slots", "metadata": []}]},  # metadata of the wrong type
    {"events": [{"name": "order_number"}]},  # no event name
    {"events": [{"event": 7}]},
    {"events": ["slot"]},
    {"events": [{"event": "slot", "name": "x", "value": None}, {"event": "bot", "text": None}], "responses": "no"},
    [],
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


@pytest.mark.parametrize("answer", ANSWERS)
def test_the_check_by_event_name_never_passes_what_rasas_check_fails(answer):
    """It decides alone only when it finds an answer valid, and must then agree; valid answers take it."""
    assert action_results.valid_by_event_name(answer) is (_rasa_verdict(answer) is True)


def test_the_schema_is_compiled_once():
    assert action_results.compiled_validator() is action_results.compiled_validator()
    action_results.install()
    assert RemoteAction._validate_action_result is action_results.validate_action_result
