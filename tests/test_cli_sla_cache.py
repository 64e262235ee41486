"""`cxctl sla check` reuses settled tickets' clocks from the cache and evaluates
tickets on the other core; what it prints never depends on either."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cxctl.cli import clock_rows
from cxctl.store import cache, clockcache, parallel

SAMPLE = Path(__file__).resolve().parent.parent / "records"
AS_OF = "2026-11-20T15:00:00+08:00"


@pytest.fixture
def sample(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the sample records, its files as if written long ago (files
    changed in the last seconds are never keys of a cached result)."""
    root = tmp_path / "records"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".cxctl-cache"))
    monkeypatch.setattr(cache, "RACY_NS", -10 ** 12)
    return root


def check(cli, root: Path, *args: str, cache: bool = True) -> str:
    result = cli(["--root", root, *([] if cache else ["--no-cache"]), "sla", "check", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def stored_clock_rows(root: Path) -> int:
    import sqlite3
    with sqlite3.connect(root / ".cxctl-cache" / "cache.sqlite") as conn:
        return conn.execute("SELECT count(*) FROM clocks").fetchone()[0]


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_settled_clocks_from_the_cache_print_exactly_what_evaluating_prints(cli, sample, fmt, monkeypatch):
    args = ("--as-of", AS_OF, "--format", fmt)
    evaluated = check(cli, sample, *args, cache=False)
    assert evaluated.count("T-") > 500
    first = check(cli, sample, *args)                  # evaluates, stores the settled ones
    assert stored_clock_rows(sample) > 100
    reads = []
    real_read = clockcache.read
    monkeypatch.setattr(clockcache, "read", lambda *a: reads.append(1) or real_read(*a))
    second = check(cli, sample, *args)                 # takes them from the cache
    assert reads and len(real_read(*_read_args(sample))) > 100
    assert first == evaluated and second == evaluated


def _read_args(root: Path):
    from dataclasses import asdict

    from cxctl.store.loader import load_records
    loaded = load_records(root, cross_checks=False)
    records = loaded.records
    fp = clockcache.clock_fingerprint(records.policies["sla"], records.calendars, asdict(records.settings))
    return root, fp, loaded.file_keys


def test_filters_apply_to_cached_rows_as_to_evaluated_ones(cli, sample):
    args = ("--as-of", AS_OF, "--format", "json", "--state", "breached,met", "--kind", "complaint")
    evaluated = check(cli, sample, *args, cache=False)
    check(cli, sample, "--as-of", AS_OF, "--format", "json")
    assert check(cli, sample, *args) == evaluated
    assert '"state": "running"' not in evaluated and '"kind": "request"' not in evaluated


def test_an_earlier_moment_does_not_take_rows_settled_later(cli, sample):
    check(cli, sample, "--as-of", AS_OF, "--format", "json")
    # Earlier than many tickets' last events: those must be evaluated afresh.
    earlier = ("--as-of", "2026-10-08T12:00:00+08:00", "--format", "json")
    assert check(cli, sample, *earlier) == check(cli, sample, *earlier, cache=False)


def _settled_ticket(cli, root: Path) -> Path:
    import json
    rows = json.loads(check(cli, root, "--as-of", AS_OF, "--format", "json", "--kind", "complaint",
                            "--state", "met"))
    ticket = rows[0]["ticket"]
    return next(root.glob(f"tickets/*/*/{ticket}.yaml"))


def test_an_edited_ticket_is_evaluated_again(cli, sample):
    path = _settled_ticket(cli, sample)
    args = ("--as-of", AS_OF, "--format", "json", "--ticket", path.stem)
    before = check(cli, sample, *args)
    text = path.read_text("utf-8")
    owner = next(line for line in text.splitlines() if line.startswith("owner: "))
    # Still closed, so still settled: only the file's new version tells the rows apart.
    path.write_text(text.replace(owner, "owner: S-001"), encoding="utf-8")
    after = check(cli, sample, *args)
    assert '"owner": "S-001"' in after and '"owner": "S-001"' not in before
    assert after == check(cli, sample, *args, cache=False)
    # Reopened after its close: a second cycle of the resolve clock runs.
    path.write_text(text.replace("status: closed", "status: open").rstrip("\n")
                    + "\n  - {at: 2026-11-10T09:00:00+08:00, type: reopen, by: S-021}\n", encoding="utf-8")
    reopened = check(cli, sample, *args)
    assert '"cycle": 2' in reopened
    assert reopened == check(cli, sample, *args, cache=False)


def test_a_changed_policy_is_not_answered_from_rows_of_the_old_one(cli, sample):
    args = ("--as-of", AS_OF, "--format", "json")
    before = check(cli, sample, *args)
    policy = sample / "policies" / "sla.yaml"
    text = policy.read_text("utf-8")
    changed = text.replace("provider_reply: {within: 24, unit: hours}",
                           "provider_reply: {within: 2, unit: hours}")
    assert changed != text
    policy.write_text(changed, encoding="utf-8")
    after = check(cli, sample, *args)
    assert after != before
    assert after == check(cli, sample, *args, cache=False)


def test_tickets_evaluated_on_the_other_core_print_the_same(cli, sample, monkeypatch):
    args = ("--as-of", AS_OF, "--format", "json")
    evaluated = check(cli, sample, *args, cache=False)
    monkeypatch.setattr(clock_rows, "FORK_MIN", 1)        # fork whatever the number of tickets
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    forks = []
    real_start = parallel.start_in_child
    monkeypatch.setattr(parallel, "start_in_child", lambda *a: forks.append(1) or real_start(*a))
    assert check(cli, sample, *args, cache=False) == evaluated     # no cache: every ticket split
    assert check(cli, sample, *args) == evaluated
    assert check(cli, sample, *args) == evaluated
    assert len(forks) >= 3


def test_a_child_that_fails_leaves_the_work_to_this_process():
    def fails(n):
        raise ValueError(n)

    pending = parallel.start_in_child(fails, 3)
    if pending is None:
        pytest.skip("no second core or no fork here")
    assert pending.result() is None
    assert parallel.start_in_child(lambda n: [n, (n, "x")], 3).result() == [3, (3, "x")]


def test_a_child_whose_result_is_no_longer_wanted_is_stopped():
    import os
    import time

    pending = parallel.start_in_child(lambda: time.sleep(60) or 1)
    if pending is None:
        pytest.skip("no second core or no fork here")
    started = time.monotonic()
    with pytest.raises(KeyError):
        with parallel.cancelled_on_error(pending):
            raise KeyError("the caller fails")
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(pending.pid, os.WNOHANG)            # already reaped: no zombie left


@pytest.mark.parametrize("code, status, stderr", [(None, 0, ""), (0, 0, ""), (3, 3, ""),
                                                   ("cxctl: gone", 1, "cxctl: gone\n")])
def test_leaving_flushes_the_output_and_keeps_the_exit_code(code, status, stderr):
    import subprocess
    import sys
    program = ("import sys; from cxctl.cli.main import leave; "
               f"sys.stdout.write('x' * 100000); leave({code!r})")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert (done.returncode, len(done.stdout), done.stderr) == (status, 100000, stderr)
