"""Reading records out of git without checking anything out.

This is the only module that runs git.  Everything is read with plumbing
commands (`rev-parse`, `diff --name-only`, `ls-files`, `cat-file --batch`,
`log`), so a review of two revisions never touches the working tree, and only
the files that differ between the two sides are read at all.

Paths handed in and out are relative to the records root with "/" separators,
like everywhere else in cxctl; the root may be the repository's top or any
folder inside it.  Every git failure becomes a ``GitError`` with a message a
person can act on.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

# The two sides of a comparison that are not commits.
WORKTREE = "(working tree)"
INDEX = "(staged)"

_RECORD_SUFFIX = ".yaml"


class GitError(Exception):
    """A revision, repository or history problem, told in plain words."""


@dataclass(frozen=True)
class Repo:
    top: Path          # the repository's top folder
    prefix: str        # the records root relative to ``top``: "" or "records/"
    shallow: bool

    def to_git(self, relpath: str) -> str:
        return self.prefix + relpath

    def from_git(self, gitpath: str) -> str | None:
        """Root-relative path of a repository path, None if outside the root."""
        if not gitpath.startswith(self.prefix):
            return None
        return gitpath[len(self.prefix):]

    @property
    def pathspec(self) -> str:
        # ":(top)" alone is the whole repository; ":(top)." would match nothing.
        return f":(top){self.prefix}"


@dataclass
class Commit:
    sha: str
    parents: list[str]
    date: str                     # author date, ISO 8601 with offset
    author: str
    subject: str
    files: list[tuple[str, str]] = field(default_factory=list)   # (status A/M/D, relpath)

    @property
    def short(self) -> str:
        return self.sha[:10]


# Settings of a person's git configuration that would change what these
# commands print (log.follow even makes git refuse the glob pathspecs).
_NEUTRAL = ("-c", "log.follow=false", "-c", "color.ui=never", "-c", "core.quotepath=off")


def _run(cwd: Path, args: list[str], *, stdin: bytes | None = None) -> bytes:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    try:
        proc = subprocess.run(["git", *_NEUTRAL, *args], cwd=cwd, input=stdin, capture_output=True,
                              env=env)
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH); review and history need it") from None
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        raise GitError(_message(proc.stderr.decode("utf-8", "replace")) or f"git {args[0]} failed")
    return proc.stdout


def _message(stderr: str) -> str:
    """Git's own complaint ("fatal: …"), without the hints around it."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                return line[len(prefix):]
    return lines[-1] if lines else ""


def open_repo(root: Path) -> Repo:
    """The repository holding the records root."""
    root = Path(root)
    try:
        out = _run(root, ["rev-parse", "--show-toplevel", "--show-prefix", "--is-shallow-repository"])
    except GitError as exc:
        if "not a git repository" in str(exc):
            raise GitError(f"the records root {root} is not inside a git repository; "
                           f"review and history read the records' git history "
                           f"(run `git init` there, or point --root at a checkout)") from None
        raise
    top, prefix, shallow = out.decode("utf-8").splitlines()[:3]
    return Repo(Path(top), prefix, shallow.strip() == "true")


def _shallow_hint(repo: Repo) -> str:
    return (" — this is a shallow clone, so older commits are not here; fetch the history "
            "(`git fetch --unshallow`, or `fetch-depth: 0` in CI)") if repo.shallow else ""


def resolve(repo: Repo, rev: str) -> str:
    """The commit a revision names, or a GitError saying why there is none."""
    if not rev or rev.startswith("-") or any(c.isspace() for c in rev):
        raise GitError(f"'{rev}' is not a revision")
    try:
        return _run(repo.top, ["rev-parse", "--verify", "--quiet", "--end-of-options",
                               f"{rev}^{{commit}}"]).decode().strip()
    except GitError:
        pass
    if rev == "HEAD" and not _has_commits(repo):
        raise GitError("the repository has no commits yet, so there is nothing to compare with; "
                       "commit the records first") from None
    raise GitError(f"unknown revision '{rev}'{_shallow_hint(repo)}") from None


def _has_commits(repo: Repo) -> bool:
    try:
        _run(repo.top, ["rev-parse", "--verify", "--quiet", "HEAD"])
        return True
    except GitError:
        return False


def merge_base(repo: Repo, a: str, b: str) -> str:
    try:
        out = _run(repo.top, ["merge-base", a, b]).decode().strip()
    except GitError:
        out = ""
    if not out:
        raise GitError(f"the revisions {a[:10]} and {b[:10]} have no common ancestor here"
                       f"{_shallow_hint(repo)}")
    return out


def require_full_history(repo: Repo, what: str) -> None:
    if repo.shallow:
        raise GitError(f"{what} needs the full history, but this is a shallow clone; "
                       f"fetch it first (`git fetch --unshallow`, or `fetch-depth: 0` in CI)")


def is_record_path(relpath: str | None) -> bool:
    """YAML files the loader would read: no hidden folders or files (cache, CI)."""
    if not relpath or not relpath.endswith(_RECORD_SUFFIX) or "\n" in relpath:
        return False
    return not any(part.startswith(".") for part in relpath.split("/"))


def _names(repo: Repo, out: bytes) -> list[str]:
    paths = (repo.from_git(p.decode("utf-8", "surrogateescape")) for p in out.split(b"\0") if p)
    return sorted({p for p in paths if is_record_path(p)})


def changed_paths(repo: Repo, base: str, target: str) -> list[str]:
    """Record files that differ between commit ``base`` and ``target`` (a
    commit, WORKTREE or INDEX), untracked files counting as changes of the
    working tree."""
    args = ["diff", "--no-ext-diff", "--no-renames", "--name-only", "-z"]
    if target == WORKTREE:
        args += [base]
    elif target == INDEX:
        args += ["--cached", base]
    else:
        args += [base, target]
    out = _run(repo.top, [*args, "--", repo.pathspec])
    if target == WORKTREE:
        out += b"\0" + _run(repo.top, ["ls-files", "--others", "--exclude-standard", "-z", "--",
                                       repo.pathspec])
    return _names(repo, out)


def list_paths(repo: Repo, rev: str) -> list[str]:
    """Every record file at commit ``rev``."""
    out = _run(repo.top, ["ls-tree", "-r", "-z", "--name-only", "--full-tree", rev, "--",
                          repo.prefix or "."])
    return _names(repo, out)


def read_files(repo: Repo, side: str, relpaths: list[str]) -> dict[str, bytes | None]:
    """Content of each file at ``side`` (a commit, WORKTREE or INDEX); None
    where the file does not exist there."""
    if side == WORKTREE:
        out: dict[str, bytes | None] = {}
        for rel in relpaths:
            try:
                out[rel] = (repo.top / repo.to_git(rel)).read_bytes()
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                out[rel] = None
        return out
    spec = "" if side == INDEX else side
    return dict(zip(relpaths, cat_files(repo, [f"{spec}:{repo.to_git(r)}" for r in relpaths])))


def cat_files(repo: Repo, names: list[str]) -> list[bytes | None]:
    """Blobs for object names like ``<commit>:<path>``, in one git process."""
    if not names:
        return []
    stdin = "".join(n + "\n" for n in names).encode("utf-8", "surrogateescape")
    out = _run(repo.top, ["cat-file", "--batch"], stdin=stdin)
    blobs: list[bytes | None] = []
    pos = 0
    for _ in names:
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        pos = end + 1
        if header[-1] in (b"missing", b"ambiguous") or len(header) != 3:
            blobs.append(None)
            continue
        size = int(header[2])
        blobs.append(out[pos:pos + size] if header[1] == b"blob" else None)
        pos += size + 1
    return blobs


_LOG_FORMAT = "%x1e%H%x1f%P%x1f%aI%x1f%an%x1f%s"


def log(repo: Repo, patterns: list[str]) -> list[Commit]:
    """Commits (newest first) that touched files matching ``patterns`` (globs
    relative to the root, ``**`` for any folders), with the matching files
    each one added, modified or deleted.  Matching by name rather than
    following one path keeps a record's history whole when it moves folders."""
    specs = [f":(top,glob){repo.prefix}{p}" for p in patterns]
    out = _run(repo.top, ["log", f"--format={_LOG_FORMAT}", "--name-status", "--no-renames",
                          "-z", "--", *specs])
    commits = []
    for chunk in out.split(b"\x1e")[1:]:
        head, _, rest = chunk.partition(b"\0")
        sha, parents, date, author, subject = head.decode("utf-8", "replace").split("\x1f", 4)
        parts = rest.lstrip(b"\n").split(b"\0")
        files = []
        for status, path in zip(parts[0::2], parts[1::2]):
            rel = repo.from_git(path.decode("utf-8", "surrogateescape"))
            if rel is not None and status:
                files.append((status.decode()[:1], rel))
        commits.append(Commit(sha, parents.split(), date, author, subject, files))
    return commits
