"""How entries are obtained for a load: the seam where the parse cache sits.

``read_tree`` lists the files and returns, for every one, exactly what
``reader`` would return for the file as it is now.  A file whose size,
mtime, ctime and inode are those recorded when it was last read is taken
from the cache (``cachedb``); every other file is read again, on all cores
when there are many (``parallel``), and the cache is brought up to date in
one transaction, dropping files that are gone.

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
from cxctl.store.cachedb import CACHE_DIR, DB_NAME, CacheCorrupt, CacheDB, CacheUnavailable, decode
from cxctl.store.loader import FileEntry

RACY_NS = 2_000_000_000


def read_tree(root: Path, lister: Callable, reader: Callable, *, use_cache: bool = True,
              started: int | None = None) -> tuple[list[tuple[str, tuple | None]], dict[str, FileEntry]]:
    """The files ``lister(root)`` lists, as (relpath, key) pairs, and the entry
    of each, exactly as ``reader`` would give it for the file as it is now.

    ``started`` is when the listing began (time.time_ns()).  With
    ``use_cache=False`` every file is read (still on every core) and the
    cache is neither consulted nor written.  With a big cache, the tree is
    listed in a child process on the other core while this one reads the
    cache: the two take about as long, and neither needs the other until
    the entries are matched to the files.
    """
    root = Path(root)
    started = time.time_ns() if started is None else started
    if not use_cache:
        files = lister(root)
        relpaths = [p for p, _ in files]
        return files, _read_misses(root, relpaths, dict.fromkeys(relpaths), reader, None, {}, [], started)
    pending = parallel.start_in_child(lister, root) if _cache_size(root) >= LIST_APART_MIN else None
    with parallel.cancelled_on_error(pending):
        db, rows, stored = _read_cache(root)
        files = pending.result() if pending is not None else None
    if files is None:
        files = lister(root)
    stats = dict(files)
    found: dict[str, FileEntry] = {}
    upserts: list[tuple] = []
    _take_hits(rows, stored, root, stats, started, found, upserts)
    relpaths = [p for p, _ in files]
    entries = _read_misses(root, relpaths, stats, reader, db, found, upserts, started)
    if db is not None:
        _store(db, upserts, stats)
    return files, entries


def _read_cache(root: Path) -> tuple[CacheDB | None, list[tuple], dict[str, FileEntry]]:
    """The open cache, its rows, and the entry each row holds (decoded while
    the listing may still run: most will be hits)."""
    db = _open(root)
    if db is None:
        return None, [], {}
    try:
        rows = db.scan()
        return db, rows, {row[0]: decode(row[0], row[6], row[7], row[8]) for row in rows}
    except CacheCorrupt:
        return _rebuild(db), [], {}
    except CacheUnavailable:
        db.close()
        return None, [], {}
    except (ValueError, EOFError, TypeError):      # a head that is not an entry's
        return _rebuild(db), [], {}


# A cache file at least this big (about 20 000 files) has the tree listed on
# the other core; for a smaller one, starting a process costs more than it saves.
LIST_APART_MIN = 16 * 1024 * 1024


def _cache_size(root: Path) -> int:
    try:
        return os.stat(root / CACHE_DIR / DB_NAME).st_size
    except OSError:
        return 0


def _read_misses(root: Path, relpaths: list[str], stats: dict, reader: Callable, db: CacheDB | None,
                 found: dict, upserts: list, started: int) -> dict[str, FileEntry]:
    """Read every file ``found`` has no entry for, queueing cache rows for them."""
    misses = [p for p in relpaths if p not in found]
    with progress.bar(len(misses), "reading records") as advance:
        digests = {p: _digest(root / p) for p in misses if recent(stats[p], started)}
        for relpath, (entry, blobs) in zip(misses, parallel.read_encoded(root, misses, reader, advance)):
            found[relpath] = entry if entry is not None else decode(relpath, *blobs)
            st = stats[relpath]
            if db is not None and blobs is not None and st is not None:
                upserts.append((relpath, *st, digests.get(relpath), *blobs))
    return {p: found[p] for p in relpaths}


def _take_hits(rows: list[tuple], stored: dict[str, FileEntry], root: Path, stats: dict, started: int,
               found: dict, upserts: list) -> None:
    """Fill ``found`` with the entries the cache holds (``stored``, decoded
    from ``rows``) for files as they are now."""
    get = stats.get
    for relpath, size, mtime, ctime, ino, digest, head, facts, blob, _crc in rows:
        st = get(relpath)
        if st is None or st != (size, mtime, ctime, ino):
            continue
        if digest is not None:          # recorded while recent: compare content
            if _digest(root / relpath) != digest:
                continue
            if not recent(st, started):
                upserts.append((relpath, *st, None, head, facts, blob))
        found[relpath] = stored[relpath]


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
