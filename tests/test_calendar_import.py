"""`calendar import --country CN --year Y` data (SPEC 1.5), from the holidays package."""
from datetime import date, timedelta
from pathlib import Path

import jsonschema_rs
import pytest
import yaml

from cxctl.calendar import BusinessCalendar, calendar_problems
from cxctl.calendar_import import ImportProblem, import_calendar

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def schema():
    raw = yaml.load((REPO / "schemas/calendar.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return jsonschema_rs.validator_for(raw, validate_formats=True)


@pytest.fixture(scope="module")
def shipped():
    raw = yaml.load((REPO / "cxctl/defaults/calendars/cn-mainland.yaml").read_text(encoding="utf-8"),
                    Loader=yaml.CSafeLoader)
    return BusinessCalendar.from_dict(raw)


def test_2026_has_the_national_day_week_and_its_make_up_days(schema):
    imported = import_calendar("CN", 2026)
    data = imported.data
    assert schema.is_valid(data) and calendar_problems(data) == []
    assert (data["name"], data["timezone"], data["day_cutoff"]) == ("cn-mainland", "Asia/Shanghai", "16:30")
    assert {"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"} <= set(data["holidays"])
    assert data["workdays"] == ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
    assert not imported.provisional and "provisional" not in data
    assert imported.names[date(2026, 10, 10)] == "make-up working day"


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_import_agrees_with_the_shipped_calendar_on_every_day(shipped, year):
    imported = BusinessCalendar.from_dict(import_calendar("CN", year).data)
    day, differ = date(year, 1, 1), []
    while day.year == year:
        if imported.is_working_day(day) != shipped.is_working_day(day):
            differ.append(day)
        day += timedelta(days=1)
    assert differ == []


def test_year_without_official_schedule_is_provisional(schema):
    imported = import_calendar("CN", 2027)
    assert imported.provisional and imported.data["provisional"] == [2027]
    assert imported.data["workdays"] == []
    assert schema.is_valid(imported.data)


def test_reimport_replaces_only_that_year():
    existing = import_calendar("CN", 2025).data
    existing["day_cutoff"] = "17:00"
    merged = import_calendar("CN", 2026, merge_into=existing).data
    assert "2025-10-08" in merged["holidays"] and "2026-10-07" in merged["holidays"]
    assert "2025-09-28" in merged["workdays"] and "2026-09-20" in merged["workdays"]
    assert merged["day_cutoff"] == "17:00"
    # A provisional year becomes final when the package knows it.
    final = import_calendar("CN", 2026, merge_into={**existing, "provisional": [2026, 2027]}).data
    assert final["provisional"] == [2027]


def test_unknown_country_or_zone_is_a_clear_problem():
    with pytest.raises(ImportProblem, match="knows no country"):
        import_calendar("XX", 2026)
    with pytest.raises(ImportProblem, match="unknown time zone"):
        import_calendar("CN", 2026, timezone="Asia/Beijing")
    with pytest.raises(ImportProblem, match="--timezone"):
        import_calendar("US", 2026)
