"""Line and column for findings that name a field (hledger-style pointers)."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from cxctl.findings import Finding
from cxctl.store import yamlread


def fill(findings: list[Finding], text: str | None) -> None:
    """Give each finding that names a field the position of that node, and
    the source line for the caret.  Composes the document once, lazily."""
    pending = [f for f in findings if f.line is None and f.field is not None]
    if text is None:
        return
    lines = text.splitlines()
    if pending:
        root = yamlread.compose(text)
        if root is not None:
            for f in pending:
                where = [int(p) if p.isascii() and p.isdecimal() else p for p in f.field.split(".")]
                if f.code in ("unknown-field", "field-not-allowed"):
                    f.line, f.column = yamlread.locate(root, where[:-1], key=str(where[-1]))
                else:
                    f.line, f.column = yamlread.locate(root, where)
                    if f.line is None:      # a missing field: point at its parent
                        f.line, f.column = yamlread.locate(root, where[:-1])
    for f in findings:
        if f.line is None and f.code in ("missing-field", "schema") and f.field is None and lines:
            f.line, f.column = 1, 1
        if f.line is not None and f.source_line is None and f.line <= len(lines):
            f.source_line = lines[f.line - 1]


def fill_from_files(root: Path, findings: list[Finding]) -> None:
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.line is None and f.field is not None:
            by_path[f.path].append(f)
    for path, group in by_path.items():
        try:
            text = (root / path).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        fill(group, text)
