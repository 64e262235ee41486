"""Writing records: locked, validated, atomic, and diff-friendly.

Edits go through ruamel.yaml's round-trip mode so comments, key order and
quoting survive and a one-field change is a one-line diff.  The new text is
checked with the same code the loader uses before it replaces anything, and it
replaces the old file by rename, so a crash leaves either the old file or the
new one, never half of one.  One lock per records root serialises writers (a
cron job and a person).

What a round trip through ruamel.yaml loses is put back from the file as it
was (``_Layout``): its line endings, a missing final newline, and everything
before the document's content when it starts with an explicit ``---``
(directives such as ``%YAML 1.2``, the marker itself, comments above them, a
byte order mark).
"""
from __future__ import annotations

import io
import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Callable

import yaml as pyyaml
from filelock import FileLock, Timeout
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter

from cxctl.findings import Finding, error
from cxctl.store import layout
from cxctl.store.loader import check_bytes
from cxctl.store.yamlread import load as read_yaml

LOCK_NAME = ".cxctl.lock"
LOCK_TIMEOUT = 60.0

# Lists whose items are written one per line as flow mappings, and mappings
# written inline, as in the SPEC's examples.
FLOW_ITEMS = {"events", "contacts", "contact_log", "documents", "movements", "loans",
              "open_matters"}
FLOW_MAPS = {"impact", "return", "override", "outgoing", "incoming", "sealed_to_control_room"}
# Mappings whose every value is written inline (a handover's per-item counts).
FLOW_CHILDREN = {"counts"}


class WriteRefused(Exception):
    """The new content would be invalid; nothing was written."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("; ".join(f"{f.field or f.path}: {f.message}" for f in findings))


class LockBusy(Exception):
    pass


# --- ruamel set-up -----------------------------------------------------------

_YAML11 = pyyaml.resolver.Resolver()


# Characters YAML 1.1 reads as line breaks and YAML 1.2 does not (NEL, LS, PS).
_YAML11_BREAKS = frozenset("\x85\u2028\u2029")


def _represent_str(representer, value: str):
    """Quote text that a YAML 1.1 reader (PyYAML, the fast read path) would
    take for something else: yes/no, numbers, 16:30 (sexagesimal), dates;
    text starting with ? or : (indicators to libyaml inside [..] and {..});
    text holding a character only YAML 1.1 takes for a line break."""
    tag = _YAML11.resolve(pyyaml.ScalarNode, value, (True, False))
    if tag != "tag:yaml.org,2002:str" or value[:1] in ("?", ":") or \
            not _YAML11_BREAKS.isdisjoint(value):
        return representer.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return RoundTripRepresenter.represent_str(representer, value)


def _represent_datetime(representer, value: datetime):
    return representer.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


def _represent_none(representer, value):
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _represent_decimal(representer, value: Decimal):
    return representer.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


def make_yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096                      # never wrap long lines: wrapping makes diffs noisy
    y.indent(mapping=2, sequence=4, offset=2)
    y.representer.add_representer(str, _represent_str)
    y.representer.add_representer(datetime, _represent_datetime)
    y.representer.add_representer(type(None), _represent_none)
    y.representer.add_representer(Decimal, _represent_decimal)
    return y


def dump(doc) -> str:
    buf = io.StringIO()
    make_yaml().dump(doc, buf)
    return buf.getvalue()


def to_commented(value, key: str | None = None):
    """Plain data to ruamel nodes laid out like the SPEC's examples."""
    if isinstance(value, dict):
        node = CommentedMap()
        for k, v in value.items():
            node[k] = to_commented(v, "item" if key in FLOW_CHILDREN else k)
        if key in FLOW_MAPS or key == "item":
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        node = CommentedSeq()
        for v in value:
            item = to_commented(v, "item" if key in FLOW_ITEMS else None)
            node.append(item)
        if all(not isinstance(v, (dict, list)) for v in value):
            node.fa.set_flow_style()
        return node
    return value


# --- the file's own layout ---------------------------------------------------

# The explicit document start: "---" alone on its line, or with a comment.
_START_MARKER = re.compile(r"---(?:[ \t]+(?:#[^\n]*)?)?\n")


@dataclass(frozen=True, slots=True)
class _Layout:
    """What ruamel.yaml does not give back on a round trip, taken from the file.

    ``head`` is the text before the document's content, kept verbatim: a byte
    order mark, and when the document starts with an explicit ``---`` line,
    that line and every directive, comment and blank line above it (ruamel
    drops directives, the marker and comments above it, and moves a comment
    on the marker line).  ``newline`` is the line break the file is written
    with: CRLF when most of its lines end so, else LF (a file mixing the two
    comes back uniform, in its majority's ending; a tie goes to LF, the
    ending of files cxctl creates).
    """

    head: str
    newline: str
    final_newline: bool


def _split(raw: str) -> tuple[_Layout, str]:
    """The file's layout and its content with LF line breaks, ``head`` removed."""
    crlf = raw.count("\r\n")
    newline = "\r\n" if crlf > raw.count("\n") - crlf else "\n"
    # YAML reads CR LF, CR and LF alike as line breaks (in scalars too), so
    # LF-only text holds the same data; ruamel would keep a CR inside comments.
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    content = 1 if text.startswith("\ufeff") else 0
    pos = content
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end + 1
        line = text[pos:end]
        if _START_MARKER.fullmatch(line):
            content = end
            break
        if not (line.startswith("%") or line.strip() == "" or line.lstrip().startswith("#")):
            break
        pos = end
    return _Layout(text[:content], newline, text.endswith("\n")), text[content:]


def _restore(kept: _Layout, dumped: str) -> str:
    """ruamel's output for the content, laid out as the file was."""
    text = kept.head + dumped
    if not kept.final_newline and text.endswith("\n"):
        # Without its final line break the text reads the same unless it
        # ends in a block scalar whose value ends in a line break: then the
        # newline stays, as the value needs it.
        trimmed = text[:-1]
        if read_yaml(trimmed.encode("utf-8"), "-").data == read_yaml(text.encode("utf-8"), "-").data:
            text = trimmed
    return text if kept.newline == "\n" else text.replace("\n", kept.newline)


# --- locking and atomic replacement ------------------------------------------

_locks: dict[str, FileLock] = {}
_locks_guard = threading.Lock()


@contextmanager
def locked(root: Path, timeout: float = LOCK_TIMEOUT):
    """Hold the records root's write lock (re-entrant within one process)."""
    path = str(Path(root).resolve() / LOCK_NAME)
    with _locks_guard:
        lock = _locks.setdefault(path, FileLock(path))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise LockBusy(f"another cxctl process is writing to {root} (lock {path}); "
                       f"try again when it has finished") from None
    try:
        yield
    finally:
        lock.release()


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _check(relpath: str, text: str) -> None:
    kind, hint = layout.classify(relpath)
    if kind is None:
        raise WriteRefused([error(relpath, "wrong-folder", "no record belongs at this path", hint=hint)])
    entry = check_bytes(text.encode("utf-8"), relpath, kind)
    problems = [f for f in entry.findings if f.level == "error"]
    if problems:
        raise WriteRefused(problems)


# --- the operations -----------------------------------------------------------

def create_record(root: Path, relpath: str, data, *, header: str | None = None) -> Path:
    root = Path(root)
    text = dump(to_commented(data))
    if header:
        text = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + text
    with locked(root):
        target = root / relpath
        if target.exists():
            raise WriteRefused([error(relpath, "exists", f"{relpath} already exists")])
        _check(relpath, text)
        atomic_write(target, text)
    return target


def update_record(root: Path, relpath: str, mutate: Callable[[CommentedMap], None]) -> bool:
    """Apply ``mutate`` to the round-trip document; write it if it changed.

    Returns whether the file changed.  Refuses (WriteRefused) if the result
    is invalid or the current file cannot be read as YAML.
    """
    root = Path(root)
    target = root / relpath
    with locked(root):
        try:
            raw = target.read_bytes()
            old = raw.decode("utf-8")      # as it is on disk: no newline translation
        except FileNotFoundError:
            raise WriteRefused([error(relpath, "missing", f"{relpath} does not exist")]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise WriteRefused([error(relpath, "unreadable", str(exc))]) from None
        kind, _ = layout.classify(relpath)
        current = check_bytes(raw, relpath, kind) if kind else None
        if current is None or current.data is None:
            raise WriteRefused([f for f in (current.findings if current else []) if f.level == "error"]
                               or [error(relpath, "unreadable", "the file cannot be edited safely")])
        # The content is loaded without the head: ruamel reads it as YAML 1.2
        # whatever %YAML says, which cannot change its data, as the read path
        # above refuses every value YAML 1.1 and 1.2 read differently, and
        # every tag but YAML's own (so %TAG handles are never in use).
        kept, content = _split(old)
        doc = make_yaml().load(content)
        mutate(doc)
        new = _restore(kept, dump(doc))
        if new == old:
            return False
        _check(relpath, new)
        atomic_write(target, new)
    return True


def new_entry(data: dict, key: str):
    """A mapping to append to one of the FLOW_ITEMS lists, in the file's style."""
    return to_commented(data, "item" if key in FLOW_ITEMS else None)
