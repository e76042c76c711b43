"""Rasa's check of the action server's answers, with the schema compiled once instead of on every call.

After every custom action Rasa 3.6 (``RemoteAction._validate_action_result``)
calls ``jsonschema.validate(result, schema)``, which first checks the schema
itself against JSON Schema's meta-schema and builds a new validator, then
checks the result. The schema (all of Rasa's event types) never changes, so
that work is the same on every call: under 20 concurrent conversations it was
39 % of the Rasa server's event loop (py-spy, issue #10).

``install()`` replaces the method with one that checks the schema once, keeps
the validator, and reports errors exactly as before (jsonschema's best match,
with Rasa's hint appended).

Even compiled, the check cost ~8 % of the Rasa server's busy time (py-spy,
2026-12-02): each event is tried against all 23 event schemas of the
schema's ``oneOf``. Every one of them fixes ``event`` to its own constant and
``event`` is required, so an event can only ever match the schema of its own
name: ``valid_by_event_name`` checks it against that one alone, the same
verdict for a fraction of the work. Only an answer that fails that check
goes through the full validator, for Rasa's own error message.

It runs in the Rasa server process: every channel imports
``bot.channels.turn``, which installs it.

It also lets a customer turn know that a custom action failed (the action
server down or answering garbage). Rasa logs the error, records the action
with no events and predicts on: the fallback then answers a tracker that
lacks what the action would have done, and the customer reads 「うまく理解で
きませんでした」 for a plain 「荷物が届きません」. ``watch_actions()`` gives the
turn a ``ActionFailures`` record that the failing call marks, so the turn
(``bot.channels.turn``) can drop what the bot says after the failure and
apologise instead.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Optional, Text

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions import action as rasa_action
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction


@lru_cache(maxsize=1)
def compiled_validator():
    """The validator for the action server's answers, its schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@lru_cache(maxsize=1)
def _checks_by_event_name():
    """(the answer without its events, one event's common part, {event name: its own schema}), or None.

    None when the schema's events are not told apart by a required constant
    ``event`` (a later Rasa could change that): then every answer takes the
    full validator.
    """
    schema = RemoteAction.action_response_format_spec()
    events = schema["properties"]["events"]
    items = events.get("items", {})
    by_name = {}
    for alternative in items.get("oneOf", ()):
        name = alternative.get("properties", {}).get("event", {}).get("const")
        if not isinstance(name, str) or name in by_name:
            return None
        by_name[name] = alternative
    if not by_name or "event" not in items.get("required", ()) or set(events) != {"type", "items"}:
        return None
    validator_class = validator_for(schema)
    answer = dict(schema, properties=dict(schema["properties"], events={"type": events["type"]}))
    common = {key: value for key, value in items.items() if key != "oneOf"}
    return (validator_class(answer), validator_class(common),
            {name: validator_class(alternative) for name, alternative in by_name.items()})


def valid_by_event_name(result: Any) -> bool:
    """True when the full schema holds, checking each event against its own event schema only.

    False means "not shown valid this way", never more: the full validator decides.
    """
    checks = _checks_by_event_name()
    if checks is None:
        return False
    answer, common, by_name = checks
    if not answer.is_valid(result):
        return False
    for event in result.get("events") or ():
        if not common.is_valid(event):
            return False
        own = by_name.get(event["event"])
        if own is None or not own.is_valid(event):
            return False
    return True


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Same verdicts and errors as Rasa's, without re-checking the schema."""
    if valid_by_event_name(result):
        return True
    error = best_match(compiled_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {rasa_action.DOCS_BASE_URL}/custom-actions"
    )
    raise error


@dataclass
class ActionFailures:
    """Custom actions that failed during one customer turn (names only: no message text)."""

    failed: tuple[str, ...] = ()


_current_turn: ContextVar[Optional[ActionFailures]] = ContextVar("madoguchi_action_failures", default=None)


def watch_actions() -> ActionFailures:
    """A record for the turn running in this task; Rasa's handling of the message shares it."""
    record = ActionFailures()
    _current_turn.set(record)
    return record


_rasa_run = RemoteAction.run


async def run_noting_failures(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
    try:
        return await _rasa_run(self, *args, **kwargs)
    except ActionExecutionRejection:
        raise  # a form declining its turn (HTTP 400 from the SDK): Rasa's ordinary flow, not a failure
    except Exception:
        record = _current_turn.get()
        if record is not None:
            record.failed = (*record.failed, self.name())
        raise


def install() -> None:
    """Use the cached validator and note failed actions, for every remote action in this process (idempotent)."""
    RemoteAction._validate_action_result = validate_action_result
    RemoteAction.run = run_noting_failures
