"""Turning results into table, JSON, CSV or Markdown — and masking personal data.

Every command's output passes through here, so personal data (SPEC §5: phone,
e-mail, ID number) is masked in one place for every format.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from itertools import islice, repeat

from tabulate import tabulate

from cxctl.calendar import HOLIDAY, MAKEUP, WEEKDAY_LABELS, WEEKEND, BusinessCalendar, MonthDay
from cxctl.findings import Finding

FORMATS = ("table", "json", "csv", "md")
PII_KEYS = frozenset({"phone", "email", "id_number"})


def mask_phone(value: str) -> str:
    digits = value.replace(" ", "").replace("-", "")
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_email(value: str) -> str:
    local, at, domain = value.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_id_number(value: str) -> str:
    if len(value) <= 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


_MASKERS = {"phone": mask_phone, "email": mask_email, "id_number": mask_id_number}
MASKED_KEYS = frozenset(_MASKERS)

# Personal data typed into free text (a note, a quoted line of a record): a
# mainland mobile number, an ID number or an e-mail address standing on its own.
_MOBILE = re.compile(r"(?<![0-9A-Za-z-])(1[3-9][0-9]{9})(?![0-9A-Za-z])")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z-])([0-9]{17}[0-9X])(?![0-9A-Za-z])")
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def mask_text(text: str) -> str:
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(1)), text)
    text = _MOBILE.sub(lambda m: mask_phone(m.group(1)), text)
    return _EMAIL.sub(lambda m: mask_email(m.group(1)), text)


def scrub(value, key: str | None = None):
    """Mask personal data by key, and in free text: for files that must never
    hold it unmasked (the monthly report) and for quoted record lines."""
    if isinstance(value, dict):
        return {k: scrub(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, key) for v in value]
    if key in _MASKERS and isinstance(value, str) and value:
        return _MASKERS[key](value)
    if isinstance(value, str):
        return mask_text(value)
    return value


def mask(value, key: str | None = None):
    """Mask PII anywhere in a nested structure, by key name."""
    if isinstance(value, dict):
        return {k: mask(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v, key) for v in value]
    if key in _MASKERS and isinstance(value, str) and value:
        return _MASKERS[key](value)
    return value


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot render {type(value).__name__}")


def to_json(value) -> str:
    return "".join(json_chunks(value)) + "\n"


def json_chunks(value, level: int = 0):
    """``json.dumps(value, ensure_ascii=False, indent=2)`` as pieces, text for
    text: the standard encoder goes pure-Python once it indents, and a list of
    half a million rows is then both slow and held whole as one string."""
    if isinstance(value, (list, tuple)) and level == 0:
        yield from json_list_chunks(value)
    else:
        yield _json_text(value, level)


def json_list_chunks(items):
    """A JSON list of ``items`` (any iterable, read once), one piece per item."""
    return json_list_chunks_from_texts(map(_json_text, items, repeat(1)))


def json_item_text(item) -> str:
    """The text of one item as it stands inside a top-level list, for callers
    that keep encoded rows to stream later with ``json_list_chunks_from_texts``."""
    return _json_text(item, 1)


JSON_ITEM_SEPARATOR = ",\n  "     # between two items of a top-level JSON list


def json_list_chunks_from_texts(texts, batch: int = 1):
    """A JSON list around item texts already made by ``json_item_text`` (any
    iterable, read once), one piece per ``batch`` items: the rows are not
    encoded again.  A text may hold several items already joined by
    ``JSON_ITEM_SEPARATOR``."""
    texts = iter(texts)
    empty = True
    while part := list(islice(texts, batch)):
        yield ("[\n  " if empty else JSON_ITEM_SEPARATOR) + JSON_ITEM_SEPARATOR.join(part)
        empty = False
    yield "[]" if empty else "\n]"


_encode_text = json.encoder.encode_basestring
_float_text = json.encoder.JSONEncoder(allow_nan=True).iterencode

# Rows come in few shapes (the same keys in the same order), so the text
# around each value - separator, indent, key, ": " - is made once per shape
# and level.  Tried first: the C encoder with the indent in its separators;
# on Python 3.11 it took longer per 14-key row than the key-by-key loop.
_dict_shapes: dict[int, dict[tuple, tuple[list[str], str]]] = {}
_MAX_SHAPES = 1024


def _dict_shape(keys: tuple, level: int) -> tuple[list[str], str] | None:
    """The text before each value and the closing text, or None when a key is
    not a str (the standard encoder's key conversions then apply)."""
    shapes = _dict_shapes.get(level)
    shape = shapes.get(keys) if shapes is not None else None
    if shape is None:
        if any(type(k) is not str for k in keys):
            return None
        if shapes is None:
            shapes = _dict_shapes[level] = {}
        elif len(shapes) >= _MAX_SHAPES:
            shapes.clear()
        inner = "\n" + "  " * (level + 1)
        shape = shapes[keys] = ([f"{{{inner}{_encode_text(keys[0])}: "]
                                + [f",{inner}{_encode_text(k)}: " for k in keys[1:]],
                                "\n" + "  " * level + "}")
    return shape


def _json_text(value, level: int) -> str:
    if type(value) is dict:             # rows: the common case, tested first
        return _dict_text(value, level)
    if isinstance(value, str):
        return _encode_text(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return "".join(_float_text(value))
    if isinstance(value, dict):
        return _dict_text(value, level)
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        inner = "\n" + "  " * (level + 1)
        return "[" + inner + ("," + inner).join(_json_text(v, level + 1) for v in value) \
            + "\n" + "  " * level + "]"
    return _json_text(_json_default(value), level)


def _dict_text(value: dict, level: int) -> str:
    if not value:
        return "{}"
    shape = _dict_shape(tuple(value), level)
    if shape is None:
        return _json_reindented(value, level)
    befores, closing = shape
    parts = []
    for before, v in zip(befores, value.values()):
        kind = type(v)
        if kind is str:
            parts.append(before + _encode_text(v))
        elif v is None:
            parts.append(before + "null")
        elif kind is int:
            parts.append(before + int.__repr__(v))
        else:
            parts.append(before + _json_text(v, level + 1))
    parts.append(closing)
    return "".join(parts)


def _json_reindented(value, level: int) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2, default=_json_default)
    return text.replace("\n", "\n" + "  " * level)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1 else f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return ", ".join(f"{k}={_cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    return str(value)


def render(rows: list[dict], fmt: str = "table", *, columns: list[str] | None = None,
           show_pii: bool = False, empty: str = "(nothing to show)") -> str:
    if not show_pii:
        rows = mask(rows)
    if fmt == "json":
        return to_json(rows)
    if columns is None:
        columns = []
        for row in rows:
            columns += [k for k in row if k not in columns]
    table = [[_cell(row.get(c)) for c in columns] for row in rows]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(table)
        return buf.getvalue()
    if not rows:
        return empty + "\n"
    if fmt == "md":
        return tabulate(table, headers=columns, tablefmt="github", disable_numparse=True) + "\n"
    return tabulate(table, headers=columns, tablefmt="simple", disable_numparse=True) + "\n"


def render_record(data: dict, fmt: str, *, show_pii: bool = False) -> str:
    """One whole record (``show`` commands): YAML-like text, or JSON."""
    if not show_pii:
        data = mask(data)
    if fmt == "json":
        return to_json(data)
    if fmt in ("csv", "md"):
        flat = [{"field": k, "value": v} for k, v in data.items()]
        return render(flat, fmt, columns=["field", "value"], show_pii=True)
    lines = []
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{key}:")
            lines += [f"  - {_cell(v)}" for v in value]
        else:
            lines.append(f"{key}: {_cell(value)}")
    return "\n".join(lines) + "\n"


def findings_text(findings: list[Finding], *, color: bool = False, show_pii: bool = False) -> str:
    """`path:line:col: level code: message`, the line quoted with a caret, a hint.

    The quoted line and the message may hold personal data (a contact's
    phone on a bad line): masked unless ``show_pii``."""
    out = []
    for f in findings:
        shown = f if show_pii else masked_finding(f)
        level = f.level
        if color:
            level = f"\x1b[31m{level}\x1b[0m" if level == "error" else f"\x1b[33m{level}\x1b[0m"
        field = f" ({f.field})" if f.field else ""
        out.append(f"{f.location}: {level} {f.code}: {shown.message}{field}")
        if shown.source_line is not None and f.line is not None:
            gutter = str(f.line)
            out.append(f"  {gutter} | {shown.source_line.rstrip()}")
            if f.column:
                # The caret goes under the column of the line as shown: mask the
                # part before it the same way (a column is at a token boundary).
                prefix = f.source_line[: f.column - 1]
                caret_pad = _display_width(prefix if show_pii else mask_text(prefix))
                out.append(f"  {' ' * len(gutter)} | {' ' * caret_pad}^")
        if f.hint:
            out.append(f"  hint: {f.hint}")
    return "\n".join(out) + ("\n" if out else "")


def masked_finding(f: Finding) -> Finding:
    """The finding with personal data masked in its message and quoted line;
    a finding about a personal-data field quotes no line (a malformed phone
    number is no pattern a masker recognises)."""
    about_pii = f.field is not None and f.field.rsplit(".", 1)[-1] in PII_KEYS
    quoted = None if about_pii or f.source_line is None else mask_text(f.source_line)
    return replace(f, message=mask_text(f.message), source_line=quoted)


def _display_width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def summary_line(findings: list[Finding], files: int) -> str:
    errors = sum(f.level == "error" for f in findings)
    warnings = len(findings) - errors
    return f"{files} files checked: {errors} error{'s' * (errors != 1)}, " \
           f"{warnings} warning{'s' * (warnings != 1)}"


_DAY_MARKS = {HOLIDAY: "H", MAKEUP: "W", WEEKEND: "."}
_DAY_LEGEND = "H holiday   W make-up working day (调休)   . weekend   plain: working day"


def month_grid(cal: BusinessCalendar, days: list[MonthDay]) -> str:
    """A month of ``cal`` as a Monday-first grid marking holidays, make-up days
    and weekends, with the cut-off, business hours and provisional warning."""
    first = days[0].day
    hours = ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in cal.hours) or "not set"
    lines = [f"{cal.name}: {first:%B %Y} ({cal.tz.key}); cut-off {cal.cutoff:%H:%M}; "
             f"business hours {hours}", "  ".join(f"{d:>3}" for d in WEEKDAY_LABELS)]
    cells = ["   "] * first.weekday()
    for d in days:
        cells.append(f"{d.day.day:>2}{_DAY_MARKS.get(d.kind, ' ')}")
        if len(cells) == 7:
            lines.append("  ".join(cells).rstrip())
            cells = []
    if cells:
        lines.append("  ".join(cells).rstrip())
    lines.append(_DAY_LEGEND)
    for label, kind in (("holidays", HOLIDAY), ("make-up working days", MAKEUP)):
        listed = [f"{WEEKDAY_LABELS[d.day.weekday()]} {d.day:%m-%d}" for d in days if d.kind == kind]
        if listed:
            lines.append(f"{label}: {', '.join(listed)}")
    if first.year in cal.provisional:
        lines.append(f"warning: {first.year} is provisional: the official schedule is not published yet")
    return "\n".join(lines) + "\n"
