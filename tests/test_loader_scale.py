"""A realistic tree (the benchmark's, small) loads clean, and identically
read serially, on every core, from a fresh cache and from a warm one."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cxctl.store import parallel
from cxctl.store.loader import load_records

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import gen  # noqa: E402


@pytest.fixture(scope="module")
def bench_tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "records"
    gen.generate(root, scale=0.005, seed=7)
    return root


def test_the_generated_tree_is_clean_and_reads_alike_every_way(bench_tree, monkeypatch):
    serial = load_records(bench_tree, use_cache=False)
    assert [f for f in serial.findings if f.level == "error"] == []
    assert len(serial.records.tickets) == 1000 and len(serial.records.customers) == 100
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 100)
    monkeypatch.setattr(parallel, "CHUNK", 64)
    for result in (load_records(bench_tree, use_cache=False),   # on every core
                   load_records(bench_tree),                     # builds the cache
                   load_records(bench_tree)):                    # from the cache
        assert result.records == serial.records
        assert result.findings == serial.findings
        assert list(result.entries) == list(serial.entries)


def test_the_generator_is_deterministic(tmp_path):
    gen.generate(tmp_path / "a", scale=0.001, seed=3)
    gen.generate(tmp_path / "b", scale=0.001, seed=3)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.yaml"))
    assert files and files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.yaml"))
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
