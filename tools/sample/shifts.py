"""Who works which desk shift (early until ~14:00, late until ~22:00)."""
from __future__ import annotations

from datetime import date, datetime, time

from .clock import TZ
from .people import CONTROL_ROOM, DUTY_LEADS

_MAIN_PAIRS = [(("S-014", "S-015"), ("S-016", "S-017")), (("S-016", "S-017"), ("S-014", "S-015")),
               (("S-014", "S-016"), ("S-015", "S-017")), (("S-015", "S-017"), ("S-014", "S-016"))]
_NORTH = ["S-019", "S-020", "S-021"]
LEAVER_LAST_DAY = date(2026, 9, 30)       # S-018 worked main-desk late shifts until then


def crew(desk: str, d: date) -> tuple[list[str], list[str]]:
    """(early staff, late staff) of a desk on a day."""
    k = d.toordinal()
    if desk == "main":
        early, late = (list(x) for x in _MAIN_PAIRS[k % 4])
        if d <= LEAVER_LAST_DAY and k % 2 == 0:
            late.append("S-018")
        return early, late
    return [_NORTH[k % 3]], [_NORTH[(k + 1) % 3]]


def duty_lead(d: date) -> str:
    return DUTY_LEADS[d.toordinal() % 2]


def control_room(d: date) -> str:
    return CONTROL_ROOM[d.toordinal() % 2]


def on_shift(desk: str, moment: datetime) -> list[str]:
    local = moment.astimezone(TZ)
    early, late = crew(desk, local.date())
    return early if local.time() < time(14, 0) else late
