"""No secret or personal data in the servers' logs, whatever the customer types."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.server

TYPED = ["090-1111-2222", "taro.suzuki@example.jp", "4111 1111 1111 1111", "鈴木 太郎"]


def test_what_customers_type_never_reaches_the_log(assistant):
    sender = assistant.new_sender()
    assistant.say(sender, f"荷物が届きません。{TYPED[3]}です。電話は{TYPED[0]}、メールは{TYPED[1]}")
    assistant.say(sender, f"カードは{TYPED[2]}で払いました")
    assistant.say(sender, "{not json")
    log = assistant.log_path.read_text(encoding="utf-8", errors="replace")
    for value in TYPED:
        assert value not in log


def test_start_up_shows_madoguchis_lines_without_third_party_warnings(assistant):
    """A newcomer reads the run command's output: it says what runs where, with no library noise."""
    log = assistant.log_path.read_text(encoding="utf-8", errors="replace")
    assert "madoguchi is running" in log
    noise = [line for line in log.splitlines() if "Warning:" in line or "deprecated" in line.lower()]
    assert not noise, noise[:5]
