"""Throw-away git repositories holding a records tree, for review and history tests.

Identity is configured inside each test repository only; global and system
git configuration are ignored so that a developer's settings cannot change
the results.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import CUSTOMER, PROVIDER, SETTINGS, STAFF, TICKET, write

GIT_ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_TERMINAL_PROMPT": "0"}


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, capture_output=True, text=True)
    assert proc.returncode == 0, f"git {' '.join(args)} failed: {proc.stderr}"
    return proc.stdout


def init_repo(top: Path) -> Path:
    top.mkdir(parents=True, exist_ok=True)
    git(top, "init", "-q", "-b", "main")
    git(top, "config", "user.name", "Desk Tester")
    git(top, "config", "user.email", "desk@example.com")
    git(top, "config", "commit.gpgsign", "false")
    return top


def commit(top: Path, message: str) -> str:
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", message)
    return git(top, "rev-parse", "HEAD").strip()


def records_repo(tmp_path: Path, folder: str = "records") -> tuple[Path, Path]:
    """A repository with a minimal valid records tree in ``folder`` (``""``:
    the repository's top is the records root), committed."""
    top = init_repo(tmp_path / "repo")
    root = top / folder if folder else top
    write(root, "cxctl.yaml", SETTINGS)
    write(root, "staff.yaml", STAFF)
    write(root, "providers/P-03.yaml", PROVIDER)
    write(root, "customers/C-7K2M9Q.yaml", CUSTOMER)
    write(root, "tickets/2026/11/T-8Q3KZ2.yaml", TICKET)
    write(root, ".gitignore", ".cxctl-cache/\n.cxctl.lock\n")
    commit(top, "initial records")
    return top, root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(text)


def cxctl_env(tmp_path: Path) -> dict[str, str]:
    """An environment in which the command `cxctl` runs this checkout, the way
    an installed console script would (hooks and CI call it by name)."""
    import sys

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "cxctl"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m cxctl "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    checkout = Path(__file__).resolve().parent.parent
    return {**GIT_ENV, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONPATH": str(checkout), "CXCTL_ROOT": "", "NO_COLOR": "1", "COLUMNS": "200"}
