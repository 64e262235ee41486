"""Business calendars: working days, make-up days (调休), the daily cut-off, business hours.

A calendar is built from a validated ``calendars/<name>.yaml`` dict (SPEC 1.5).
All day arithmetic happens on *local* dates in the calendar's time zone; all
hour arithmetic happens on absolute time (UTC), so a DST change never adds or
loses an hour.  Nothing here reads files.
"""
from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_CUTOFF = "16:30"
# A calendar without a single working day in three years is broken; searching
# further would only hide that.
SEARCH_LIMIT_DAYS = 3 * 366
# The longest stretch without a working day a calendar may have (the longest
# official holiday in mainland China is 8-9 days); more is a broken calendar.
MAX_DAYS_OFF = 13

_HHMM = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
_RANGE = re.compile(r"^\s*(\S+)\s*-\s*(\S+)\s*$")

# What a day is, in the order the checks apply: a make-up day overrides the
# weekend, a holiday overrides the workweek.
MAKEUP, HOLIDAY, WORKING, WEEKEND = "make-up working day", "holiday", "working day", "weekend"


class CalendarError(ValueError):
    """A calendar that cannot be used; ``problems`` lists (field, message)."""

    def __init__(self, problems: list[tuple[str | None, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{f}: {m}" if f else m for f, m in problems))


def parse_time_of_day(value: Any) -> time | None:
    """A quoted "HH:MM" between 00:00 and 23:59, else None."""
    if not isinstance(value, str):
        return None
    m = _HHMM.match(value)
    return time(int(m.group(1)), int(m.group(2))) if m else None


def parse_hours_range(value: Any) -> tuple[time, time] | None:
    """"09:00-12:00" -> (09:00, 12:00); None if malformed or empty."""
    if not isinstance(value, str):
        return None
    m = _RANGE.match(value)
    if not m:
        return None
    start, end = parse_time_of_day(m.group(1)), parse_time_of_day(m.group(2))
    if start is None or end is None or start >= end:
        return None
    return start, end


def zone_or_none(name: Any) -> ZoneInfo | None:
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def as_date(value: Any) -> date | None:
    """A date from a date or ISO text; None for anything else (a timestamp too)."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _dates(d: dict, key: str, problems: list) -> list[date]:
    out = []
    for i, raw in enumerate(d.get(key) or ()):
        day = as_date(raw)
        if day is None:
            problems.append((f"{key}.{i}", f"{raw!r} is not a date YYYY-MM-DD"))
        else:
            out.append(day)
    return out


def calendar_problems(d: Any) -> list[tuple[str | None, str]]:
    """Semantic problems a schema cannot express, as (field, message)."""
    if not isinstance(d, dict):
        return [(None, "a calendar must be a mapping")]
    problems: list[tuple[str | None, str]] = []
    if zone_or_none(d.get("timezone")) is None:
        problems.append(("timezone", f"unknown time zone {d.get('timezone')!r}; "
                                     "use an IANA name such as Asia/Shanghai"))
    workweek = d.get("workweek") or []
    bad_days = [w for w in workweek if w not in WEEKDAY_NAMES]
    if bad_days:
        problems.append(("workweek", f"unknown weekday(s) {bad_days}; use {', '.join(WEEKDAY_NAMES)}"))
    week = {WEEKDAY_NAMES.index(w) for w in workweek if w in WEEKDAY_NAMES}
    cutoff = d.get("day_cutoff", DEFAULT_CUTOFF)
    if parse_time_of_day(cutoff) is None:
        problems.append(("day_cutoff", f"{cutoff!r} is not a time of day \"HH:MM\" from 00:00 to 23:59"))
    ranges = []
    for i, raw in enumerate(d.get("hours") or ()):
        rng = parse_hours_range(raw)
        if rng is None:
            problems.append((f"hours.{i}", f"{raw!r} is not a range \"HH:MM-HH:MM\" with start before end"))
        else:
            ranges.append((i, rng))
    for (_, (_, prev_end)), (i, (start, _)) in zip(ranges, ranges[1:]):
        if start < prev_end:
            problems.append((f"hours.{i}", "business hours must be in order and must not overlap"))
    holidays = set(_dates(d, "holidays", problems))
    for i, raw in enumerate(d.get("workdays") or ()):
        day = as_date(raw)
        if day is None:
            problems.append((f"workdays.{i}", f"{raw!r} is not a date YYYY-MM-DD"))
        elif day in holidays:
            problems.append((f"workdays.{i}", f"{day} is both a holiday and a make-up working day"))
        elif day.weekday() in week:
            problems.append((f"workdays.{i}", f"{day} is a {WEEKDAY_LABELS[day.weekday()]}, already a "
                                              "working day in the workweek; a make-up day is a day off made a working day"))
    if not week:
        problems.append(("workweek", "the calendar has no working days at all" if not d.get("workdays")
                         else "the workweek is empty: only the listed make-up days are working "
                              "days, so no deadline after the last one can be placed"))
    else:
        problems += _long_breaks(week, holidays, set(_dates(d, "workdays", [])),
                                 [int(y) for y in d.get("provisional") or () if isinstance(y, int)])
    return problems


def _long_breaks(week: set[int], holidays: set[date], workdays: set[date],
                 provisional: list[int]) -> list[tuple[str | None, str]]:
    """Stretches of more than MAX_DAYS_OFF days without a working day within the
    years the calendar covers (a deadline counted across one is meaningless,
    and a long enough one leaves no working day to count at all)."""
    years = {day.year for day in holidays | workdays} | set(provisional)
    if not years or not holidays:
        return []
    day, last = date(min(years), 1, 1), date(max(years), 12, 31)
    problems, run_start = [], None
    while day <= last + timedelta(days=1):
        working = day > last or day in workdays or (day.weekday() in week and day not in holidays)
        if not working and run_start is None:
            run_start = day
        elif working and run_start is not None:
            length = (day - run_start).days
            if length > MAX_DAYS_OFF:
                problems.append(("holidays", f"no working day from {run_start} to "
                                             f"{day - timedelta(days=1)} ({length} days); at most "
                                             f"{MAX_DAYS_OFF} days in a row may be off"))
            run_start = None
        day += timedelta(days=1)
    return problems


def calendar_warnings(d: dict) -> list[tuple[str | None, str]]:
    """Provisional years: usable, but deadlines in them may still move."""
    years = d.get("provisional") or []
    if not years:
        return []
    listed = ", ".join(str(y) for y in years)
    return [("provisional", f"the schedule for {listed} is provisional (official holidays and "
                            "make-up days not yet published); deadlines in those years may move")]


@dataclass(frozen=True, slots=True)
class DayStep:
    """One day in the derivation of a day-based deadline (for --explain)."""
    day: date
    kind: str                 # MAKEUP | HOLIDAY | WORKING | WEEKEND
    role: str                 # start | counted | skipped | due | rolled
    number: int | None = None  # the day's number when counted

    def describe(self) -> str:
        head = f"{WEEKDAY_LABELS[self.day.weekday()]} {self.day.isoformat()}"
        if self.role == "start":
            return f"{head}: start date ({self.kind}); counting begins the next day"
        if self.role == "counted":
            return f"{head}: day {self.number} ({self.kind})"
        if self.role == "due":
            return f"{head}: target date ({self.kind})"
        if self.role == "rolled":
            return f"{head}: first working day after it ({self.kind})"
        return f"{head}: skipped, {self.kind}"


@dataclass(frozen=True, slots=True)
class MonthDay:
    """One day of a month as `calendar show` lists it."""
    day: date
    kind: str                  # MAKEUP | HOLIDAY | WORKING | WEEKEND
    working: bool
    cutoff: datetime | None    # the day's cut-off, on working days

    def to_dict(self) -> dict:
        return {"date": self.day.isoformat(), "weekday": WEEKDAY_LABELS[self.day.weekday()],
                "kind": self.kind, "working": self.working,
                "cutoff": self.cutoff.isoformat() if self.cutoff else None}


@dataclass(frozen=True, eq=False)
class BusinessCalendar:
    name: str
    tz: ZoneInfo
    workweek: frozenset[int]
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    cutoff: time = time(16, 30)
    hours: tuple[tuple[time, time], ...] = ()
    provisional: frozenset[int] = frozenset()
    _nth: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, d: dict) -> BusinessCalendar:
        problems = calendar_problems(d)
        if problems:
            raise CalendarError(problems)
        return cls(
            name=str(d.get("name", "")),
            tz=ZoneInfo(d["timezone"]),
            workweek=frozenset(WEEKDAY_NAMES.index(w) for w in d.get("workweek") or ()),
            holidays=frozenset(as_date(x) for x in d.get("holidays") or ()),
            workdays=frozenset(as_date(x) for x in d.get("workdays") or ()),
            cutoff=parse_time_of_day(d.get("day_cutoff", DEFAULT_CUTOFF)),
            hours=tuple(parse_hours_range(h) for h in d.get("hours") or ()),
            provisional=frozenset(int(y) for y in d.get("provisional") or ()),
        )

    # -- days -------------------------------------------------------------
    def day_kind(self, day: date) -> str:
        if day in self.workdays:
            return MAKEUP
        if day in self.holidays:
            return HOLIDAY
        return WORKING if day.weekday() in self.workweek else WEEKEND

    def is_working_day(self, day: date) -> bool:
        return day in self.workdays or (day.weekday() in self.workweek and day not in self.holidays)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for offset in range(1, SEARCH_LIMIT_DAYS + 1):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise CalendarError([(None, f"calendar {self.name!r} has no working day after {day}")])

    def nth_working_day(self, day: date, n: int) -> date:
        """Day ``n`` counting the first working day after ``day`` as day 1."""
        key = (day, n)
        found = self._nth.get(key)
        if found is None:
            found = day
            for _ in range(n):
                found = self.next_working_day(found)
            self._nth[key] = found
        return found

    def working_day_on_or_after(self, day: date) -> date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    # -- moments ----------------------------------------------------------
    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def wall(self, day: date, at: time) -> datetime:
        """``day`` at wall-clock ``at`` in the calendar's zone (normalised across DST gaps)."""
        return datetime.combine(day, at, tzinfo=self.tz).astimezone(timezone.utc).astimezone(self.tz)

    def cutoff_on(self, day: date) -> datetime:
        return self.wall(day, self.cutoff)

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """Cut-off on day ``n``; day 1 is the first working day after the local start date
        (whatever the time of day: after the cut-off or on a holiday alike)."""
        return self.cutoff_on(self.nth_working_day(self.local_date(start), n))

    def add_calendar_days(self, start: datetime, n: int) -> datetime:
        """Cut-off ``n`` calendar days after the local start date, rolled forward to
        the first working day when that day is not one (seed 003 §7.1)."""
        target = self.local_date(start) + timedelta(days=n)
        return self.cutoff_on(self.working_day_on_or_after(target))

    def add_calendar_months(self, start: datetime, n: int) -> datetime:
        """Same local wall time ``n`` months later (clamped to the month's end)."""
        local = self.local(start)
        return self.wall(months_later(local.date(), n), local.time())

    def add_hours(self, start: datetime, hours: float) -> datetime:
        """Elapsed hours: absolute time, so 24 hours across a DST change stay 24 hours."""
        return (start.astimezone(timezone.utc) + timedelta(hours=float(hours))).astimezone(self.tz)

    def business_windows(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's business hours as absolute intervals (the whole day without ``hours``)."""
        if not self.is_working_day(day):
            return []
        if not self.hours:
            return [(self.wall(day, time(0)), self.wall(day + timedelta(days=1), time(0)))]
        return [(self.wall(day, a), self.wall(day, b)) for a, b in self.hours]

    def add_business_hours(self, start: datetime, hours: float) -> datetime:
        """Count ``hours`` only inside business hours of working days."""
        remaining = timedelta(hours=float(hours))
        begin_at = start.astimezone(timezone.utc)
        day = self.local_date(start)
        for _ in range(SEARCH_LIMIT_DAYS):
            for opens, closes in self.business_windows(day):
                begin = max(opens.astimezone(timezone.utc), begin_at)
                end = closes.astimezone(timezone.utc)
                if end <= begin:
                    continue
                if remaining <= end - begin:
                    return (begin + remaining).astimezone(self.tz)
                remaining -= end - begin
            day += timedelta(days=1)
        raise CalendarError([(None, f"calendar {self.name!r} has no business hours after {start}")])

    # -- provisional years ----------------------------------------------------
    def provisional_years(self, first: date, last: date) -> list[int]:
        return sorted(y for y in self.provisional if first.year <= y <= last.year)

    # -- explanations -------------------------------------------------------------
    def explain_working_days(self, start: datetime, n: int) -> list[DayStep]:
        """Every day from the start date to day ``n``, counted or skipped and why."""
        first = self.local_date(start)
        steps = [DayStep(first, self.day_kind(first), "start")]
        due = self.nth_working_day(first, n)
        day, counted = first, 0
        while day < due:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
                steps.append(DayStep(day, self.day_kind(day), "counted", counted))
            else:
                steps.append(DayStep(day, self.day_kind(day), "skipped"))
        return steps

    def explain_calendar_days(self, start: datetime, n: int) -> list[DayStep]:
        first = self.local_date(start)
        target = first + timedelta(days=n)
        steps = [DayStep(first, self.day_kind(first), "start"), DayStep(target, self.day_kind(target), "due")]
        if not self.is_working_day(target):
            rolled = self.next_working_day(target)
            steps.append(DayStep(rolled, self.day_kind(rolled), "rolled"))
        return steps

    def month_days(self, year: int, month: int) -> Iterable[date]:
        day = date(year, month, 1)
        while day.month == month:
            yield day
            day += timedelta(days=1)

    def month_overview(self, year: int, month: int) -> list[MonthDay]:
        """Every day of the month: what kind of day it is and its cut-off."""
        out = []
        for day in self.month_days(year, month):
            working = self.is_working_day(day)
            out.append(MonthDay(day, self.day_kind(day), working,
                                self.cutoff_on(day) if working else None))
        return out


def months_later(day: date, n: int) -> date:
    """``day`` plus ``n`` months, clamped to the month's end, as relativedelta
    does it (which costs several times more, once per ticket)."""
    months = day.month - 1 + n
    year, month = day.year + months // 12, months % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))
