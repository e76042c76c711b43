"""`./madoguchi chat`: a terminal conversation with the running assistant."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT
from tests.responses import response_text

pytestmark = pytest.mark.server


def test_terminal_chat_talks_to_the_running_assistant(assistant):
    env = {**assistant.env}
    result = subprocess.run([sys.executable, "-m", "bot", "chat"], input="こんにちは\n\n荷物が届きません\n",
                            capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT, env=env)
    assert result.returncode == 0, result.stderr
    assert f"窓口> {response_text('utter_greet')}" in result.stdout
    assert f"窓口> {response_text('utter_ack_delivery_delay')}" in result.stdout


def test_terminal_chat_says_when_the_assistant_is_not_running(tmp_path):
    env = {"MADOGUCHI_RASA_PORT": "9", "PATH": "/usr/bin:/bin", "MADOGUCHI_VAR_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "bot", "chat"], input="こんにちは\n", capture_output=True,
                            text=True, timeout=60, cwd=PROJECT_ROOT, env=env)
    assert result.returncode == 0
    assert "is ./madoguchi run running?" in result.stdout
