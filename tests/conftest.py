"""Fixtures that start the real assistant (see bot.devserver)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.devserver import RunningAssistant, start_assistant, stop_assistant
from bot.modelfiles import current_model_path


@pytest.fixture(scope="session")
def model_path() -> Path:
    path = current_model_path(load_settings().models_dir)
    if not path.exists():
        pytest.fail(f"no trained model at {path}: run the tests with ./madoguchi test, which trains it")
    return path


@pytest.fixture(scope="session")
def assistant(model_path, tmp_path_factory) -> RunningAssistant:
    var_dir = tmp_path_factory.mktemp("assistant")
    process, running = start_assistant(var_dir)
    yield running
    stop_assistant(process)
