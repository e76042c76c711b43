"""Rasa's HTTP API is off by default and, when enabled, refuses requests without the token."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

import pytest

from bot.devserver import start_assistant, stop_assistant

pytestmark = pytest.mark.server

TOKEN = "test-api-token-not-for-production"


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_http_api_is_off_without_a_token(assistant):
    base = assistant.rest_url.split("/webhooks/")[0]
    assert status_of(f"{base}/status") == 404


def test_http_api_requires_the_token_when_enabled(model_path, tmp_path):
    process, running = start_assistant(tmp_path, {"RASA_AUTH_TOKEN": TOKEN})
    base = running.rest_url.split("/webhooks/")[0]
    try:
        assert status_of(f"{base}/status") == 401
        assert status_of(f"{base}/status?token=wrong") == 401
        assert status_of(f"{base}/status?token={TOKEN}") == 200
    finally:
        exit_code = stop_assistant(process)
    # Ctrl-C stops the whole assistant cleanly: nothing keeps listening.
    assert exit_code == 0
    for port in (running.env["MADOGUCHI_RASA_PORT"], running.env["MADOGUCHI_ACTION_PORT"]):
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", int(port)), timeout=2).close()
