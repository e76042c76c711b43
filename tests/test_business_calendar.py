"""The Japanese business calendar: public holidays, the shop's closures and hours per weekday.

Both deadlines (a trouble's first reply from a person, a handed-off
conversation's first human reply) and the out-of-hours acknowledgement use the
same calendar, so a public holiday is a day off for all of them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot import handoff, templates
from bot.business_calendar import (
    DEFAULT_CALENDAR,
    BusinessCalendar,
    CalendarConfigError,
    parse_business_hours,
    parse_closures,
)
from bot.config import load_settings
from bot.handoff import first_reply_due
from bot.store.db import engine_for, session_scope
from bot.support import JST, POLICIES, format_deadline, reply_due


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


# ---------------------------------------------------------------------------
# Known holidays are days off (these failed when the calendar knew only weekends)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("day, name", [
    (date(2026, 11, 23), "勤労感謝の日"),
    (date(2027, 1, 1), "元日"),
    (date(2026, 5, 6), "振替休日"),   # 憲法記念日 falls on a Sunday in 2026
    (date(2026, 4, 29), "昭和の日"),
    (date(2026, 5, 4), "みどりの日"),
    (date(2026, 5, 5), "こどもの日"),
    (date(2026, 9, 22), "国民の休日"),  # between 敬老の日 and 秋分の日
])
def test_public_holidays_are_not_business_days(day, name):
    assert day.weekday() < 5  # every one of them is a weekday
    assert name in DEFAULT_CALENDAR.closed_reason(day)
    assert DEFAULT_CALENDAR.opening_hours(day) is None


def test_a_trouble_due_on_labour_thanksgiving_day_moves_to_the_next_business_day():
    # Friday 11/20 15:00 + 24 h = Saturday; Monday 11/23 is 勤労感謝の日, so Tuesday's close.
    due = reply_due(at("2026-11-20T15:00"), POLICIES["delivery_delay"])
    assert format_deadline(due) == "11月24日(火) 18:00"


def test_a_hand_off_on_labour_thanksgiving_day_waits_for_tuesdays_opening():
    assert first_reply_due(at("2026-11-23T10:00"), "normal") == at("2026-11-24T10:00")
    assert first_reply_due(at("2026-11-23T10:00"), "urgent") == at("2026-11-23T11:00")  # around the clock


def test_a_hand_off_on_the_substitute_holiday_waits_for_the_next_day():
    assert first_reply_due(at("2026-05-06T10:00"), "normal") == at("2026-05-07T10:00")


def test_golden_week_is_skipped_as_a_whole():
    # Friday 5/1 is a working day; 5/2-5/6 are a weekend and three holidays.
    assert DEFAULT_CALENDAR.is_open(at("2026-05-01T10:00"))
    assert DEFAULT_CALENDAR.next_opening(at("2026-05-01T20:00")) == at("2026-05-07T09:00")
    assert format_deadline(reply_due(at("2026-05-01T12:00"), POLICIES["refund_return"])) == "5月7日(木) 18:00"
    # the 24-hour cap still bounds a hand-off's first reply
    assert first_reply_due(at("2026-05-01T20:00"), "normal") == at("2026-05-02T20:00")


def test_new_year_is_a_holiday_even_without_the_shops_closure():
    calendar = BusinessCalendar.weekdays(9, 18)  # no closures configured
    assert calendar.closed_reason(date(2027, 1, 1)) == "元日"
    assert calendar.is_open(at("2026-12-30T10:00"))  # a plain Wednesday without the closure
    assert calendar.next_opening(at("2026-12-31T19:00")) == at("2027-01-04T09:00")


def test_the_year_end_closure_by_default_runs_from_12_29_to_1_3():
    assert [DEFAULT_CALENDAR.closed_reason(date(2026, 12, d)) for d in (28, 29, 30, 31)] == \
        [None, "休業日", "休業日", "休業日"]
    assert DEFAULT_CALENDAR.closed_reason(date(2027, 1, 4)) is None
    # Monday 12/28 10:00 + 24 h falls into the closure: the close of Monday 1/4.
    assert format_deadline(reply_due(at("2026-12-28T10:00"), POLICIES["delivery_delay"])) == "1月4日(月) 18:00"
    assert first_reply_due(at("2026-12-28T18:30"), "normal", first_reply_hours=24 * 7) == at("2027-01-04T10:00")


# ---------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------

def test_the_old_hours_setting_still_means_monday_to_friday(monkeypatch):
    monkeypatch.setenv("MADOGUCHI_BUSINESS_HOURS", "10-17")
    calendar = load_settings().calendar
    assert calendar.opening_hours(date(2026, 11, 25)) == (at("2026-11-25T10:00"), at("2026-11-25T17:00"))
    assert calendar.opening_hours(date(2026, 11, 28)) is None  # Saturday
    assert calendar.closed_reason(date(2026, 11, 29)) == "定休日"


def test_hours_per_weekday_open_saturday_and_half_hours(monkeypatch):
    monkeypatch.setenv("MADOGUCHI_BUSINESS_HOURS", "mon-fri=9:30-17:30, sat=10-15")
    calendar = load_settings().calendar
    assert calendar.opening_hours(date(2026, 11, 28)) == (at("2026-11-28T10:00"), at("2026-11-28T15:00"))
    assert calendar.next_opening(at("2026-11-27T18:00")) == at("2026-11-28T10:00")
    assert calendar.next_opening(at("2026-11-28T15:00")) == at("2026-11-30T09:30")
    # a Saturday trouble after 15:00 goes to Monday's close at 17:30
    assert format_deadline(reply_due(at("2026-11-27T16:00"), POLICIES["delivery_delay"], calendar)) == \
        "11月30日(月) 17:30"
    # a weekday with hours that is a public holiday stays closed
    assert calendar.closed_reason(date(2027, 2, 11)) == "建国記念の日"


def test_obon_and_one_off_closures_from_the_setting(monkeypatch):
    monkeypatch.setenv("MADOGUCHI_CLOSED_DAYS", "12/29-1/3, 8/13-8/16, 2027/2/1")
    calendar = load_settings().calendar
    assert [calendar.opening_hours(date(2027, 8, d)) is None for d in (12, 13, 16, 17)] == [False, True, True, False]
    assert calendar.closed_reason(date(2027, 2, 1)) == "休業日"
    assert calendar.closed_reason(date(2028, 2, 1)) is None  # a dated closure is for that year only


def test_no_closures_at_all(monkeypatch):
    monkeypatch.setenv("MADOGUCHI_CLOSED_DAYS", "")
    assert load_settings().calendar.is_open(at("2026-12-29T10:00"))


@pytest.mark.parametrize("variable, value, says", [
    ("MADOGUCHI_BUSINESS_HOURS", "9時から18時", "is not hours"),
    ("MADOGUCHI_BUSINESS_HOURS", "18-9", "closes before it opens"),
    ("MADOGUCHI_BUSINESS_HOURS", "mon-fri=9-25", "not a time of day"),
    ("MADOGUCHI_BUSINESS_HOURS", "fri-mon=9-18", "runs backwards"),
    ("MADOGUCHI_BUSINESS_HOURS", "weekdays=9-18", "not a weekday"),
    ("MADOGUCHI_CLOSED_DAYS", "年末年始", "is not a day"),
    ("MADOGUCHI_CLOSED_DAYS", "2/30", "not a real date"),
    ("MADOGUCHI_CLOSED_DAYS", "2027/5/6-2027/5/1", "ends before it starts"),
])
def test_a_bad_setting_is_refused_with_the_variable_named(monkeypatch, variable, value, says):
    monkeypatch.setenv(variable, value)
    with pytest.raises(CalendarConfigError, match=says) as error:
        load_settings()
    assert variable in str(error.value)


def test_parsers_read_the_documented_forms():
    assert parse_business_hours("9-18") == ((540, 1080),) * 5 + (None, None)
    assert parse_business_hours("sat-sun=10-16")[5:] == ((600, 960), (600, 960))
    assert len(parse_closures("12/29-1/3,8/13-8/16")) == 2


# ---------------------------------------------------------------------------
# The acknowledgement in a handed-off conversation says when people are back
# ---------------------------------------------------------------------------

def _ticket(url: str, conversation: str, severity: str, now: datetime) -> None:
    with session_scope(engine_for(url)) as session:
        handoff.open_ticket(session, conversation_id=conversation, channel="rest", reason="human_request",
                            severity=severity, evidence=[], transcript=[], now=now)


def _gate(url: str, conversation: str, now: datetime) -> str:
    with session_scope(engine_for(url)) as session:
        return handoff.acknowledgement(handoff.gate(session, conversation, "まだですか", now, DEFAULT_CALENDAR))


def test_on_a_holiday_the_acknowledgement_says_when_people_are_back(shop_database):
    holiday_evening = at("2026-11-23T19:00")
    _ticket(shop_database, "rest:holiday", "normal", holiday_evening - timedelta(minutes=5))
    text = _gate(shop_database, "rest:holiday", holiday_evening)
    assert text == templates.HANDOFF_ACK_OUT_OF_HOURS.format(opens="11月24日(火) 09:00",
                                                             reply_due="11月24日(火) 10:00")


def test_in_business_hours_and_for_urgent_tickets_the_acknowledgement_is_short(shop_database):
    _ticket(shop_database, "rest:tuesday", "normal", at("2026-11-24T10:00"))
    assert _gate(shop_database, "rest:tuesday", at("2026-11-24T10:05")) == templates.HANDOFF_ACK
    _ticket(shop_database, "rest:threat", "urgent", at("2026-11-23T19:00"))
    assert _gate(shop_database, "rest:threat", at("2026-11-23T19:05")) == templates.HANDOFF_ACK
