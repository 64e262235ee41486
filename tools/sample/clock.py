"""Time helpers for scheduling sample events: local zone, working days, ids.

The generator only needs working days to *schedule* realistic on-time and late
cases with a wide margin; the exact deadlines are the SLA module's business.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

TZ = timezone(timedelta(hours=8))          # Asia/Shanghai has no DST
AS_OF = datetime(2026, 11, 20, 15, 0, tzinfo=TZ)      # the demo's evaluation moment
SNAPSHOT = datetime(2026, 11, 20, 17, 0, tzinfo=TZ)   # nothing in the sample happens later
FIRST_DAY = date(2026, 5, 1)
LAST_DAY = date(2026, 11, 20)
CUTOFF = time(16, 30)

# Official 2026 mainland schedule (days off incl. weekends inside a break, make-up days).
_HOLIDAY_RANGES = [
    ("2026-01-01", "2026-01-03"), ("2026-02-15", "2026-02-23"), ("2026-04-04", "2026-04-06"),
    ("2026-05-01", "2026-05-05"), ("2026-06-19", "2026-06-21"), ("2026-09-25", "2026-09-27"),
    ("2026-10-01", "2026-10-07"),
]
HOLIDAYS = frozenset(
    date.fromisoformat(a) + timedelta(days=i)
    for a, b in _HOLIDAY_RANGES
    for i in range((date.fromisoformat(b) - date.fromisoformat(a)).days + 1)
)
MAKEUP_DAYS = frozenset(date.fromisoformat(d) for d in (
    "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"))


def at(d: date, hh: int, mm: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hh, mm, tzinfo=TZ)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=round(n))


def hours(n: float) -> timedelta:
    return timedelta(minutes=round(n * 60))


def is_working_day(d: date) -> bool:
    if d in MAKEUP_DAYS:
        return True
    return d.weekday() < 5 and d not in HOLIDAYS


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after local date ``d``."""
    while n > 0:
        d += timedelta(days=1)
        if is_working_day(d):
            n -= 1
    return d


def working_deadline(start: datetime, n: int) -> datetime:
    """Cut-off of the n-th working day after the start's local date."""
    d = add_working_days(start.astimezone(TZ).date(), n)
    return at(d, CUTOFF.hour, CUTOFF.minute)


def in_open_hours(moment: datetime, rng) -> datetime:
    """Staff act while the mall is staffed (08:30-22:00); later work waits for the morning."""
    local = moment.astimezone(TZ)
    if local.time() >= time(22, 0):
        nxt = local.date() + timedelta(days=1)
        return at(nxt, 8, 30) + minutes(rng.uniform(0, 70))
    if local.time() < time(8, 30):
        return at(local.date(), 8, 30) + minutes(rng.uniform(0, 70))
    return local.replace(second=0, microsecond=0)


def daytime_on(d: date, rng, start=(9, 0), end=(18, 0)) -> datetime:
    lo = start[0] * 60 + start[1]
    hi = end[0] * 60 + end[1]
    m = rng.randrange(lo, hi)
    return at(d, m // 60, m % 60)


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def time_part(moment: datetime) -> str:
    """ULID-style 10-character time prefix (milliseconds since the epoch)."""
    ms = int(moment.timestamp() * 1000)
    out = []
    for _ in range(10):
        out.append(CROCKFORD[ms % 32])
        ms //= 32
    return "".join(reversed(out))


def random_part(rng, n: int) -> str:
    return "".join(rng.choice(CROCKFORD) for _ in range(n))


def generated_id(prefix: str, moment: datetime, rng, n_random: int = 4) -> str:
    return f"{prefix}-{time_part(moment)}{random_part(rng, n_random)}"
