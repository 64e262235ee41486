"""Business calendar rules (SPEC 1.5, 3.3): working days, 调休, cut-off, DST."""
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import jsonschema_rs
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cxctl.calendar import (HOLIDAY, MAKEUP, WEEKEND, BusinessCalendar, CalendarError,
                            calendar_problems, calendar_warnings, months_later)

REPO = Path(__file__).resolve().parents[1]

# National Day week 2026 as in SPEC 3.3: Oct 1-7 off, Sun Sep 20 and Sat Oct 10 worked;
# New Year 2026: Jan 1-3 off, Sun Jan 4 worked.
CN = {
    "name": "cn-test", "timezone": "Asia/Shanghai", "workweek": ["mon", "tue", "wed", "thu", "fri"],
    "day_cutoff": "16:30",
    "holidays": ["2026-01-01", "2026-01-02", "2026-01-03"] + [f"2026-10-0{d}" for d in range(1, 8)],
    "workdays": ["2026-01-04", "2026-09-20", "2026-10-10"],
    "hours": ["09:00-12:00", "13:30-18:00"],
    "provisional": [2027],
}
BERLIN = {"name": "de-test", "timezone": "Europe/Berlin", "workweek": ["mon", "tue", "wed", "thu", "fri"]}


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s)


def load_yaml(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def jsonify(value):
    """Records are validated after normalising dates to strings (SPEC 1)."""
    if isinstance(value, dict):
        return {k: jsonify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonify(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def cn():
    return BusinessCalendar.from_dict(CN)


@pytest.fixture(scope="module")
def berlin():
    return BusinessCalendar.from_dict(BERLIN)


@pytest.fixture(scope="module")
def calendar_schema():
    return jsonschema_rs.validator_for(load_yaml(REPO / "schemas/calendar.yaml"), validate_formats=True)


# -- working days ---------------------------------------------------------------

def test_month_overview_gives_each_day_its_kind_and_cutoff(cn):
    days = cn.month_overview(2026, 10)
    assert len(days) == 31 and days[0].day == date(2026, 10, 1)
    make_up = days[9]                                    # Sat 10 Oct, a make-up working day
    assert (make_up.kind, make_up.working, make_up.cutoff) == (MAKEUP, True, ts("2026-10-10T16:30:00+08:00"))
    assert (days[0].kind, days[0].working, days[0].cutoff) == (HOLIDAY, False, None)
    assert days[9].to_dict()["weekday"] == "Sat"


def test_day_kinds(cn):
    assert cn.is_working_day(date(2026, 9, 29))                 # Tuesday
    assert not cn.is_working_day(date(2026, 9, 26))             # Saturday
    assert not cn.is_working_day(date(2026, 10, 8) - timedelta(days=1))  # Oct 7 holiday
    assert cn.day_kind(date(2026, 10, 1)) == HOLIDAY
    assert cn.day_kind(date(2026, 10, 11)) == WEEKEND


def test_make_up_sunday_is_a_working_day_and_counts(cn):
    assert date(2026, 9, 20).weekday() == 6
    assert cn.is_working_day(date(2026, 9, 20))
    assert cn.day_kind(date(2026, 9, 20)) == MAKEUP
    # Friday 18 Sep + 1 working day lands on the make-up Sunday, not Monday 21.
    assert cn.add_working_days(ts("2026-09-18T11:00:00+08:00"), 1) == ts("2026-09-20T16:30:00+08:00")


def test_next_working_day_skips_the_whole_holiday_week(cn):
    assert cn.next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)


def test_spec_national_day_general_complaint(cn):
    # Accepted Tue 29 Sep 10:00, 3 working days: Sep 30, Oct 8, Oct 9.
    assert cn.add_working_days(ts("2026-09-29T10:00:00+08:00"), 3) == ts("2026-10-09T16:30:00+08:00")


def test_spec_national_day_major_complaint_counts_make_up_saturday(cn):
    # Accepted Sat 3 Oct, 15 working days counting Sat Oct 10.
    assert cn.add_working_days(ts("2026-10-03T09:00:00+08:00"), 15) == ts("2026-10-27T16:30:00+08:00")
    # Without the make-up day the same count would end a day later.
    plain = BusinessCalendar.from_dict({**CN, "workdays": []})
    assert plain.add_working_days(ts("2026-10-03T09:00:00+08:00"), 15) == ts("2026-10-28T16:30:00+08:00")


@pytest.mark.parametrize("clock_time", ["16:29", "16:30", "16:31"])
def test_start_time_relative_to_cutoff_does_not_change_day_one(cn, clock_time):
    # Day 1 is the first working day after the start date, whatever the hour.
    start = ts(f"2026-11-02T{clock_time}:00+08:00")        # Monday
    assert cn.add_working_days(start, 1) == ts("2026-11-03T16:30:00+08:00")


def test_start_on_a_holiday_counts_from_the_next_working_day(cn):
    assert cn.add_working_days(ts("2026-10-05T10:00:00+08:00"), 1) == ts("2026-10-08T16:30:00+08:00")


def test_year_boundary_with_make_up_sunday(cn):
    # Wed 31 Dec 2025 + 1: Jan 1-3 off, Sun Jan 4 worked.
    assert cn.add_working_days(ts("2025-12-31T15:00:00+08:00"), 1) == ts("2026-01-04T16:30:00+08:00")
    assert cn.add_working_days(ts("2025-12-31T15:00:00+08:00"), 2) == ts("2026-01-05T16:30:00+08:00")


def test_local_date_decides_not_the_offset_written(cn):
    # 17:00 UTC Thursday is 01:00 Friday in Shanghai: day 1 is Monday, not Friday.
    assert cn.add_working_days(ts("2026-01-08T17:00:00+00:00"), 1) == ts("2026-01-12T16:30:00+08:00")
    assert cn.add_working_days(ts("2026-01-08T15:00:00+00:00"), 1) == ts("2026-01-09T16:30:00+08:00")


def test_calendar_days_roll_over_holidays(cn):
    # Mon 28 Sep + 3 calendar days is Oct 1 (holiday): rolls to Oct 8.
    assert cn.add_calendar_days(ts("2026-09-28T09:00:00+08:00"), 3) == ts("2026-10-08T16:30:00+08:00")
    # Landing on the make-up Saturday needs no roll-over.
    assert cn.add_calendar_days(ts("2026-10-07T09:00:00+08:00"), 3) == ts("2026-10-10T16:30:00+08:00")
    # Landing on a plain Saturday rolls to Monday.
    assert cn.add_calendar_days(ts("2026-11-04T09:00:00+08:00"), 3) == ts("2026-11-09T16:30:00+08:00")


def test_calendar_months_clamp_to_month_end(cn):
    assert cn.add_calendar_months(ts("2026-11-30T10:00:00+08:00"), 3) == ts("2027-02-28T10:00:00+08:00")


def test_other_cutoff_is_used(cn):
    early = BusinessCalendar.from_dict({**CN, "day_cutoff": "12:00"})
    assert early.add_working_days(ts("2026-11-02T10:00:00+08:00"), 1) == ts("2026-11-03T12:00:00+08:00")
    default = BusinessCalendar.from_dict({k: v for k, v in CN.items() if k != "day_cutoff"})
    assert default.cutoff == time(16, 30)


# -- hours and business hours -----------------------------------------------------

def test_business_hours_skip_lunch_night_and_weekend(cn):
    # Fri 17:00: one hour left that day, the second on Monday from 09:00.
    assert cn.add_business_hours(ts("2026-11-06T17:00:00+08:00"), 2) == ts("2026-11-09T10:00:00+08:00")
    # 11:00 + 2h: 1h before lunch, 1h after 13:30.
    assert cn.add_business_hours(ts("2026-11-02T11:00:00+08:00"), 2) == ts("2026-11-02T14:30:00+08:00")
    # Ending exactly at closing time stays that day.
    assert cn.add_business_hours(ts("2026-11-02T16:00:00+08:00"), 2) == ts("2026-11-02T18:00:00+08:00")
    # Starting on a holiday: the first business hour is the next working day's.
    assert cn.add_business_hours(ts("2026-10-03T10:00:00+08:00"), 1) == ts("2026-10-08T10:00:00+08:00")


def test_elapsed_hours_ignore_calendar(cn):
    assert cn.add_hours(ts("2026-10-01T10:00:00+08:00"), 3) == ts("2026-10-01T13:00:00+08:00")


# -- DST (Europe/Berlin) --------------------------------------------------------

def test_dst_working_day_deadline_keeps_local_cutoff(berlin):
    # Fri 27 Mar 2026 (CET) + 1 working day = Mon 30 Mar 16:30 CEST.
    due = berlin.add_working_days(ts("2026-03-27T10:00:00+01:00"), 1)
    assert due == ts("2026-03-30T16:30:00+02:00")
    assert due.utcoffset() == timedelta(hours=2)


def test_dst_hours_are_elapsed_hours(berlin):
    # Spring forward: 24 elapsed hours from Sat noon end at 13:00 local on Sunday.
    assert berlin.add_hours(ts("2026-03-28T12:00:00+01:00"), 24) == ts("2026-03-29T13:00:00+02:00")
    # Fall back: they end at 11:00 local.
    assert berlin.add_hours(ts("2026-10-24T12:00:00+02:00"), 24) == ts("2026-10-25T11:00:00+01:00")


def test_dst_business_hours_count_real_hours():
    # Every day works 00:00-06:00; the night of 29 Mar has only 5 real hours.
    night = BusinessCalendar.from_dict({**BERLIN, "workweek": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                                        "hours": ["00:00-06:00"]})
    due = night.add_business_hours(ts("2026-03-28T23:00:00+01:00"), 6)
    assert due == ts("2026-03-30T01:00:00+02:00")


def test_dst_calendar_months_keep_wall_time(berlin):
    assert berlin.add_calendar_months(ts("2026-01-15T10:00:00+01:00"), 3) == ts("2026-04-15T10:00:00+02:00")


# -- explanations and provisional years ---------------------------------------------

def test_explain_lists_skipped_and_counted_days(cn):
    steps = cn.explain_working_days(ts("2026-09-29T10:00:00+08:00"), 3)
    assert [s.role for s in steps] == ["start", "counted"] + ["skipped"] * 7 + ["counted", "counted"]
    assert steps[2].kind == HOLIDAY and steps[2].describe() == "Thu 2026-10-01: skipped, holiday"
    assert steps[-1].describe() == "Fri 2026-10-09: day 3 (working day)"
    makeup = cn.explain_working_days(ts("2026-10-09T10:00:00+08:00"), 1)
    assert makeup[-1].describe() == "Sat 2026-10-10: day 1 (make-up working day)"


def test_explain_calendar_days_shows_roll_over(cn):
    steps = cn.explain_calendar_days(ts("2026-09-28T09:00:00+08:00"), 3)
    assert [(s.day, s.role) for s in steps] == [(date(2026, 9, 28), "start"), (date(2026, 10, 1), "due"),
                                               (date(2026, 10, 8), "rolled")]


def test_provisional_years(cn):
    assert cn.provisional_years(date(2026, 12, 30), date(2027, 1, 5)) == [2027]
    assert cn.provisional_years(date(2026, 1, 1), date(2026, 12, 31)) == []
    assert calendar_warnings(CN)[0][0] == "provisional"


# -- bad calendars --------------------------------------------------------------------

@pytest.mark.parametrize("change, field, words", [
    ({"workdays": ["2026-10-03"]}, "workdays.0", "both a holiday and a make-up"),
    ({"workdays": ["2026-09-21"]}, "workdays.0", "already a working day"),
    ({"timezone": "Asia/Beijing"}, "timezone", "unknown time zone"),
    ({"timezone": "../etc/passwd"}, "timezone", "unknown time zone"),
    ({"day_cutoff": "25:00"}, "day_cutoff", "not a time of day"),
    ({"hours": ["09:00-12:00", "11:00-18:00"]}, "hours.1", "overlap"),
    ({"hours": ["18:00-09:00"]}, "hours.0", "start before end"),
    ({"holidays": ["2026-02-30"]}, "holidays.0", "not a date"),
    ({"workweek": [], "workdays": []}, "workweek", "no working days"),
    ({"workweek": [], "workdays": ["2020-01-04"]}, "workweek", "workweek is empty"),
    ({"holidays": [f"2026-11-{d:02d}" for d in range(1, 21)]}, "holidays",
     "no working day from 2026-10-31 to 2026-11-22"),
])
def test_calendar_problems(change, field, words):
    problems = calendar_problems({**CN, **change})
    assert any(f == field and words in m for f, m in problems), problems
    with pytest.raises(CalendarError):
        BusinessCalendar.from_dict({**CN, **change})


def test_at_most_13_days_in_a_row_without_a_working_day():
    every_day = {"name": "t", "timezone": "Asia/Shanghai",
                 "workweek": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}
    thirteen = [f"2026-01-{d:02d}" for d in range(1, 14)]
    assert calendar_problems({**every_day, "holidays": thirteen}) == []
    [(field, message)] = calendar_problems({**every_day, "holidays": thirteen + ["2026-01-14"]})
    assert field == "holidays" and "(14 days)" in message
    # Oct 1-9 and Oct 11-18 off, split by the make-up Saturday Oct 10
    longer = CN["holidays"] + ["2026-10-08", "2026-10-09"] + [f"2026-10-{d}" for d in range(12, 17)]
    assert calendar_problems({**CN, "holidays": longer}) == []
    without_make_up = [d for d in CN["workdays"] if d != "2026-10-10"]
    assert [f for f, _ in calendar_problems({**CN, "holidays": longer, "workdays": without_make_up})] == \
        ["holidays"]


def test_good_calendars_have_no_problems():
    assert calendar_problems(CN) == []
    assert calendar_problems(BERLIN) == []


def test_shipped_calendar_is_valid_and_gives_spec_deadlines(calendar_schema):
    raw = load_yaml(REPO / "cxctl/defaults/calendars/cn-mainland.yaml")
    assert calendar_schema.is_valid(jsonify(raw))
    assert calendar_problems(raw) == []
    cal = BusinessCalendar.from_dict(raw)
    assert cal.add_working_days(ts("2026-09-29T10:00:00+08:00"), 3) == ts("2026-10-09T16:30:00+08:00")
    assert cal.add_working_days(ts("2026-10-03T10:00:00+08:00"), 15) == ts("2026-10-27T16:30:00+08:00")
    # 2025: Sun Sep 28 and Sat Oct 11 worked around the Oct 1-8 break.
    assert cal.is_working_day(date(2025, 9, 28)) and cal.is_working_day(date(2025, 10, 11))
    assert not cal.is_working_day(date(2025, 10, 8))
    assert cal.provisional == frozenset({2027})


@pytest.mark.parametrize("change", [{"day_cutoff": "25:00"}, {"colour": "red"}, {"workweek": ["monday"]},
                                    {"holidays": ["2026-13-01"]}, {"hours": ["9-12"]}])
def test_schema_rejects_bad_calendars(calendar_schema, change):
    assert not calendar_schema.is_valid({**CN, **change})


# -- properties -----------------------------------------------------------------------

starts = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 1, 31),
                      timezones=st.sampled_from([timezone(timedelta(hours=8)), timezone.utc,
                                                 timezone(timedelta(hours=-5))]))


@settings(max_examples=300, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=20))
def test_working_day_deadline_is_a_working_day_at_the_cutoff(cn, start, n):
    due = cn.add_working_days(start, n)
    assert cn.is_working_day(due.date())
    assert due.timetz().replace(tzinfo=None) == time(16, 30)
    assert due.date() > cn.local_date(start)


@settings(max_examples=300, deadline=None)
@given(start=starts, later_by=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
       n=st.integers(min_value=1, max_value=15))
def test_deadlines_never_earlier_when_the_start_is_later(cn, start, later_by, n):
    later = start + later_by
    assert cn.add_working_days(later, n) >= cn.add_working_days(start, n)
    assert cn.add_calendar_days(later, n) >= cn.add_calendar_days(start, n)
    assert cn.add_business_hours(later, n) >= cn.add_business_hours(start, n)


@settings(max_examples=200, deadline=None)
@given(start=starts, n=st.integers(min_value=0, max_value=40))
def test_calendar_days_deadline_is_a_working_day_at_the_cutoff(cn, start, n):
    due = cn.add_calendar_days(start, n)
    assert cn.is_working_day(due.date()) and due.time() == time(16, 30)
    assert due.date() >= cn.local_date(start) + timedelta(days=n)


def test_months_later_clamps_to_the_end_of_a_shorter_month():
    assert months_later(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert months_later(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert months_later(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert months_later(date(2026, 12, 15), 12) == date(2027, 12, 15)
