"""How entries are obtained for a load: the seam where the parse cache sits.

``read_entries`` returns, for every path, exactly what ``reader`` would return
for the file as it is now.  A file whose size, mtime, ctime and inode are those
recorded when it was last read is taken from the cache (``cachedb``); every
other file is read again, on all cores when there are many (``parallel``),
and the cache is brought up to date in one transaction, dropping files that
are gone.

A file changed within a few seconds of being read might be changed again
without any timestamp moving (coarse file-system clocks), so for such recent
files the cache also keeps a digest of the content and checks it; once the
file is older than that, the digest is dropped and timestamps suffice.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import time
from pathlib import Path
from typing import Callable

from cxctl.findings import Finding
from cxctl.store import parallel, progress
from cxctl.store.cachedb import CacheCorrupt, CacheDB, CacheUnavailable
from cxctl.store.loader import FileEntry

RACY_NS = 2_000_000_000


def read_entries(root: Path, relpaths: list[str], reader: Callable, *,
                 use_cache: bool = True) -> dict[str, FileEntry]:
    """With ``use_cache=False`` every file is read (still on every core) and
    the cache is neither consulted nor written."""
    root = Path(root)
    started = time.time_ns()
    stats = {p: _stat(root / p) for p in relpaths} if use_cache else dict.fromkeys(relpaths)
    db = _open(root) if use_cache else None
    found: dict[str, FileEntry] = {}
    upserts: list[tuple] = []
    misses = list(relpaths)
    if db is not None:
        try:
            misses = _take_hits(db, root, relpaths, stats, started, found, upserts)
        except CacheCorrupt:
            db = _rebuild(db)
            found.clear()
            upserts.clear()
    with progress.bar(len(misses), "reading records") as advance:
        digests = {p: _digest(root / p) for p in misses if _racy(stats[p], started)}
        for relpath, (entry, payload) in zip(misses, parallel.read_encoded(root, misses, reader, advance)):
            found[relpath] = entry if entry is not None else decode(relpath, payload)
            st = stats[relpath]
            if db is not None and payload is not None and st is not None:
                upserts.append((relpath, *st, digests.get(relpath), payload))
    if db is not None:
        _store(db, upserts, relpaths)
    return {p: found[p] for p in relpaths}


def decode(relpath: str, payload: bytes) -> FileEntry:
    kind, data, findings = marshal.loads(payload)
    return FileEntry(relpath, kind, data, [Finding(*f) for f in findings])


def _take_hits(db: CacheDB, root: Path, relpaths: list[str], stats: dict, started: int,
               found: dict, upserts: list) -> list[str]:
    """Fill ``found`` with cache hits; return the paths that must be read."""
    rows = db.rows()
    misses = []
    try:
        for relpath in relpaths:
            row, st = rows.get(relpath), stats[relpath]
            if row is None or st is None or row[:4] != st:
                misses.append(relpath)
                continue
            if row[4] is not None:          # recorded while recent: compare content
                if _digest(root / relpath) != row[4]:
                    misses.append(relpath)
                    continue
                if not _racy(st, started):
                    upserts.append((relpath, *st, None, row[5]))
            found[relpath] = decode(relpath, row[5])
    except (ValueError, EOFError, TypeError) as exc:     # a payload that is not an entry
        raise CacheCorrupt(str(exc)) from exc
    return misses


def _stat(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def _racy(st, started: int) -> bool:
    return st is not None and max(st[1], st[2]) >= started - RACY_NS


def _digest(path: Path) -> bytes | None:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
    except OSError:
        return None


def _open(root: Path) -> CacheDB | None:
    db = CacheDB(root)
    try:
        db.open()
    except CacheUnavailable:
        return None
    return db


def _rebuild(db: CacheDB) -> CacheDB | None:
    try:
        db.discard()
        db.open()
    except CacheUnavailable:
        return None
    return db


def _store(db: CacheDB, upserts: list[tuple], relpaths: list[str]) -> None:
    try:
        present = set(relpaths)
        stale = [p for p in db.stored if p not in present]
        if upserts or stale or not db.current:
            db.write(upserts, stale)
    except CacheCorrupt:
        _rebuild(db)
    except CacheUnavailable:
        pass
    finally:
        db.close()
