"""Concrete dates instead of vague words: when the customer hears from a person."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.support import JST, POLICIES, format_deadline, is_delayed, reply_due


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


@pytest.mark.parametrize("now, issue_type, expected", [
    ("2026-11-24T10:20", "delivery_delay", "11月25日(水) 11:00"),   # inside business hours
    ("2026-11-27T20:00", "delivery_delay", "11月30日(月) 18:00"),   # Friday evening -> Monday close
    ("2026-11-24T19:00", "refund_return", "11月26日(木) 18:00"),    # after closing -> next business close
    ("2026-11-27T20:00", "product_safety", "11月28日(土) 20:00"),   # urgent: around the clock
    ("2026-11-28T03:00", "privacy_concern", "11月29日(日) 03:00"),
    ("2026-11-24T10:20", "system_trouble", "11月24日(火) 15:00"),
])
def test_reply_due(now, issue_type, expected):
    assert format_deadline(reply_due(at(now), POLICIES[issue_type])) == expected


def test_reply_due_is_never_sooner_than_promised_hours_allow_for_urgent_cases():
    now = at("2026-11-24T10:00")
    assert (reply_due(now, POLICIES["product_safety"]) - now).total_seconds() == 24 * 3600


def test_a_delivery_is_a_delay_case_after_48_hours():
    expected = at("2026-11-20T00:00")
    assert not is_delayed(expected, at("2026-11-22T00:00"))
    assert is_delayed(expected, at("2026-11-22T00:01"))


def test_the_shop_sets_its_own_reply_targets(monkeypatch):
    from bot.support import policy_for

    monkeypatch.setenv("MADOGUCHI_REPLY_HOURS", "system_trouble=2, other=24")
    assert (policy_for("system_trouble").reply_within_hours, policy_for("other").reply_within_hours) == (2, 24)
    assert policy_for("product_safety").urgent and policy_for("delivery_delay").reply_within_hours == 24


def test_a_malformed_reply_target_names_the_variable(monkeypatch):
    import pytest

    from bot.support import policy_for

    monkeypatch.setenv("MADOGUCHI_REPLY_HOURS", "shipping=2")
    with pytest.raises(ValueError, match="MADOGUCHI_REPLY_HOURS"):
        policy_for("other")
