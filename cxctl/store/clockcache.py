"""Settled SLA clocks kept per ticket file, next to the parse cache.

A ticket whose clocks have all stopped, evaluated at or after its last event,
has the same clocks at every later moment (``sla.settled_since``), as long as
the ticket file, the SLA policy, the calendars and the settings are those they
were computed from.  This module keeps such clocks in a ``clocks`` table of the
parse cache's SQLite file: one row per ticket file, holding the file's key (as
the caller identifies a version of the file), a fingerprint of everything else
the clocks depend on, the settled moment and the clock rows, marshalled, with
a CRC so a damaged row is noticed and left unused.

The cache is only ever an aid: nothing here raises.  No file means nothing is
read and nothing written (the parse cache creates the file; ``--no-cache``
uses neither); a damaged, busy, locked or read-only file means going without.
"""
from __future__ import annotations

import hashlib
import json
import marshal
import os
import sqlite3
import zlib
import zoneinfo
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

from cxctl.store import cachedb
from cxctl.store.cachedb import BUSY_TIMEOUT_MS, CACHE_DIR, DB_NAME, _is_corrupt, configure
from cxctl.store.gcpause import collector_paused

# A ticket's clocks, in whatever form the caller keeps them: anything marshal holds.
Clocks = object

# data: (settled moment as epoch seconds, clock rows), marshalled; crc: of
# relpath and data.  A damaged key or fingerprint cannot match the file it
# names, so it only costs a miss.
_TABLE = """
CREATE TABLE IF NOT EXISTS clocks (
    relpath TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    ino INTEGER NOT NULL,
    fp TEXT NOT NULL,
    data BLOB NOT NULL,
    crc INTEGER NOT NULL
)
"""


def clock_fingerprint(policy: dict, calendars: dict, settings: dict) -> str:
    """What, besides the ticket file, shapes a ticket's clocks: cxctl's code and
    schemas, the time-zone rules, the SLA policy, the calendars and the settings."""
    inputs = json.dumps([policy, calendars, settings], sort_keys=True, ensure_ascii=False,
                        separators=(",", ":"), default=_tagged)
    h = hashlib.sha256(cachedb.fingerprint().encode())
    h.update(b"\0clocks\0" + _tz_version().encode() + b"\0" + inputs.encode())
    return h.hexdigest()


@lru_cache(maxsize=None)
def _tz_version() -> str:
    """The time-zone rules in use: new rules can move a deadline in a calendar's zone."""
    found = []
    for folder in zoneinfo.TZPATH:
        try:
            with open(os.path.join(folder, "tzdata.zi"), encoding="utf-8") as f:
                found.append(f"{folder}:{f.readline().strip()}")
        except (OSError, UnicodeDecodeError):
            continue
    try:
        found.append(f"tzdata:{metadata.version('tzdata')}")
    except metadata.PackageNotFoundError:
        pass
    return "|".join(found)


def _tagged(value) -> str:
    # Inputs are meant to be JSON-typed; anything else still fingerprints by its
    # type and text rather than failing.
    return f"{type(value).__module__}.{type(value).__qualname__}:{value}"


def row_crc(relpath: str, data: bytes) -> int:
    return zlib.crc32(data, zlib.crc32(relpath.encode()))


def read(root: Path, fp: str, keys: dict[str, tuple]) -> dict[str, tuple[float, Clocks]]:
    """(settled moment as epoch seconds, clock rows) for each path in ``keys``
    whose stored row was written for that file key and fingerprint ``fp``.

    One pass over the table.  A row that fails its CRC or does not decode is
    left out; a file that is missing, damaged or unusable gives {}."""
    if not keys:
        return {}
    with collector_paused():
        return _read(root, fp, keys)


def _read(root: Path, fp: str, keys: dict[str, tuple]) -> dict[str, tuple[float, Clocks]]:
    conn = _connect(root)
    if conn is None:
        return {}
    found: dict[str, tuple[float, Clocks]] = {}
    loads, crc32, get = marshal.loads, zlib.crc32, keys.get
    try:
        cur = conn.execute("SELECT relpath, size, mtime_ns, ctime_ns, ino, data, crc FROM clocks "
                           "WHERE fp = ?", (fp,))
        for relpath, size, mtime, ctime, ino, data, crc in cur:
            if get(relpath) != (size, mtime, ctime, ino):
                continue
            try:
                # row_crc, inlined: it runs once per ticket.
                if crc32(data, crc32(relpath.encode())) != crc:
                    continue
                settled, rows = loads(data)
                if type(settled) is float:
                    found[relpath] = (settled, rows)
            except (TypeError, ValueError, EOFError, AttributeError):   # a wrong type
                continue
    except sqlite3.Error:
        return {}
    finally:
        conn.close()
    return found


def write(root: Path, fp: str, items: list[tuple[str, tuple, float, Clocks]], live: set[str]) -> None:
    """Store ``items`` (relpath, file key, settled epoch seconds, clock rows) in one
    transaction, and drop every row of another fingerprint or of a path that is
    neither in ``live`` nor among ``items`` (files that are gone).

    An item that cannot be marshalled is left out.  Nothing is written when
    the cache file does not exist; a busy, locked, read-only or damaged file is
    left as it is (a damaged ``clocks`` table is dropped if that is possible)."""
    rows = []
    for item in items:
        try:
            relpath, key, settled, clock_rows = item
            size, mtime, ctime, ino = (int(k) for k in key)
            data = marshal.dumps((float(settled), clock_rows))
            rows.append((relpath, size, mtime, ctime, ino, fp, data, row_crc(relpath, data)))
        except (TypeError, ValueError, AttributeError):
            continue
    conn = _connect(root)
    if conn is None:
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(_TABLE)
        conn.execute("DELETE FROM clocks WHERE fp != ?", (fp,))
        keep = set(live) | {r[0] for r in rows}
        gone = [(p,) for (p,) in conn.execute("SELECT relpath FROM clocks") if p not in keep]
        conn.executemany("DELETE FROM clocks WHERE relpath = ?", gone)
        conn.executemany("INSERT OR REPLACE INTO clocks (relpath, size, mtime_ns, ctime_ns, ino, fp, "
                         "data, crc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        _rollback(conn)
        if _is_corrupt(exc) or "column" in str(exc):    # damaged, or of another layout
            _drop(conn)
    finally:
        conn.close()


def _connect(root: Path) -> sqlite3.Connection | None:
    """The existing cache file, set up as the parse cache sets it up; None when
    there is none or it cannot be used."""
    try:
        path = (Path(root) / CACHE_DIR / DB_NAME).resolve()
        if not path.is_file():
            return None
        # mode=rw: never create the file; the parse cache owns its creation.
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True,
                               timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
    except (sqlite3.Error, OSError, ValueError):
        return None
    try:
        wal = configure(conn)
    except sqlite3.Error:
        wal = False
    if not wal:
        conn.close()
        return None
    return conn


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def _drop(conn: sqlite3.Connection) -> None:
    """A damaged table is removed so the next run starts it afresh; if even that
    fails the damage is in the file, which the parse cache rebuilds."""
    try:
        conn.execute("DROP TABLE IF EXISTS clocks")
    except sqlite3.Error:
        pass
