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
import os
import time
from pathlib import Path
from typing import Callable

from cxctl.store import parallel, progress
from cxctl.store.cachedb import CacheCorrupt, CacheDB, CacheUnavailable, decode
from cxctl.store.loader import FileEntry

RACY_NS = 2_000_000_000


def read_entries(root: Path, relpaths: list[str], reader: Callable, *,
                 use_cache: bool = True, stats: dict | None = None,
                 started: int | None = None) -> dict[str, FileEntry]:
    """With ``use_cache=False`` every file is read (still on every core) and
    the cache is neither consulted nor written.  ``stats`` are the files'
    (size, mtime_ns, ctime_ns, inode) if the caller took them while listing,
    starting at ``started`` (time.time_ns())."""
    root = Path(root)
    if stats is None or started is None:
        started = time.time_ns()
        stats = _stats(root, relpaths) if use_cache else dict.fromkeys(relpaths)
    db = _open(root) if use_cache else None
    found: dict[str, FileEntry] = {}
    upserts: list[tuple] = []
    if db is not None:
        try:
            _take_hits(db, root, stats, started, found, upserts)
        except CacheCorrupt:
            db = _rebuild(db)
            found.clear()
            upserts.clear()
        except CacheUnavailable:
            db.close()
            db = None
            found.clear()
            upserts.clear()
    misses = [p for p in relpaths if p not in found]
    with progress.bar(len(misses), "reading records") as advance:
        digests = {p: _digest(root / p) for p in misses if recent(stats[p], started)}
        for relpath, (entry, blobs) in zip(misses, parallel.read_encoded(root, misses, reader, advance)):
            found[relpath] = entry if entry is not None else decode(relpath, *blobs)
            st = stats[relpath]
            if db is not None and blobs is not None and st is not None:
                upserts.append((relpath, *st, digests.get(relpath), *blobs))
    if db is not None:
        _store(db, upserts, stats)
    return {p: found[p] for p in relpaths}


def _take_hits(db: CacheDB, root: Path, stats: dict, started: int, found: dict, upserts: list) -> None:
    """Fill ``found`` with the entries the cache holds for files as they are now."""
    get = stats.get
    try:
        for relpath, size, mtime, ctime, ino, digest, head, facts, blob, _crc in db.scan():
            st = get(relpath)
            if st is None or st != (size, mtime, ctime, ino):
                continue
            if digest is not None:          # recorded while recent: compare content
                if _digest(root / relpath) != digest:
                    continue
                if not recent(st, started):
                    upserts.append((relpath, *st, None, head, facts, blob))
            found[relpath] = decode(relpath, head, facts, blob)
    except (ValueError, EOFError, TypeError) as exc:     # a head that is not an entry's
        raise CacheCorrupt(str(exc)) from exc


def _stats(root: Path, relpaths: list[str]) -> dict[str, tuple[int, int, int, int] | None]:
    base = os.fspath(root) + os.sep
    out: dict[str, tuple[int, int, int, int] | None] = {}
    stat = os.stat
    for relpath in relpaths:
        try:
            st = stat(base + relpath)
        except OSError:
            out[relpath] = None
            continue
        out[relpath] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    return out


def recent(st, started: int) -> bool:
    """Whether a file changed so shortly before ``started`` that it could change
    again without any of its timestamps moving."""
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


def _store(db: CacheDB, upserts: list[tuple], stats: dict) -> None:
    try:
        stale = [p for p in db.stored if p not in stats]
        if upserts or stale or not db.current:
            db.write(upserts, stale)
    except CacheCorrupt:
        _rebuild(db)
    except CacheUnavailable:
        pass
    finally:
        db.close()
