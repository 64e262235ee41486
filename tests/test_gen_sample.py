"""The sample generator: reproducible, complete, and readable the same way by every YAML loader."""
from __future__ import annotations

import subprocess
import sys
from datetime import timedelta, timezone
from pathlib import Path

import pytest
import yaml
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "gen_sample.py"
SHANGHAI = timezone(timedelta(hours=8))


def generate(out: Path, *extra: str) -> None:
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), "--quiet", *extra], check=True)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("records")
    generate(out)
    return out


@pytest.fixture(scope="module")
def loaded(sample) -> dict[str, object]:
    return {rel: yaml.load(data, Loader=yaml.CSafeLoader) for rel, data in tree(sample).items()
            if rel.endswith(".yaml")}


def test_same_seed_gives_byte_identical_tree(sample, tmp_path):
    generate(tmp_path / "again")
    assert tree(tmp_path / "again") == tree(sample)


def test_another_seed_gives_another_tree(sample, tmp_path):
    generate(tmp_path / "other", "--seed", "7")
    assert tree(tmp_path / "other") != tree(sample)


def test_regenerating_removes_stale_records(sample, tmp_path):
    out = tmp_path / "records"
    generate(out)
    stale = out / "tickets" / "2026" / "05" / "T-STALE.yaml"
    stale.write_text("id: T-STALE\n", encoding="utf-8")
    generate(out)
    assert not stale.exists()
    assert tree(out) == tree(sample)


def test_counts_meet_the_minimums(loaded):
    def count(prefix):
        return sum(1 for rel in loaded if rel.startswith(prefix))
    assert count("customers/") >= 80
    assert count("tickets/") >= 650
    assert count("providers/") >= 8
    assert count("surveys/") >= 60
    # two desks, two shifts, 14 days, one late shift deliberately missing
    assert count("handovers/") == 2 * 2 * 14 - 1
    assert len(loaded["staff.yaml"]) >= 25
    tickets = [d for rel, d in loaded.items() if rel.startswith("tickets/")]
    assert {t["kind"] for t in tickets} == {"request", "complaint", "repair", "inquiry", "quality"}
    complaints = [t for t in tickets if t["kind"] == "complaint"]
    assert 0.25 <= len(complaints) / len(tickets) <= 0.4
    assert {t["channel"] for t in complaints} == {"hotline", "web", "forum", "visit", "phone", "email",
                                                   "letter", "walk_in"}


def test_every_file_reads_the_same_in_yaml_1_1_and_1_2(sample):
    """Unquoted yes/no/on/off, octal-looking or sexagesimal scalars would differ."""
    ruamel = YAML(typ="safe")
    for rel, data in tree(sample).items():
        if rel.endswith(".yaml"):
            assert ruamel.load(data) == yaml.load(data, Loader=yaml.CSafeLoader), rel


def test_ids_match_file_names_and_ticket_folders(loaded):
    for rel, doc in loaded.items():
        stem = rel.rsplit("/", 1)[-1].removesuffix(".yaml")
        if rel.startswith(("customers/", "providers/", "surveys/", "tickets/")):
            assert doc["id"] == stem, rel
        if rel.startswith("tickets/"):
            opened = doc["opened_at"].astimezone(SHANGHAI)
            assert rel.startswith(f"tickets/{opened:%Y/%m}/T-"), rel
            assert 12 <= len(doc["id"]) - 2 <= 16
        if rel.startswith("handovers/"):
            assert stem == f"{doc['date']}-{doc['desk']}-{doc['shift']}", rel


def test_timestamps_carry_offsets_and_stop_before_the_23rd(loaded):
    latest = yaml.load("2026-11-23T00:00:00+08:00", Loader=yaml.CSafeLoader)
    for rel, doc in loaded.items():
        if rel.startswith("tickets/"):
            for e in doc["events"]:
                assert e["at"].tzinfo is not None and e["at"] < latest, rel
                assert e["at"] >= doc["opened_at"], rel


def test_money_and_phones_are_strings(loaded):
    for rel, doc in loaded.items():
        if rel.startswith("handovers/"):
            assert all(isinstance(c, str) for c in doc["counts"]["cash"].values()), rel
            assert all(isinstance(loan["phone"], str) for loan in doc["loans"]), rel
        if rel.startswith("customers/"):
            assert all(isinstance(c["phone"], str) and len(c["phone"]) == 11 for c in doc["contacts"]), rel
        if rel.startswith("tickets/") and "impact" in doc:
            assert isinstance(doc["impact"]["compensation"], str), rel
