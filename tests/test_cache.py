"""The parse cache: a load with it gives exactly what a load without it gives,
re-reads only files that changed, and never trusts a damaged or foreign cache."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TICKET, write
from cxctl.store import cache, cachedb, loader, parallel, progress
from cxctl.store.loader import load_records

DB = Path(cachedb.CACHE_DIR) / cachedb.DB_NAME

BAD_TICKET = TICKET.replace("T-8Q3KZ2", "T-BAD001").replace("summary:", "summry:")
BROKEN_YAML = "id: C-BROKEN\nname: [unclosed\n"


@pytest.fixture
def tree(records_root: Path) -> Path:
    """A small tree with a few invalid files among valid ones."""
    write(records_root, "tickets/2026/11/T-BAD001.yaml", BAD_TICKET)
    write(records_root, "customers/C-BROKEN.yaml", BROKEN_YAML)
    write(records_root, "customers/C-NAIVE1.yaml",
          "id: C-NAIVE1\nname: 某公司\nkind: tenant\nstatus: active\n"
          "contact_log:\n  - {at: 2026-03-05T10:00:00, by: S-021, channel: visit}\n")
    return records_root


@pytest.fixture
def reads(monkeypatch):
    """Counts the files the loader actually reads (as opposed to cache hits)."""
    seen: list[str] = []
    real = loader.read_entry

    def counting(root, relpath):
        seen.append(relpath)
        return real(root, relpath)

    monkeypatch.setattr(loader, "read_entry", counting)
    return seen


def same_load(a, b) -> None:
    assert a.records == b.records
    assert a.findings == b.findings
    assert [f.hint for f in a.findings] == [f.hint for f in b.findings]
    assert [f.source_line for f in a.findings] == [f.source_line for f in b.findings]
    assert list(a.entries) == list(b.entries)
    assert a.entries == b.entries


def rows(root: Path) -> set[str]:
    with sqlite3.connect(root / DB) as conn:
        return {r[0] for r in conn.execute("SELECT relpath FROM files")}


def test_cold_warm_and_uncached_loads_are_identical(tree, reads):
    uncached = load_records(tree, use_cache=False)
    assert not (tree / cachedb.CACHE_DIR).exists()
    reads.clear()
    cold = load_records(tree)
    read_cold = len(reads)
    warm = load_records(tree)
    assert read_cold == len(uncached.entries) and len(reads) == read_cold   # warm read nothing
    same_load(uncached, cold)
    same_load(uncached, warm)
    assert {f.code for f in warm.findings} >= {"unknown-field", "yaml-syntax", "naive-timestamp"}


def test_an_invalid_record_stays_reported_on_a_cache_hit(tree, reads):
    load_records(tree)
    reads.clear()
    warm = load_records(tree)
    assert reads == []
    [typo] = [f for f in warm.findings if f.code == "unknown-field"]
    assert (typo.path, typo.field, typo.line, typo.column) == \
        ("tickets/2026/11/T-BAD001.yaml", "summry", 10, 1)
    assert typo.hint == "did you mean 'summary'?" and typo.source_line.startswith("summry:")
    assert "T-BAD001" not in warm.records.tickets


def test_an_edited_file_is_read_again_and_only_it(tree, reads):
    load_records(tree)
    reads.clear()
    write(tree, "tickets/2026/11/T-BAD001.yaml", BAD_TICKET.replace("summry:", "summary:"))
    fixed = load_records(tree)
    assert reads == ["tickets/2026/11/T-BAD001.yaml"]
    assert "T-BAD001" in fixed.records.tickets
    assert not [f for f in fixed.findings if f.code == "unknown-field"]


def test_a_deleted_file_leaves_the_results_and_the_cache(tree, reads):
    load_records(tree)
    (tree / "customers/C-BROKEN.yaml").unlink()
    reads.clear()
    after = load_records(tree)
    assert reads == []
    assert "customers/C-BROKEN.yaml" not in after.entries
    assert not [f for f in after.findings if f.path == "customers/C-BROKEN.yaml"]
    assert "customers/C-BROKEN.yaml" not in rows(tree)


def test_an_added_and_a_renamed_file_are_read(tree, reads):
    load_records(tree)
    reads.clear()
    write(tree, "customers/C-NEW001.yaml", "id: C-NEW001\nname: 新客户\nkind: owner\nstatus: prospect\n")
    (tree / "tickets/2026/10").mkdir(parents=True)
    (tree / "tickets/2026/11/T-8Q3KZ2.yaml").rename(tree / "tickets/2026/10/T-8Q3KZ2.yaml")
    after = load_records(tree)
    assert sorted(reads) == ["customers/C-NEW001.yaml", "tickets/2026/10/T-8Q3KZ2.yaml"]
    assert "C-NEW001" in after.records.customers
    # The renamed ticket now sits in the wrong month folder, and says so.
    assert [f.code for f in after.findings if f.path == "tickets/2026/10/T-8Q3KZ2.yaml"] == ["wrong-folder"]
    assert rows(tree) == set(after.entries)
    same_load(after, load_records(tree, use_cache=False))


def _rewrite_keeping_mtime(path: Path, text: str) -> None:
    before = path.stat()
    with open(path, "r+", encoding="utf-8") as fh:      # in place: same inode
        fh.truncate(0)
        fh.write(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns


def test_a_change_that_keeps_the_mtime_but_not_the_size_is_seen(tree, reads, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)        # timestamps alone must tell
    path = tree / "customers/C-7K2M9Q.yaml"
    load_records(tree)
    reads.clear()
    _rewrite_keeping_mtime(path, path.read_text("utf-8").replace("kind: tenant", "kind: owner-x"))
    after = load_records(tree)
    assert reads == ["customers/C-7K2M9Q.yaml"]
    assert [f.code for f in after.findings if f.path == "customers/C-7K2M9Q.yaml"] == ["bad-value"]


def test_a_same_size_change_within_the_same_clock_tick_is_caught_by_the_digest(tree, reads, monkeypatch):
    # As if the file system kept coarse timestamps: only size and mtime count.
    real_walk = loader.walk_files
    monkeypatch.setattr(loader, "walk_files", lambda root: [
        (p, st and (st[0], st[1], 0, 0)) for p, st in real_walk(root)])
    path = tree / "customers/C-7K2M9Q.yaml"
    load_records(tree)
    reads.clear()
    _rewrite_keeping_mtime(path, path.read_text("utf-8").replace("status: active", "status: abcdef"))
    after = load_records(tree)
    assert reads == ["customers/C-7K2M9Q.yaml"]
    assert [f.code for f in after.findings if f.path == "customers/C-7K2M9Q.yaml"] == ["bad-value"]


def test_a_digest_is_dropped_once_the_file_is_old_enough(tree, reads, monkeypatch):
    load_records(tree)               # everything was just written: stored with digests
    with sqlite3.connect(tree / DB) as conn:
        assert conn.execute("SELECT count(*) FROM files WHERE digest IS NULL").fetchone()[0] == 0
    monkeypatch.setattr(cache, "RACY_NS", -10 ** 12)    # as if much later
    reads.clear()
    load_records(tree)
    assert reads == []
    with sqlite3.connect(tree / DB) as conn:
        assert conn.execute("SELECT count(*) FROM files WHERE digest IS NOT NULL").fetchone()[0] == 0


@pytest.mark.parametrize("damage", ["garbage", "truncated", "bad-row", "lost-row", "empty"])
def test_a_damaged_cache_is_rebuilt_never_trusted(tree, reads, damage):
    expected = load_records(tree, use_cache=False)
    load_records(tree)
    db = tree / DB
    if damage == "garbage":
        db.write_bytes(os.urandom(8192))
    elif damage == "truncated":
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 2 + 100])
    elif damage == "empty":
        db.write_bytes(b"")
    else:
        with sqlite3.connect(db) as conn:
            if damage == "bad-row":      # a payload changed behind the checksum's back
                conn.execute("UPDATE files SET data = ? WHERE relpath = 'staff.yaml'",
                             (cachedb.encode(loader.FileEntry("staff.yaml", "staff", [], []))[1],))
            else:
                conn.execute("DELETE FROM files WHERE relpath = 'staff.yaml'")
    reads.clear()
    after = load_records(tree)
    same_load(expected, after)
    if damage != "empty":            # an empty file is a valid, empty database
        assert len(reads) == len(expected.entries)
    reads.clear()
    same_load(expected, load_records(tree))
    assert reads == []               # and the rebuilt cache is used again
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_cache_from_another_cxctl_version_is_not_used(tree, reads, monkeypatch):
    load_records(tree)
    import cxctl
    monkeypatch.setattr(cxctl, "__version__", "99.0.0")
    reads.clear()
    after = load_records(tree)
    assert len(reads) == len(after.entries)
    same_load(after, load_records(tree, use_cache=False))
    reads.clear()
    load_records(tree)
    assert reads == []


def test_a_cache_that_does_not_say_whose_it_is_is_not_used(tree, reads):
    load_records(tree)
    with sqlite3.connect(tree / DB) as conn:
        conn.execute("DELETE FROM meta WHERE key = 'fingerprint'")
    reads.clear()
    after = load_records(tree)
    assert len(reads) == len(after.entries)
    with sqlite3.connect(tree / DB) as conn:
        assert dict(conn.execute("SELECT key, value FROM meta"))["fingerprint"] == cachedb.fingerprint()


def test_a_cache_with_another_layout_is_replaced(tree, reads):
    load_records(tree)
    with sqlite3.connect(tree / DB) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'layout'")
    reads.clear()
    after = load_records(tree)
    assert len(reads) == len(after.entries)
    with sqlite3.connect(tree / DB) as conn:
        assert dict(conn.execute("SELECT key, value FROM meta"))["layout"] == cachedb.LAYOUT


def test_other_schemas_or_rules_give_another_fingerprint(monkeypatch):
    base = cachedb.fingerprint()
    monkeypatch.setattr(cachedb, "_source_digest", lambda: b"other schemas")
    assert cachedb.fingerprint() != base
    monkeypatch.undo()
    from cxctl import rules
    monkeypatch.setitem(rules.RULES, "customer", [lambda data, path: []])
    assert cachedb.fingerprint() != base


def test_a_source_digest_covers_the_schemas():
    digest = cachedb._source_digest.__wrapped__()
    assert digest == cachedb._source_digest()
    names = sorted(p.name for p in cachedb.schemas.schema_dir().glob("*.yaml"))
    assert "ticket.yaml" in names


def test_an_unusable_cache_folder_means_no_cache_not_a_crash(tree, reads):
    (tree / cachedb.CACHE_DIR).write_text("not a folder")
    expected = load_records(tree, use_cache=False)
    reads.clear()
    after = load_records(tree)
    same_load(expected, after)
    assert len(reads) == len(after.entries)


def test_a_cache_file_that_cannot_be_opened_means_no_cache(tree, reads):
    (tree / DB).mkdir(parents=True)          # a folder where the database belongs
    after = load_records(tree)
    same_load(after, load_records(tree, use_cache=False))


def test_parallel_reading_gives_the_same_entries_in_the_same_order(tree, monkeypatch):
    for i in range(30):
        write(tree, f"customers/C-P{i:04d}.yaml", f"id: C-P{i:04d}\nname: 客户{i}\nkind: tenant\nstatus: active\n")
    serial = load_records(tree, use_cache=False)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    monkeypatch.setattr(parallel, "CHUNK", 3)
    calls = []
    real_pool = parallel.ProcessPoolExecutor

    def pool(*args, **kwargs):
        calls.append(kwargs.get("max_workers"))
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", pool)
    same_load(serial, load_records(tree, use_cache=False))
    same_load(serial, load_records(tree))
    same_load(serial, load_records(tree))
    assert calls and calls[0] >= 2 or parallel.workers() < 2


def test_concurrent_loads_do_not_corrupt_the_cache(tree):
    code = ("import sys, json; from cxctl.store.loader import load_records; "
            "r = load_records(sys.argv[1]); print(json.dumps([f.to_dict() for f in r.findings]))")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    expected = None
    for round_ in range(4):
        write(tree, f"customers/C-RACE{round_:02d}.yaml",
              f"id: C-RACE{round_:02d}\nname: 并发{round_}\nkind: tenant\nstatus: active\n")
        procs = [subprocess.Popen([sys.executable, "-c", code, str(tree)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(3)]
        outs = [p.communicate(timeout=120) for p in procs]
        assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
        assert len({o[0] for o in outs}) == 1
        expected = outs[0][0]
    with sqlite3.connect(tree / DB) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert rows(tree) == set(load_records(tree).entries)
    import json
    assert json.loads(expected) == [f.to_dict() for f in load_records(tree, use_cache=False).findings]


def test_no_cache_option_neither_reads_nor_writes_the_cache(tree, cli):
    result = cli(["--root", tree, "--no-cache", "validate", "--format", "json"])
    assert result.exit_code == 1
    assert not (tree / cachedb.CACHE_DIR).exists()
    cli(["--root", tree, "validate"])
    assert (tree / DB).is_file()


def test_progress_is_silent_off_a_terminal(capsys):
    with progress.bar(progress.PROGRESS_MIN * 2, "reading records") as advance:
        advance(progress.PROGRESS_MIN * 2)
    assert capsys.readouterr().err == ""


def test_progress_shows_on_a_terminal_for_a_long_load(monkeypatch):
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    monkeypatch.setattr(progress, "REFRESH_SECONDS", 0)
    with progress.bar(progress.PROGRESS_MIN - 1, "reading records") as advance:
        advance(1)
    assert term.getvalue() == ""           # a short load draws nothing
    with progress.bar(progress.PROGRESS_MIN, "reading records") as advance:
        advance(10)
    assert "reading records" in term.getvalue()


def test_a_pool_that_breaks_part_way_leaves_the_rest_to_this_process(tree, monkeypatch):
    for i in range(12):
        write(tree, f"customers/C-B{i:04d}.yaml", f"id: C-B{i:04d}\nname: 客户{i}\nkind: tenant\nstatus: active\n")
    expected = load_records(tree, use_cache=False)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    monkeypatch.setattr(parallel, "CHUNK", 4)

    class BreaksAfterOneChunk:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def map(self, fn, readers, roots, chunks):
            first = next(iter(chunks))
            yield fn(next(readers), next(roots), first)
            raise parallel.BrokenProcessPool("a worker was killed")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", BreaksAfterOneChunk)
    same_load(expected, load_records(tree, use_cache=False))


def test_a_cache_that_cannot_be_read_this_time_means_no_cache(tree, reads, monkeypatch):
    load_records(tree)

    def locked(self):
        raise cachedb.CacheUnavailable("database is locked")

    monkeypatch.setattr(cachedb.CacheDB, "scan", locked)
    reads.clear()
    after = load_records(tree)
    assert len(reads) == len(after.entries)
    same_load(after, load_records(tree, use_cache=False))


def test_loaded_says_what_data_would_without_unmarshalling_it(tree, monkeypatch):
    load_records(tree)
    warm = load_records(tree)
    stored = [e for e in warm.entries.values() if isinstance(e, cachedb.StoredEntry)]
    assert len(stored) == len(warm.entries)
    expected = {p: e.data is not None for p, e in warm.entries.items()}
    assert False in expected.values() and True in expected.values()
    def unmarshalled(self):
        raise AssertionError("data was unmarshalled")

    monkeypatch.setattr(cachedb.StoredEntry, "data", property(unmarshalled))
    assert {p: e.loaded for p, e in warm.entries.items()} == expected
    assert all(e.loaded == (e.data is not None)
               for e in load_records(tree, use_cache=False).entries.values())


def test_with_a_big_cache_the_tree_is_listed_by_a_child_process_and_nothing_differs(tree, monkeypatch):
    expected = load_records(tree, use_cache=False)
    load_records(tree)
    monkeypatch.setattr(cache, "LIST_APART_MIN", 0)         # as if the cache were big
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    listed_by = tree.parent / "listed-by"
    real_walk = loader.walk_files

    def walk(root):
        with open(listed_by, "a") as out:
            out.write(f"{os.getpid()}\n")
        return real_walk(root)

    monkeypatch.setattr(loader, "walk_files", walk)
    write(tree, "customers/C-NEW001.yaml", "id: C-NEW001\nname: 新客户\nkind: tenant\nstatus: active\n")
    after = load_records(tree)
    assert listed_by.read_text().split() not in ([], [str(os.getpid())])
    assert "customers/C-NEW001.yaml" in after.entries
    after_again = load_records(tree, use_cache=False)
    same_load(after, after_again)
    assert len(after.entries) == len(expected.entries) + 1


def test_a_ticket_row_whose_facts_are_not_a_tickets_rebuilds_the_cache(tree, reads):
    expected = load_records(tree, use_cache=False)
    load_records(tree)
    relpath = "tickets/2026/11/T-8Q3KZ2.yaml"
    with sqlite3.connect(tree / DB) as conn:
        head, data = conn.execute("SELECT head, data FROM files WHERE relpath = ?", (relpath,)).fetchone()
        facts = cachedb.marshal.dumps(("not", "a ticket's"))        # whole, and checksummed
        conn.execute("UPDATE files SET facts = ?, crc = ? WHERE relpath = ?",
                     (facts, cachedb.row_crc(relpath, head, facts, data), relpath))
    reads.clear()
    after = load_records(tree)
    assert relpath in reads
    same_load(after, expected)
