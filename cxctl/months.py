"""Calendar months (``YYYY-MM``) as reporting periods.

A month is taken in a calendar's time zone (SPEC 1): October 2026 in
Asia/Shanghai runs from 2026-10-01T00:00+08:00 up to, not including,
2026-11-01T00:00+08:00.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from cxctl.calendar import BusinessCalendar
from cxctl.store.yamlread import MAX_YEAR, MIN_YEAR

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True, slots=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """``2026-10`` -> Month(2026, 10); ValueError with a readable reason otherwise."""
        m = _MONTH.match(text.strip()) if isinstance(text, str) else None
        if not m:
            raise ValueError(f"'{text}' is not a month; write YYYY-MM, e.g. 2026-10")
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"'{text}' is not a month: there is no month {month:02d} "
                             f"(months run 01 to 12)")
        if not MIN_YEAR <= year <= MAX_YEAR:
            # Records are bounded to these years too; beyond them date arithmetic overflows.
            raise ValueError(f"'{text}' is out of range: years run {MIN_YEAR} to {MAX_YEAR}")
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def plus(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.plus(1).first_day - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return (day.year, day.month) == (self.year, self.month)

    def start(self, calendar: BusinessCalendar) -> datetime:
        """The first moment of the month in the calendar's time zone."""
        return calendar.wall(self.first_day, time(0))

    def end(self, calendar: BusinessCalendar) -> datetime:
        """The first moment of the next month: the month is everything before it."""
        return self.plus(1).start(calendar)

    def previous_quarter(self) -> tuple[str, list[Month]]:
        """The calendar quarter before this month's quarter: its label and its months."""
        first_of_this = Month(self.year, (self.month - 1) // 3 * 3 + 1)
        first = first_of_this.plus(-3)
        label = f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}"
        return label, [first, first.plus(1), first.plus(2)]
