"""Reporting months (SPEC 1: months are taken in the calendar's time zone)."""
from datetime import date, datetime, timedelta, timezone

import pytest

from cxctl.calendar import BusinessCalendar
from cxctl.months import Month
from cxctl.store.loader import DEFAULTS, check_bytes

CALENDAR = BusinessCalendar.from_dict(check_bytes(
    (DEFAULTS / "calendars" / "cn-mainland.yaml").read_bytes(), "calendars/cn-mainland.yaml", "calendar").data)

CST = timezone(timedelta(hours=8))


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "26-10", "2026/10", "", "0000-05",
                                  "1899-12", "2201-01", "9999-12"])
def test_bad_months_are_refused_with_a_reason(text):
    with pytest.raises(ValueError, match="month|range"):
        Month.parse(text)


def test_the_first_and_last_years_records_may_use_are_months_too():
    assert Month.parse("1900-01").first_day == date(1900, 1, 1)
    assert Month.parse("2200-12").last_day == date(2200, 12, 31)


def test_parse_and_arithmetic_across_years():
    m = Month.parse("2026-12")
    assert str(m) == "2026-12" and str(m.plus(1)) == "2027-01" and str(m.plus(-12)) == "2025-12"
    assert m.last_day == date(2026, 12, 31) and Month(2028, 2).last_day == date(2028, 2, 29)


def test_month_runs_from_local_midnight_to_local_midnight():
    nov = Month(2026, 11)
    assert nov.start(CALENDAR) == datetime(2026, 11, 1, tzinfo=CST)
    assert nov.end(CALENDAR) == datetime(2026, 12, 1, tzinfo=CST)
    # 2026-11-30T16:00Z is already December 1st in Shanghai
    assert not nov.contains(CALENDAR.local_date(datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)))
    assert nov.contains(CALENDAR.local_date(datetime(2026, 11, 30, 15, 59, tzinfo=timezone.utc)))


@pytest.mark.parametrize("month, quarter, first", [
    ("2026-01", "2025-Q4", "2025-10"), ("2026-03", "2025-Q4", "2025-10"),
    ("2026-04", "2026-Q1", "2026-01"), ("2026-10", "2026-Q3", "2026-07"),
    ("2026-12", "2026-Q3", "2026-07"),
])
def test_previous_calendar_quarter(month, quarter, first):
    label, months = Month.parse(month).previous_quarter()
    assert label == quarter and [str(m) for m in months][0] == first and len(months) == 3
