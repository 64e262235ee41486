"""The pieces every semantic comparison of records is built from.

``Change`` is one finding of a review; ``Notes`` collects the changes of one
record; ``list_edit`` tells how an append-only list (ticket events, a
customer's contact log) changed; the rest words values for people.
"""
from __future__ import annotations

import difflib
import json
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterable

from cxctl.render import mask

ERROR, WARNING, INFO = "error", "warning", "info"
LEVELS = (ERROR, WARNING, INFO)


@dataclass(slots=True)
class Change:
    kind: str            # customer | ticket | handover | staff | provider | survey | ...
    record: str          # id, handover stem or path
    change: str          # stable kebab-case code, e.g. "event-edited"
    level: str           # error | warning | info
    message: str
    path: str
    field: str | None = None

    def to_dict(self) -> dict:
        return {"level": self.level, "kind": self.kind, "record": self.record,
                "change": self.change, "message": self.message, "path": self.path,
                "field": self.field}


class Notes:
    """Changes of one record, so each comparison only says what it found."""

    def __init__(self, kind: str, record: str, path: str):
        self.kind, self.record, self.path = kind, record, path
        self.changes: list[Change] = []

    def __call__(self, level: str, change: str, message: str, field: str | None = None) -> None:
        self.changes.append(Change(self.kind, self.record, change, level, message, self.path, field))


# Review output goes into pull requests and CI logs, so personal data in
# messages is masked unless the caller (``--show-pii``) says otherwise.
SHOW_PII: ContextVar[bool] = ContextVar("SHOW_PII", default=False)


def short(value, limit: int = 60, key: str | None = None) -> str:
    """A value in a few words, for messages; personal data masked by key
    (a loan's phone) unless SHOW_PII is set."""
    if value is None:
        return "(none)"
    if isinstance(value, dict):
        text = ", ".join(f"{k}={short(v, limit, k)}" for k, v in value.items())
    elif isinstance(value, list):
        text = "[" + "; ".join(short(v, limit, key) for v in value) + "]"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value if SHOW_PII.get() else mask(value, key))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def field_changes(old: dict, new: dict, skip: Iterable[str] = (), prefix: str = "") -> list[str]:
    """"key a → b" for each key that differs, in the new file's order; nested
    mappings are followed down ("warning.ratio 0.2 → 0.25"), lists are whole."""
    out = []
    for k in changed_keys(old, new, skip):
        before, after = old.get(k), new.get(k)
        if isinstance(before, dict) and isinstance(after, dict):
            out += field_changes(before, after, prefix=f"{prefix}{k}.")
        else:
            out.append(f"{prefix}{k} {short(before, key=k)} → {short(after, key=k)}")
    return out


def changed_keys(old: dict, new: dict, skip: Iterable[str] = ()) -> list[str]:
    skipped = set(skip)
    keys = [k for k in new if k not in skipped] + [k for k in old if k not in new and k not in skipped]
    return [k for k in keys if old.get(k) != new.get(k)]


def item_diff(old: dict, new: dict) -> str:
    if isinstance(old, dict) and isinstance(new, dict):
        return "; ".join(field_changes(old, new)) or "reordered"
    return f"{short(old)} → {short(new)}"


def _canonical(item) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


@dataclass(slots=True)
class ListEdit:
    """How an append-only list changed: items appended at the end, inserted
    among earlier ones, edited in place or deleted (indexes into old / new)."""
    appended: list[int]
    inserted: list[int]
    edited: list[tuple[int, int]]
    deleted: list[int]


def list_edit(old: list, new: list) -> ListEdit:
    matcher = difflib.SequenceMatcher(None, [_canonical(x) for x in old],
                                      [_canonical(x) for x in new], autojunk=False)
    edit = ListEdit([], [], [], [])
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        edit.edited += [(i1 + k, j1 + k) for k in range(paired)]
        edit.deleted += list(range(i1 + paired, i2))
        extra = list(range(j1 + paired, j2))
        (edit.appended if i2 == len(old) else edit.inserted).extend(extra)
    return edit


def describe_entry(e: dict) -> str:
    """A ticket event or contact-log entry: "reply at 2026-11-04T10:00:00+08:00 by P-03"."""
    if not isinstance(e, dict):
        return short(e)
    parts = [str(e.get("type") or e.get("channel") or "entry"), "at", str(e.get("at"))]
    if e.get("by"):
        parts += ["by", str(e["by"])]
    if e.get("outcome"):
        parts.append(f"({e['outcome']})")
    if e.get("type") == "transfer":
        parts.append(f"{e.get('from')} → {e.get('to')}")
    return " ".join(parts)
