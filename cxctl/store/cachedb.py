"""The parse cache's SQLite file: opening it safely, reading it whole, writing changes.

One row per record file, keyed by its path, holding what identifies the
version of the file that was read (size, mtime, ctime, inode; a content digest
when the file was too recent for timestamps to tell two versions apart) and
the entry read from it, marshalled (JSON-typed data is exactly what marshal
holds, and it is the fastest to read back), with a CRC so a damaged row is
noticed.
A ``meta`` table holds the layout version, a fingerprint of everything that
shapes an entry (cxctl's code, the schemas, the rules, the Python version)
and the row count.  A file that is not a database, is damaged or truncated,
or disagrees with its row count is deleted and rebuilt; a fingerprint from
another cxctl empties it.  Anything that stops the cache from working (a
read-only root, a lock held too long) makes the load go without it.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sqlite3
import sys
import zlib
from functools import lru_cache
from pathlib import Path

import cxctl
from cxctl import rules
from cxctl.findings import Finding
from cxctl.store import schemas
from cxctl.store.loader import FileEntry
from cxctl.ticket_index import TicketFacts

CACHE_DIR = ".cxctl-cache"
DB_NAME = "cache.sqlite"
LAYOUT = "4"
BUSY_TIMEOUT_MS = 30_000
_CORRUPT_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    relpath TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    ino INTEGER NOT NULL,
    digest BLOB,
    head BLOB NOT NULL,
    facts BLOB NOT NULL,
    data BLOB NOT NULL,
    crc INTEGER NOT NULL
);
"""


class CacheCorrupt(Exception):
    """The cache file cannot be trusted; it is deleted and rebuilt."""


class CacheUnavailable(Exception):
    """The cache cannot be used this run (read-only root, lock held too long)."""


def fingerprint() -> str:
    """Everything that shapes an entry: if any of it differs, no entry is reused."""
    h = hashlib.sha256()
    h.update(f"{LAYOUT}|{cxctl.__version__}|{sys.version_info[:2]}|{marshal.version}".encode())
    h.update(_source_digest())
    for kind in sorted(rules.RULES):
        for fn in rules.RULES[kind]:
            h.update(f"|{kind}:{fn.__module__}.{fn.__qualname__}".encode())
    return h.hexdigest()


@lru_cache(maxsize=None)
def _source_digest() -> bytes:
    h = hashlib.sha256()
    package = Path(cxctl.__file__).resolve().parent
    files = [(p.relative_to(package).as_posix(), p) for p in package.rglob("*.py")]
    files += [("schemas/" + p.name, p) for p in schemas.schema_dir().glob("*.yaml")]
    for name, path in sorted(files):
        h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.digest()


def encode(entry) -> tuple[bytes, bytes, bytes]:
    """An entry as three blobs: its kind and findings, a ticket's facts (both
    needed by every load), and its data (needed only to build the record)."""
    findings = [(f.path, f.line, f.column, f.field, f.code, f.level, f.message, f.hint, f.source_line)
                for f in entry.findings]
    return marshal.dumps((entry.kind, findings)), marshal.dumps(entry.facts), marshal.dumps(entry.data)


def decode(relpath: str, head: bytes, facts: bytes, blob: bytes) -> StoredEntry:
    # Called for every file of every load: kept flat on purpose.
    entry = _new(StoredEntry)
    kind = _CLEAN_HEADS.get(head)
    if kind is not None:            # most files: a known kind and no findings
        entry.findings = []
    else:
        kind, found = marshal.loads(head)
        if not found and isinstance(kind, str):
            _CLEAN_HEADS[head] = kind
        entry.findings = [Finding(*f) for f in found]
    entry.relpath, entry.kind, entry.blob = relpath, kind, blob
    if facts == _NO_DATA:
        entry.facts = None
    else:
        entry.facts = _loads(facts)
        if type(entry.facts) is not tuple or len(entry.facts) != _FACTS_LEN:
            raise ValueError(f"the facts of {relpath} are not a ticket's")
    return entry


_new = object.__new__
_loads = marshal.loads
_FACTS_LEN = len(TicketFacts._fields)
_CLEAN_HEADS: dict[bytes, str] = {}
_NO_DATA = marshal.dumps(None)


class StoredEntry(FileEntry):
    """An entry whose data stays marshalled until it is asked for.

    A warm load of 220 000 records then holds ~150 MB of bytes instead of
    ~1.3 GB of dicts next to the models built from them; asking for ``data``
    gives an equal, fresh value each time.
    """
    __slots__ = ("blob",)

    @property
    def data(self):
        return marshal.loads(self.blob)

    @data.setter
    def data(self, value) -> None:
        self.blob = marshal.dumps(value)

    @property
    def loaded(self) -> bool:
        return self.blob != _NO_DATA

    def __eq__(self, other):
        if not isinstance(other, FileEntry):
            return NotImplemented
        return (self.relpath, self.kind, self.findings, self.data) == \
            (other.relpath, other.kind, other.findings, other.data)

    __hash__ = None

    def __repr__(self) -> str:
        return f"StoredEntry(relpath={self.relpath!r}, kind={self.kind!r}, findings={self.findings!r})"


def row_crc(relpath: str, head: bytes, facts: bytes, blob: bytes) -> int:
    return zlib.crc32(blob, zlib.crc32(facts, zlib.crc32(head, zlib.crc32(relpath.encode()))))


def configure(conn: sqlite3.Connection) -> bool:
    """Set up a connection as every user of the cache file does: wait for a
    busy file, write-ahead logging (False if the file system cannot have it)."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
        return False
    conn.execute("PRAGMA synchronous = NORMAL")
    return True


def _is_corrupt(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and (code & 0xFF) in _CORRUPT_CODES:
        return True
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


def _cache_error(exc: sqlite3.Error) -> Exception:
    """A damaged file is rebuilt; any other SQLite trouble means going without."""
    return (CacheCorrupt if _is_corrupt(exc) else CacheUnavailable)(str(exc))


class CacheDB:
    def __init__(self, root: Path):
        self.dir = Path(root) / CACHE_DIR
        self.path = self.dir / DB_NAME
        self.conn: sqlite3.Connection | None = None
        self.current = True          # the stored fingerprint is this cxctl's
        self.stored: list[str] = []  # paths that have a row, as read by ``scan``

    # --- opening -------------------------------------------------------------

    def open(self) -> None:
        """Connect, creating the file if needed; a file that is not a usable
        cache of this layout is deleted and created again."""
        try:
            self.dir.mkdir(exist_ok=True)
            if not self.dir.is_dir():
                raise CacheUnavailable(f"{self.dir} is not a directory")
        except OSError as exc:
            raise CacheUnavailable(str(exc)) from exc
        try:
            self._connect()
        except CacheCorrupt:
            self.discard()
            self._connect()

    def _connect(self) -> None:
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise CacheUnavailable(str(exc)) from exc
        self.conn = conn
        try:
            if not configure(conn):
                raise CacheUnavailable("the cache cannot use write-ahead logging here")
            conn.executescript(_TABLES)
            meta = dict(conn.execute("SELECT key, value FROM meta"))
            if not meta:                    # a new file
                meta = {"layout": LAYOUT, "fingerprint": fingerprint()}
                self._write_meta(conn, meta["fingerprint"], 0)
            if meta.get("layout") != LAYOUT:
                raise CacheCorrupt("written with another cache layout")
            self.current = meta.get("fingerprint") == fingerprint()
        except sqlite3.Error as exc:
            self.close()
            raise _cache_error(exc) from exc
        except (CacheCorrupt, CacheUnavailable):
            self.close()
            raise

    @staticmethod
    def _write_meta(conn, fp: str, rows: int) -> None:
        conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                         [("layout", LAYOUT), ("fingerprint", fp), ("rows", str(rows))])

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except sqlite3.Error:
                pass
            self.conn = None

    def discard(self) -> None:
        """Delete the cache file (and its journal files) so it is built afresh."""
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise CacheUnavailable(str(exc)) from exc

    # --- reading -------------------------------------------------------------

    def scan(self) -> list[tuple]:
        """Every row, checked, from one snapshot:
        (relpath, size, mtime_ns, ctime_ns, ino, digest, head, facts, data, crc).
        Raises ``CacheCorrupt`` if a row or the row count is wrong."""
        self.stored = []
        if not self.current:
            return []
        try:
            self.conn.execute("BEGIN")      # one snapshot: rows and their count agree
            try:
                rows = self.conn.execute("SELECT relpath, size, mtime_ns, ctime_ns, ino, digest, "
                                         "head, facts, data, crc FROM files").fetchall()
                expected = self.conn.execute("SELECT value FROM meta WHERE key = 'rows'").fetchone()
            finally:
                self._end()
        except sqlite3.Error as exc:
            raise _cache_error(exc) from exc
        crc = zlib.crc32
        try:
            for relpath, _s, _m, _c, _i, _d, head, facts, data, stored_crc in rows:
                if crc(data, crc(facts, crc(head, crc(relpath.encode())))) != stored_crc:
                    raise CacheCorrupt(f"damaged row for {relpath}")
        except (TypeError, AttributeError) as exc:   # a value of the wrong type
            raise CacheCorrupt(str(exc)) from exc
        if expected is None or str(len(rows)) != expected[0]:
            raise CacheCorrupt("the row count does not match")
        self.stored = [row[0] for row in rows]
        return rows

    def _end(self) -> None:
        """Leave an open transaction (after an error; after COMMIT there is none)."""
        if self.conn is not None and self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    # --- writing -------------------------------------------------------------

    def write(self, upserts: list[tuple], deletes: list[str]) -> None:
        """Store changed rows and drop rows of files that are gone, in one
        transaction.  ``upserts``: (relpath, size, mtime_ns, ctime_ns, ino, digest, head, facts, data)."""
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                meta = dict(conn.execute("SELECT key, value FROM meta"))
                if meta.get("fingerprint") != fingerprint():
                    conn.execute("DELETE FROM files")
                conn.executemany(
                    "INSERT OR REPLACE INTO files (relpath, size, mtime_ns, ctime_ns, ino, digest, "
                    "head, facts, data, crc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(*row, row_crc(row[0], row[6], row[7], row[8])) for row in upserts])
                conn.executemany("DELETE FROM files WHERE relpath = ?", [(p,) for p in deletes])
                count = conn.execute("SELECT count(*) FROM files").fetchone()[0]
                self._write_meta(conn, fingerprint(), count)
                conn.execute("COMMIT")
            finally:
                self._end()
        except sqlite3.Error as exc:
            raise _cache_error(exc) from exc
