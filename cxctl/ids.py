"""Record ids that never collide across git branches (SPEC §1).

No counter file: a time-ordered part (milliseconds, 10 Crockford base-32
characters, so ids sort by creation) and 6 random characters (30 bits).  Two
ids collide only if made in the same millisecond with the same random part:
at a million records a year that is about one chance in 10^12.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TIME_CHARS, RANDOM_CHARS = 10, 6
ID_RE = re.compile(r"^[CTSPV]-[0-9A-Z]{2,26}$")


def _encode(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 32)
        chars.append(CROCKFORD[digit])
    return "".join(reversed(chars))


def new_id(prefix: str, at: datetime) -> str:
    millis = int(at.timestamp() * 1000)
    return f"{prefix}-{_encode(millis, TIME_CHARS)}{_encode(secrets.randbits(5 * RANDOM_CHARS), RANDOM_CHARS)}"


def is_valid(record_id: str) -> bool:
    return bool(ID_RE.match(record_id))
