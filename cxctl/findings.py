"""Findings: problems reported as data, never raised.

Every check in cxctl (schema, cross-record, reconciliation) produces these, so
that one bad file never stops the others from being read and the caller decides
how to show them and which exit code they mean.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(slots=True)
class Finding:
    path: str                      # relative to the records root, "/" separators
    line: int | None               # 1-based
    column: int | None             # 1-based
    field: str | None              # dotted path inside the record: "events.2.at"
    code: str                      # stable, kebab-case: "unknown-field"
    level: str                     # ERROR | WARNING
    message: str
    hint: str | None = None
    source_line: str | None = field(default=None, repr=False)   # the offending line, for the caret

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "code": self.code,
            "level": self.level,
            "message": self.message,
        }

    @property
    def location(self) -> str:
        if self.line is None:
            return self.path
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"

    @classmethod
    def from_dict(cls, d: dict) -> Finding:
        return cls(**{k: d.get(k) for k in (
            "path", "line", "column", "field", "code", "level", "message", "hint", "source_line")})


def error(path, code, message, *, line=None, column=None, field=None, hint=None) -> Finding:
    return Finding(path, line, column, field, code, ERROR, message, hint)


def warning(path, code, message, *, line=None, column=None, field=None, hint=None) -> Finding:
    return Finding(path, line, column, field, code, WARNING, message, hint)


def has_errors(findings) -> bool:
    return any(f.level == ERROR for f in findings)


def sort_key(f: Finding):
    return (f.path, f.line or 0, f.column or 0, f.code)
