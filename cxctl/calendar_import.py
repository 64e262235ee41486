"""Build a calendar dict (SPEC 1.5) for one country and year from the ``holidays`` package.

The result is meant for review in git: people check it against the official
notice and edit it by hand when the schedule changes.  For countries with
make-up working days (China's 调休), the package only knows a year in full once
the official notice is in its data; until then the year is ``provisional``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays

from cxctl.calendar import DEFAULT_CUTOFF, WEEKDAY_NAMES, zone_or_none

# Zones for countries with one civil time zone; others need --timezone.
COUNTRY_ZONES = {"CN": "Asia/Shanghai", "HK": "Asia/Hong_Kong", "MO": "Asia/Macau", "TW": "Asia/Taipei",
                 "DE": "Europe/Berlin", "JP": "Asia/Tokyo", "KR": "Asia/Seoul", "SG": "Asia/Singapore"}
COUNTRY_NAMES = {"CN": "cn-mainland"}


class ImportProblem(ValueError):
    """The import cannot produce a calendar (unknown country, zone or year)."""


@dataclass
class ImportedCalendar:
    data: dict                                           # the calendar dict, schema-valid
    names: dict[date, str] = field(default_factory=dict)  # holiday / make-up day -> label
    provisional: bool = False


def _year_is_known(calendar: holidays.HolidayBase, year: int, names: dict[date, str]) -> bool:
    """Whether the package has the official schedule of ``year``.

    Lunar-calendar dates beyond the package's tables are marked "estimated";
    a country that moves working days to weekends publishes them each year,
    and the package lists them as special holidays of that year once known.
    """
    if any("estimated" in name.lower() for name in names.values()):
        return False
    if getattr(calendar, "has_substituted_holidays", False):
        specials = getattr(calendar, "special_public_holidays", None) or {}
        return year in specials
    return True


def import_calendar(country: str, year: int, *, name: str | None = None,
                    timezone: str | None = None, cutoff: str = DEFAULT_CUTOFF,
                    merge_into: dict | None = None) -> ImportedCalendar:
    """A calendar for ``country`` covering ``year``.

    ``merge_into`` is an existing calendar dict: its other years are kept, the
    imported year replaces its entries for that year.
    """
    code = country.upper()
    if code not in holidays.list_supported_countries():
        raise ImportProblem(f"the holidays package knows no country {country!r}")
    source = holidays.country_holidays(code, years=year, language="en_US")
    zone = timezone or (merge_into or {}).get("timezone") or COUNTRY_ZONES.get(code)
    if zone is None:
        raise ImportProblem(f"no default time zone for {code}; give one with --timezone")
    if zone_or_none(zone) is None:
        raise ImportProblem(f"unknown time zone {zone!r}")

    weekend = set(getattr(source, "weekend", {5, 6}))
    first, last = date(year, 1, 1), date(year, 12, 31)
    names: dict[date, str] = {}
    holiday_days, makeup_days = [], []
    day = first
    while day <= last:
        if day in source:
            holiday_days.append(day)
            names[day] = "; ".join(source.get_list(day))
        elif day.weekday() in weekend and source.is_working_day(day):
            makeup_days.append(day)
            names[day] = "make-up working day"
        day += timedelta(days=1)
    known = _year_is_known(source, year, names)

    base = dict(merge_into or {})
    keep = [d for d in base.get("holidays", []) if str(d)[:4] != str(year)]
    keep_work = [d for d in base.get("workdays", []) if str(d)[:4] != str(year)]
    provisional = {int(y) for y in base.get("provisional", [])} - {year}
    if not known:
        provisional.add(year)
    data = {
        "name": base.get("name") or name or COUNTRY_NAMES.get(code, code.lower()),
        "timezone": zone,
        "workweek": base.get("workweek") or [WEEKDAY_NAMES[i] for i in range(7) if i not in weekend],
        "day_cutoff": base.get("day_cutoff", cutoff),
        "holidays": sorted({str(d) for d in keep} | {d.isoformat() for d in holiday_days}),
        "workdays": sorted({str(d) for d in keep_work} | {d.isoformat() for d in makeup_days}),
    }
    for optional in ("description", "hours"):
        if base.get(optional):
            data[optional] = base[optional]
    if provisional:
        data["provisional"] = sorted(provisional)
    return ImportedCalendar(data=data, names=names, provisional=not known)
