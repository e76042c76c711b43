"""The shop's business calendar: when people are at work to answer customers.

One calendar for every deadline (the first reply to a trouble, the first
human reply to a handed-off conversation) and for the acknowledgement that
tells a customer when people are back. A day is a business day when its
weekday has hours, it is not a Japanese public holiday (``jpholiday``, which
follows the 祝日法: 振替休日 and 国民の休日 included) and it is not one of the
shop's own closures (年末年始, お盆, an inventory day), so 11/23 勤労感謝の日 is
not counted as a working day.

The hours and closures come from ``bot.config`` (``MADOGUCHI_BUSINESS_HOURS``,
``MADOGUCHI_CLOSED_DAYS``); parsing lives here so that the formats are
described once, next to the code that reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import jpholiday

JST = timezone(timedelta(hours=9), "JST")
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# How far ahead we look for the next business day: longer than any closure a shop would configure.
SEARCH_DAYS = 60


class CalendarConfigError(ValueError):
    """A business-hours or closure setting that cannot be read; the message names the variable."""


@dataclass(frozen=True)
class Closure:
    """A closed period: every year (``year`` None, may run over New Year) or one-off."""

    start: tuple[int, int]  # (month, day)
    end: tuple[int, int]
    year: int | None = None
    end_year: int | None = None

    def covers(self, day: date) -> bool:
        if self.year is not None:
            return date(self.year, *self.start) <= day <= date(self.end_year or self.year, *self.end)
        key = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= key <= self.end
        return key >= self.start or key <= self.end  # 12/29-1/3


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours per weekday (minutes after midnight, JST), public holidays and the shop's closures."""

    hours: tuple[tuple[int, int] | None, ...]  # index 0 = Monday; None = closed that weekday
    closures: tuple[Closure, ...] = ()

    @classmethod
    def weekdays(cls, opening: int, closing: int, closures: tuple[Closure, ...] = ()) -> "BusinessCalendar":
        """Monday to Friday, ``opening`` to ``closing`` o'clock."""
        hours = ((opening * 60, closing * 60),) * 5 + (None, None)
        return cls(hours=hours, closures=closures)

    def closed_reason(self, day: date) -> str | None:
        """Why ``day`` is not a business day (祝日の名前, 休業日, 定休日), or None when it is one."""
        name = jpholiday.is_holiday_name(day)
        if name:
            return name
        for closure in self.closures:
            if closure.covers(day):
                return "休業日"
        if self.hours[day.weekday()] is None:
            return "定休日"
        return None

    def opening_hours(self, day: date) -> tuple[datetime, datetime] | None:
        """When people are at work on ``day`` (JST), or None on a closed day."""
        if self.closed_reason(day) is not None:
            return None
        opening, closing = self.hours[day.weekday()]
        midnight = datetime.combine(day, time(0), tzinfo=JST)
        return midnight + timedelta(minutes=opening), midnight + timedelta(minutes=closing)

    def is_open(self, moment: datetime) -> bool:
        hours = self.opening_hours(moment.astimezone(JST).date())
        return hours is not None and hours[0] <= moment < hours[1]

    def next_opening(self, moment: datetime) -> datetime:
        """``moment`` itself when people are at work, else the start of the next business hours."""
        local = moment.astimezone(JST)
        for offset in range(SEARCH_DAYS):
            hours = self.opening_hours(local.date() + timedelta(days=offset))
            if hours is None:
                continue
            opening, closing = hours
            if local < closing:
                return max(opening, local)
        raise CalendarConfigError(f"no business day within {SEARCH_DAYS} days of {local:%Y-%m-%d}")

    def close_of_next_business_day(self, moment: datetime) -> datetime:
        """The closing time of the business day that starts after ``moment`` (the same day before opening)."""
        local = moment.astimezone(JST)
        for offset in range(SEARCH_DAYS):
            hours = self.opening_hours(local.date() + timedelta(days=offset))
            if hours is not None and local < hours[0]:
                return hours[1]
        raise CalendarConfigError(f"no business day within {SEARCH_DAYS} days of {local:%Y-%m-%d}")

    def within_hours_or_at_closing(self, moment: datetime) -> bool:
        """A deadline people can meet: during business hours or exactly at closing time."""
        hours = self.opening_hours(moment.astimezone(JST).date())
        return hours is not None and hours[0] <= moment <= hours[1]


# ---------------------------------------------------------------------------
# Reading the settings
# ---------------------------------------------------------------------------

_TIME = r"(\d{1,2})(?::(\d{2}))?"
_SPAN = re.compile(rf"{_TIME}\s*-\s*{_TIME}")
_DAY = r"(?:(\d{4})/)?(\d{1,2})/(\d{1,2})"
_CLOSURE = re.compile(rf"{_DAY}(?:\s*-\s*{_DAY})?")


def _minutes(hour: str, minute: str | None, variable: str, text: str) -> int:
    value = int(hour) * 60 + int(minute or 0)
    if not 0 <= value <= 24 * 60 or int(minute or 0) >= 60:
        raise CalendarConfigError(f"{variable}: {text!r} is not a time of day")
    return value


def _span(text: str, variable: str) -> tuple[int, int]:
    match = _SPAN.fullmatch(text.strip())
    if not match:
        raise CalendarConfigError(f"{variable}: {text!r} is not hours like 9-18 or 9:30-17:30")
    opening = _minutes(match.group(1), match.group(2), variable, text)
    closing = _minutes(match.group(3), match.group(4), variable, text)
    if opening >= closing:
        raise CalendarConfigError(f"{variable}: {text!r} closes before it opens")
    return opening, closing


def _weekdays(text: str, variable: str) -> list[int]:
    names = [n.strip().lower()[:3] for n in text.split("-")]
    if not 1 <= len(names) <= 2 or any(n not in WEEKDAY_NAMES for n in names):
        raise CalendarConfigError(f"{variable}: {text!r} is not a weekday or range like mon-fri")
    first, last = WEEKDAY_NAMES.index(names[0]), WEEKDAY_NAMES.index(names[-1])
    if last < first:
        raise CalendarConfigError(f"{variable}: {text!r} runs backwards")
    return list(range(first, last + 1))


def parse_business_hours(text: str, variable: str = "MADOGUCHI_BUSINESS_HOURS") -> tuple[tuple[int, int] | None, ...]:
    """``9-18`` (Monday to Friday) or per weekday: ``mon-fri=9-18,sat=10-15`` (unlisted days closed)."""
    text = text.strip()
    if "=" not in text:
        return (_span(text, variable),) * 5 + (None, None)
    hours: list[tuple[int, int] | None] = [None] * 7
    for part in filter(None, (p.strip() for p in text.split(","))):
        days, _, span = part.partition("=")
        for weekday in _weekdays(days, variable):
            hours[weekday] = _span(span, variable)
    return tuple(hours)


def parse_closures(text: str, variable: str = "MADOGUCHI_CLOSED_DAYS") -> tuple[Closure, ...]:
    """Comma-separated ``M/D``, ``M/D-M/D`` (every year) or ``YYYY/M/D[-YYYY/M/D]`` (one-off)."""
    closures = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _CLOSURE.fullmatch(part)
        if not match:
            raise CalendarConfigError(f"{variable}: {part!r} is not a day like 12/29, 12/29-1/3 or 2027/5/6")
        year, month, day, end_year, end_month, end_day = match.groups()
        if (year is None) != (end_year is None) and end_month is not None:
            raise CalendarConfigError(f"{variable}: {part!r} mixes a yearly day with a dated one")
        start = (int(month), int(day))
        end = (int(end_month), int(end_day)) if end_month else start
        try:
            for month_day, in_year in ((start, year), (end, end_year or year)):
                date(int(in_year) if in_year else 2024, *month_day)  # 2024: 2/29 is a valid yearly day
        except ValueError:
            raise CalendarConfigError(f"{variable}: {part!r} is not a real date") from None
        closure = Closure(start, end, int(year) if year else None, int(end_year) if end_year else None)
        if closure.year is not None and date(closure.end_year or closure.year, *end) < date(closure.year, *start):
            raise CalendarConfigError(f"{variable}: {part!r} ends before it starts")
        closures.append(closure)
    return tuple(closures)


DEFAULT_BUSINESS_HOURS = "9-18"
DEFAULT_CLOSED_DAYS = "12/29-1/3"
DEFAULT_CALENDAR = BusinessCalendar(hours=parse_business_hours(DEFAULT_BUSINESS_HOURS),
                                    closures=parse_closures(DEFAULT_CLOSED_DAYS))
