"""The settled-clocks cache: what is read back is exactly what was written for
the same file version and fingerprint, anything else misses, and a damaged,
missing, busy or read-only cache is never trusted and never raises."""
from __future__ import annotations

import marshal
import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest

from cxctl.store import cachedb, clockcache

DB = Path(cachedb.CACHE_DIR) / cachedb.DB_NAME
FP = clockcache.clock_fingerprint({"targets": {}}, {"cn": {"name": "cn"}}, {"timezone": "Asia/Shanghai"})
ROWS_A = [("met", False, '{"ticket": "T-A", "metric": "resolve", "cycle": 1}'),
          ("breached", False, '{"ticket": "T-A", "metric": "age", "cycle": 1, "note": "迟"}')]
ROWS_B = [("met", False, '{"ticket": "T-B", "metric": "dispatch", "cycle": 1}')]
KEY_A, KEY_B = (120, 1_700_000_000_000_000_001, 1_700_000_000_000_000_002, 11), (80, 5, 6, 12)
A, B = "tickets/2026/11/T-A.yaml", "tickets/2026/11/T-B.yaml"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A records root whose parse cache file exists, created as the parse cache creates it."""
    db = cachedb.CacheDB(tmp_path)
    db.open()
    db.close()
    return tmp_path


def stored(root: Path) -> list[str]:
    with sqlite3.connect(root / DB) as conn:
        return sorted(r[0] for r in conn.execute("SELECT relpath FROM clocks"))


def write_ab(root: Path, fp: str = FP) -> None:
    clockcache.write(root, fp, [(A, KEY_A, 1762232400.0, ROWS_A), (B, KEY_B, 1762232460.5, ROWS_B)], {A, B})


def test_round_trip_gives_back_exactly_what_was_written(root):
    write_ab(root)
    assert clockcache.read(root, FP, {A: KEY_A, B: KEY_B}) == {
        A: (1762232400.0, ROWS_A), B: (1762232460.5, ROWS_B)}
    got = clockcache.read(root, FP, {A: KEY_A})
    assert list(got) == [A]                      # only the paths asked for
    assert got[A][1][0][1] is False              # bools stay bools
    # The parse cache's own table is untouched and its file still opens as its cache.
    db = cachedb.CacheDB(root)
    db.open()
    assert db.current and list(db.scan()) == []
    db.close()


def test_a_changed_file_key_or_fingerprint_misses_only_that(root):
    write_ab(root)
    moved = (KEY_A[0], KEY_A[1] + 1, *KEY_A[2:])           # mtime one nanosecond later
    assert clockcache.read(root, FP, {A: moved, B: KEY_B}) == {B: (1762232460.5, ROWS_B)}
    assert clockcache.read(root, FP, {A: (121, *KEY_A[1:])}) == {}
    other = clockcache.clock_fingerprint({"targets": {"all": {}}}, {"cn": {"name": "cn"}},
                                         {"timezone": "Asia/Shanghai"})
    assert clockcache.read(root, other, {A: KEY_A, B: KEY_B}) == {}


def test_fingerprint_covers_each_input_and_the_code_but_not_key_order(monkeypatch):
    policy, cals, settings = {"targets": {"a": 1}, "warning": {"ratio": 0.2}}, {"cn": {"x": [1]}}, {"tz": "X"}
    base = clockcache.clock_fingerprint(policy, cals, settings)
    assert clockcache.clock_fingerprint(dict(reversed(policy.items())), cals, settings) == base
    assert len({base,
                clockcache.clock_fingerprint({**policy, "warning": {"ratio": 0.3}}, cals, settings),
                clockcache.clock_fingerprint(policy, {"cn": {"x": [2]}}, settings),
                clockcache.clock_fingerprint(policy, cals, {"tz": "Y"}),
                clockcache.clock_fingerprint(cals, policy, settings)}) == 5
    monkeypatch.setattr(cachedb, "_source_digest", lambda: b"other code")
    assert clockcache.clock_fingerprint(policy, cals, settings) != base
    monkeypatch.undo()
    assert clockcache.clock_fingerprint(policy, cals, settings) == base
    monkeypatch.setattr(clockcache, "_tz_version", lambda: "# version 2099z")
    assert clockcache.clock_fingerprint(policy, cals, settings) != base


def test_time_zone_rules_are_named_by_their_version():
    version = clockcache._tz_version.__wrapped__()
    assert version == clockcache._tz_version()
    assert "version" in version or "tzdata:" in version


def test_rows_of_files_gone_or_of_another_fingerprint_are_dropped(root):
    write_ab(root)
    clockcache.write(root, FP, [], {A})
    assert stored(root) == [A]
    assert clockcache.read(root, FP, {A: KEY_A, B: KEY_B}) == {A: (1762232400.0, ROWS_A)}
    write_ab(root)
    other = clockcache.clock_fingerprint({}, {}, {})
    clockcache.write(root, other, [(B, KEY_B, 1.0, ROWS_B)], {A, B})
    assert stored(root) == [B]                   # A was of the old fingerprint
    assert clockcache.read(root, other, {A: KEY_A, B: KEY_B}) == {B: (1.0, ROWS_B)}


def test_a_newer_write_replaces_the_row_of_the_same_file(root):
    write_ab(root)
    newer = (130, *KEY_A[1:])
    clockcache.write(root, FP, [(A, newer, 2.0, ROWS_B)], {A, B})
    assert clockcache.read(root, FP, {A: newer, B: KEY_B}) == {A: (2.0, ROWS_B), B: (1762232460.5, ROWS_B)}
    assert clockcache.read(root, FP, {A: KEY_A}) == {}


@pytest.mark.parametrize("damage, params", [
    ("UPDATE clocks SET data = ? WHERE relpath = 'tickets/2026/11/T-A.yaml'",
     (clockcache.marshal.dumps((1.0, ROWS_B)),)),
    ("UPDATE clocks SET data = ? WHERE relpath = 'tickets/2026/11/T-A.yaml'",     # a later moment
     (clockcache.marshal.dumps((1.0 + 60, ROWS_A)),)),
    ("UPDATE clocks SET size = ?, mtime_ns = ?, ctime_ns = ?, ino = ? "
     "WHERE relpath = 'tickets/2026/11/T-A.yaml'", KEY_B),
    ("UPDATE clocks SET data = 7, size = 'x' WHERE relpath = 'tickets/2026/11/T-A.yaml'", ()),
], ids=["other-rows", "other-moment", "other-file-key", "wrong-types"])
def test_a_damaged_row_is_ignored_and_the_others_still_read(root, damage, params):
    write_ab(root)
    with sqlite3.connect(root / DB) as conn:
        conn.execute(damage, params)
    assert clockcache.read(root, FP, {A: KEY_A, B: KEY_B}) == {B: (1762232460.5, ROWS_B)}


@pytest.mark.parametrize("data", [b"\xff\x00junk", marshal.dumps(("soon", ROWS_A)), marshal.dumps([1.0])])
def test_a_row_that_passes_its_crc_but_does_not_decode_is_ignored(root, data):
    write_ab(root)
    crc = clockcache.row_crc(A, data)
    with sqlite3.connect(root / DB) as conn:
        conn.execute("UPDATE clocks SET data = ?, crc = ? WHERE relpath = ?", (data, crc, A))
    assert clockcache.read(root, FP, {A: KEY_A, B: KEY_B}) == {B: (1762232460.5, ROWS_B)}


@pytest.mark.parametrize("damage", ["garbage", "truncated", "folder", "no-table"])
def test_an_unusable_cache_file_reads_as_empty_and_writes_nothing(root, damage):
    many = [(f"tickets/T-{i:05d}.yaml", (i, i, i, i), float(i), ROWS_A * 3) for i in range(2000)]
    clockcache.write(root, FP, many, {p for p, *_ in many})
    db = root / DB
    if damage == "garbage":
        db.write_bytes(os.urandom(64 * 1024))
    elif damage == "truncated":
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 3])
    elif damage == "folder":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        db.mkdir()
    else:
        with sqlite3.connect(db) as conn:
            conn.execute("DROP TABLE clocks")
    keys = {p: k for p, k, *_ in many}
    assert clockcache.read(root, FP, keys) == {}
    clockcache.write(root, FP, many[:5], set(keys))          # no exception
    if damage == "no-table":     # a sound file just gets its table back
        assert len(clockcache.read(root, FP, keys)) == 5


def test_no_cache_file_means_nothing_is_read_or_created(tmp_path):
    assert clockcache.read(tmp_path, FP, {A: KEY_A}) == {}
    clockcache.write(tmp_path, FP, [(A, KEY_A, 1.0, ROWS_A)], {A})
    assert not (tmp_path / cachedb.CACHE_DIR).exists()
    (tmp_path / cachedb.CACHE_DIR).mkdir()
    clockcache.write(tmp_path, FP, [(A, KEY_A, 1.0, ROWS_A)], {A})
    assert list((tmp_path / cachedb.CACHE_DIR).iterdir()) == []


def test_a_read_only_cache_skips_the_write_silently(root, monkeypatch):
    write_ab(root)
    real = sqlite3.connect

    def read_only(database, *args, **kwargs):    # as a file the process may not write
        return real(database.replace("mode=rw", "mode=ro"), *args, **kwargs)

    monkeypatch.setattr(clockcache.sqlite3, "connect", read_only)
    clockcache.write(root, FP, [(A, KEY_A, 9.0, ROWS_B)], {A})
    assert clockcache.read(root, FP, {A: KEY_A, B: KEY_B}) == {A: (1762232400.0, ROWS_A), B: (1762232460.5, ROWS_B)}
    monkeypatch.undo()
    assert stored(root) == [A, B]


def test_a_locked_cache_skips_the_write_silently(root, monkeypatch):
    write_ab(root)
    monkeypatch.setattr(clockcache, "BUSY_TIMEOUT_MS", 50)
    holder = sqlite3.connect(root / DB, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")             # another process is writing
    try:
        clockcache.write(root, FP, [(A, KEY_A, 9.0, ROWS_B)], {A})
        assert clockcache.read(root, FP, {A: KEY_A}) == {A: (1762232400.0, ROWS_A)}   # readers are not blocked
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert stored(root) == [A, B]


def test_a_read_is_one_query_however_many_keys(root, monkeypatch):
    many = [(f"tickets/T-{i:05d}.yaml", (i, i, i, i), float(i), ROWS_B) for i in range(500)]
    clockcache.write(root, FP, many, {p for p, *_ in many})
    statements: list[str] = []
    real = sqlite3.connect

    def traced(*args, **kwargs):
        conn = real(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(clockcache.sqlite3, "connect", traced)
    got = clockcache.read(root, FP, {p: k for p, k, *_ in many})
    assert len(got) == 500
    assert [s for s in statements if "clocks" in s] == [
        f"SELECT relpath, size, mtime_ns, ctime_ns, ino, data, crc FROM clocks WHERE fp = '{FP}'"]


def _writer(args) -> None:
    root, worker = args
    paths = [f"tickets/T-{i:03d}.yaml" for i in range(120)]
    for round_ in range(30):
        items = [(p, (i, worker, round_, 0), float(worker), [("met", False, f'{{"w": {worker}, "p": "{p}"}}')])
                 for i, p in enumerate(paths) if i % 2 == worker % 2 or round_ % 3 == 0]
        clockcache.write(Path(root), FP, items, set(paths))


def test_two_processes_writing_at_once_leave_a_sound_cache(root):
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_writer, [(str(root), 0), (str(root), 1)])
    with sqlite3.connect(root / DB) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        keys = {p: tuple(k) for p, *k in conn.execute("SELECT relpath, size, mtime_ns, ctime_ns, ino FROM clocks")}
    assert len(keys) == 120
    got = clockcache.read(root, FP, keys)
    assert set(got) == set(keys)                  # every row intact and whole
    for path, (settled, rows) in got.items():
        worker = keys[path][1]
        assert settled == float(worker) and rows == [("met", False, f'{{"w": {worker}, "p": "{path}"}}')]



def test_a_clocks_table_of_another_layout_is_replaced_on_the_next_write(root):
    with sqlite3.connect(root / DB) as conn:
        conn.execute("CREATE TABLE clocks (relpath TEXT PRIMARY KEY, filekey BLOB, fp TEXT, "
                     "settled REAL, data BLOB, crc INTEGER)")
    assert clockcache.read(root, FP, {A: KEY_A}) == {}
    clockcache.write(root, FP, [(A, KEY_A, 1.0, ROWS_A)], {A})          # drops the old table
    clockcache.write(root, FP, [(A, KEY_A, 1.0, ROWS_A)], {A})
    assert clockcache.read(root, FP, {A: KEY_A}) == {A: (1.0, ROWS_A)}
