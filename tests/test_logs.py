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
