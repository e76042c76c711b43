"""The scripted conversations in Rasa's own format: `rasa test` replays them against the trained model.

tests/data/conversations/test_stories.yml holds, as end-to-end test stories
(the customer's words, the intent, every action and the slots that steer the
dialogue), the scripted conversations that ended as they should when
bench/conversations.py --write-test-stories last replayed them over HTTP.
`rasa test` checks each turn: what the model reads in the customer's words
and which action the rules choose next. A change that moves any of them fails
here, turn by turn; tests/test_conversation_replay.py judges the outcomes.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.replay import load_conversations

pytestmark = pytest.mark.model

# Entities as Rasa writes them in test stories: [MD26110220](order_number), [10万円]{"entity": …}.
ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
STORIES = PROJECT_ROOT / "tests" / "data" / "conversations" / "test_stories.yml"


def test_the_test_stories_are_the_scripted_conversations():
    stories = yaml.safe_load(STORIES.read_text(encoding="utf-8"))["stories"]
    scripted = {c.id: c for c in load_conversations()}
    assert len(stories) >= 120
    for story in stories:
        said = [ANNOTATION.sub(r"\1", step["user"]).strip() for step in story["steps"] if "user" in step]
        turns = scripted[story["story"]].turns
        # After a hand-off the channels give the messages to people, not to Rasa: a prefix then.
        assert said == [turn.strip() for turn in turns[:len(said)]] and said, story["story"]


def test_rasa_test_replays_every_turn_of_the_scripted_conversations(model_path, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--model", str(model_path), "--stories", str(STORIES),
         "--out", str(tmp_path), "--fail-on-prediction-errors", "--no-plot"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=1200,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin", "PYTHONWARNINGS": "ignore",
             "HOME": str(tmp_path)},
    )
    failed = tmp_path / "failed_test_stories.yml"
    assert result.returncode == 0, (failed.read_text(encoding="utf-8")[-4000:] if failed.exists() else "") \
        + result.stdout[-2000:] + result.stderr[-2000:]
