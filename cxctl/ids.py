"""Record ids that never collide across git branches (SPEC §1).

No counter file: a time-ordered part (milliseconds, 10 Crockford base-32
characters, so ids sort by creation) and 8 random characters (40 bits).  Ids
from different people collide only if made in the same millisecond with the
same random part: about one chance in 10^12 for each such pair.  Within one
process (a bulk import) ids made in the same millisecond take the previous
random part plus one, as ULIDs do, so they never collide and keep their order.
"""
from __future__ import annotations

import re
import secrets
import threading
from datetime import datetime

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TIME_CHARS, RANDOM_CHARS = 10, 8
RANDOM_BITS = 5 * RANDOM_CHARS
ID_RE = re.compile(r"^[CTSPV]-[0-9A-Z]{2,26}$")

_last = {"millis": -1, "random": 0}
_guard = threading.Lock()


def _encode(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 32)
        chars.append(CROCKFORD[digit])
    return "".join(reversed(chars))


def _next(millis: int) -> tuple[int, int]:
    with _guard:
        if millis == _last["millis"] and _last["random"] + 1 < 1 << RANDOM_BITS:
            random = _last["random"] + 1
        else:
            # Half the range, so increments within a millisecond cannot overflow.
            random = secrets.randbits(RANDOM_BITS - 1)
        _last["millis"], _last["random"] = millis, random
    return millis, random


def new_id(prefix: str, at: datetime) -> str:
    millis, random = _next(int(at.timestamp() * 1000))
    return f"{prefix}-{_encode(millis, TIME_CHARS)}{_encode(random, RANDOM_CHARS)}"


def is_valid(record_id: str) -> bool:
    return bool(ID_RE.match(record_id))
