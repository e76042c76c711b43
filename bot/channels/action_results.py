"""Rasa's check of the action server's answers, with the schema compiled once instead of on every call.

After every custom action Rasa 3.6 (``RemoteAction._validate_action_result``)
calls ``jsonschema.validate(result, schema)``, which first checks the schema
itself against JSON Schema's meta-schema and builds a new validator, then
checks the result. The schema (all of Rasa's event types) never changes, so
that work is the same on every call: under 20 concurrent conversations it was
39 % of the Rasa server's event loop (py-spy, issue #10).

``install()`` replaces the method with one that checks the schema once, keeps
the validator, and reports errors exactly as before (jsonschema's best match,
with Rasa's hint appended). It runs in the Rasa server process: every channel
imports ``bot.channels.turn``, which installs it.

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


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Same verdicts and errors as Rasa's, without re-checking the schema."""
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
