"""Records at git revisions, for `cxctl review` and `cxctl history`.

Git gives the bytes (``gitread``), the loader's ``check_bytes`` turns them
into JSON data exactly as `validate` would, and ``cxctl.review`` says what
changed.  Only files that differ between the two sides are read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cxctl.review import Change, RecordState, diff_record, diff_states
from cxctl.store import gitread, layout
from cxctl.store.gitread import INDEX, WORKTREE, Commit, GitError, Repo
from cxctl.store.loader import check_bytes


@dataclass
class Comparison:
    base: str             # commit sha
    target: str           # commit sha, WORKTREE or INDEX
    base_label: str       # as the user named them
    target_label: str
    changes: list[Change]
    files: int            # record files that differ


@dataclass
class HistoryEntry:
    commit: Commit
    path: str
    changes: list[Change]


def record_state(relpath: str, raw: bytes | None) -> RecordState | None:
    """One file's content as the review sees it; None if absent or not a record."""
    if raw is None:
        return None
    kind, _ = layout.classify(relpath)
    if kind is None:
        return None
    entry = check_bytes(raw, relpath, kind)
    if entry.data is not None:
        return RecordState(relpath, kind, entry.data)
    first = next((f for f in entry.findings if f.level == "error"), entry.findings[0])
    where = f" (line {first.line})" if first.line else ""
    return RecordState(relpath, kind, None, f"{first.message}{where}")


def _states(blobs: dict[str, bytes | None]) -> dict[str, RecordState]:
    out = {}
    for relpath, raw in blobs.items():
        state = record_state(relpath, raw)
        if state is not None:
            out[relpath] = state
    return out


def parse_range(repo: Repo, spec: str | None, *, staged: bool = False) -> tuple[str, str, str, str]:
    """(base commit, target, base label, target label) for a REV_RANGE.

    none       working tree (or with ``staged`` the index) against HEAD
    A..B       commit A against commit B (either side defaults to HEAD)
    A...B      the merge base of A and B against B, like a pull request
    A          commit A against the working tree (or the index)
    """
    current = INDEX if staged else WORKTREE
    if spec is None or spec == "":
        return gitread.resolve(repo, "HEAD"), current, "HEAD", current
    if staged and ".." in spec:
        raise GitError("--staged compares the index with one revision; give one revision, not a range")
    if "..." in spec:
        a, b = (part or "HEAD" for part in spec.split("...", 1))
        a_sha, b_sha = gitread.resolve(repo, a), gitread.resolve(repo, b)
        return gitread.merge_base(repo, a_sha, b_sha), b_sha, f"merge base of {a} and {b}", b
    if ".." in spec:
        a, b = (part or "HEAD" for part in spec.split("..", 1))
        return gitread.resolve(repo, a), gitread.resolve(repo, b), a, b
    return gitread.resolve(repo, spec), current, spec, current


def compare(root: Path, spec: str | None, *, staged: bool = False) -> Comparison:
    repo = gitread.open_repo(root)
    base, target, base_label, target_label = parse_range(repo, spec, staged=staged)
    paths = gitread.changed_paths(repo, base, target)
    old = _states(gitread.read_files(repo, base, paths))
    new = _states(gitread.read_files(repo, target, paths))
    return Comparison(base, target, base_label, target_label, diff_states(old, new), len(paths))


# -- one record's history ------------------------------------------------------

_ID = re.compile(rf"([CTPVS])-{layout.ID_PATTERN}")
_HANDOVER = re.compile(r"\d{4}-\d{2}-\d{2}-[a-z0-9][a-z0-9_-]*-(early|late)")
_PATTERNS = {"C": "customers/{id}.yaml", "T": "tickets/**/{id}.yaml", "P": "providers/{id}.yaml",
             "V": "surveys/**/{id}.yaml", "S": "staff.yaml"}


def history_patterns(record: str) -> list[str]:
    """Path globs under which a record has lived (tickets and surveys move
    folders when their date is corrected)."""
    if _ID.fullmatch(record):
        return [_PATTERNS[record[0]].format(id=record)]
    if _HANDOVER.fullmatch(record):
        return [f"handovers/**/{record}.yaml"]
    if layout.classify(record)[0] in ("settings", "staff", "policy", "calendar"):
        return [record]
    raise GitError(f"'{record}' is not a record id (C-…, T-…, P-…, V-…, S-…), a handover "
                   f"(2026-11-24-main-early) or a settings, staff, policy or calendar file")


def history(root: Path, record: str) -> list[HistoryEntry]:
    """Commits that changed ``record``, newest first, with what each changed."""
    patterns = history_patterns(record)
    repo = gitread.open_repo(root)
    gitread.require_full_history(repo, "history")
    commits = [c for c in gitread.log(repo, patterns) if c.files]
    if not commits:
        raise GitError(f"no commit touches {record} under {root} (is it committed yet?)")
    wanted = []
    for c in commits:
        olds = [p for s, p in c.files if s in "DM"]
        news = [p for s, p in c.files if s in "AM"]
        old = (c.parents[0], olds[0]) if olds and c.parents else None
        new = (c.sha, news[0]) if news else None
        wanted.append((old, new))
    names = [f"{side[0]}:{repo.to_git(side[1])}" for pair in wanted for side in pair if side]
    blobs = iter(gitread.cat_files(repo, names))
    out = []
    for c, (old, new) in zip(commits, wanted):
        before = record_state(old[1], next(blobs)) if old else None
        after = record_state(new[1], next(blobs)) if new else None
        changes = diff_record(before, after)
        if record.startswith("S-"):
            changes = [ch for ch in changes if ch.field == record]
            if not changes:
                continue
        out.append(HistoryEntry(c, (new or old)[1], changes))
    if not out:
        raise GitError(f"no commit changes {record} in {root}")
    return out
