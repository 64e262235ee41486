"""The fast read path: raw bytes -> JSON-typed data, or findings.

Reading uses PyYAML's C loader (libyaml); ruamel.yaml is kept for writes,
where comments and layout must survive.  Positions are only worked out when a
file has a problem, by composing the document again: clean files pay nothing
for them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import yaml

from cxctl.findings import Finding, error
from cxctl.store import fastyaml

MIN_YEAR, MAX_YEAR = 1900, 2200
CONFLICT_MARKER = re.compile(rb"^(<{7}|={7}|>{7}|\|{7})(?: |$)", re.M)


class DuplicateKeyError(yaml.MarkedYAMLError):
    pass


class _FastLoader(yaml.CSafeLoader):
    """C-backed safe loader that refuses duplicate keys (PyYAML keeps the last
    one silently, which would hide a bad merge)."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise DuplicateKeyError(
                        "while reading a mapping", seen[key_node.value],
                        f"found duplicate key '{key_node.value}'", key_node.start_mark)
                seen[key_node.value] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


    def construct_yaml_bool(self, node):
        fastyaml.check_ambiguity(node)
        return super().construct_yaml_bool(node)

    def construct_yaml_int(self, node):
        fastyaml.check_ambiguity(node)
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node):
        fastyaml.check_ambiguity(node)
        return super().construct_yaml_float(node)


_FastLoader.add_constructor("tag:yaml.org,2002:map", _FastLoader.construct_yaml_map)
_FastLoader.add_constructor("tag:yaml.org,2002:bool", _FastLoader.construct_yaml_bool)
_FastLoader.add_constructor("tag:yaml.org,2002:int", _FastLoader.construct_yaml_int)
_FastLoader.add_constructor("tag:yaml.org,2002:float", _FastLoader.construct_yaml_float)


class UnusableValue(Exception):
    """A value no record can hold (binary data, a set) or a collection that
    appears twice through an alias."""

    def __init__(self, where: list, message: str, hint: str):
        super().__init__(message)
        self.where, self.message, self.hint = where, message, hint


@dataclass(slots=True)
class Parsed:
    data: object | None
    findings: list[Finding]
    text: str | None


def decode(raw: bytes, path: str) -> tuple[str | None, list[Finding]]:
    """Bytes to text, or a finding for files that are not YAML text at all."""
    if not raw.strip():
        return None, [error(path, "empty-file", "the file is empty",
                            hint="delete it, or restore its content from git")]
    if b"\x00" in raw:
        return None, [error(path, "binary-file", "the file holds binary data, not YAML text",
                            hint="restore it from git; records are plain UTF-8 YAML")]
    marker = CONFLICT_MARKER.search(raw)
    if marker:
        line = raw.count(b"\n", 0, marker.start()) + 1
        text = raw.decode("utf-8", errors="replace")
        f = error(path, "merge-conflict",
                  "unresolved git merge-conflict marker", line=line, column=1,
                  hint="resolve the conflict (keep one side or combine them), then remove the "
                       "<<<<<<< ======= >>>>>>> lines")
        f.source_line = text.splitlines()[line - 1]
        return None, [f]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, [error(path, "encoding", "the file is not valid UTF-8", line=line,
                            hint="save the file as UTF-8")]


def parse(raw: bytes, path: str) -> Parsed:
    text, findings = decode(raw, path)
    if text is None:
        return Parsed(None, findings, None)
    return _parse_text(text, path)


def _parse_text(text: str, path: str) -> Parsed:
    try:
        data = yaml.load(text, Loader=_FastLoader)
    except yaml.MarkedYAMLError as exc:
        return Parsed(None, [_syntax_finding(exc, text, path)], text)
    except yaml.YAMLError as exc:    # errors without a position
        return Parsed(None, [error(path, "yaml-syntax", str(exc))], text)
    except (ValueError, OverflowError) as exc:    # a date that does not exist
        return Parsed(None, [error(path, "bad-format", f"a value is not valid: {exc}",
                                   hint=_BAD_SCALAR_HINT)], text)
    except RecursionError:
        return Parsed(None, [_recursive(path)], text)
    return Parsed(data, [], text)


@dataclass(slots=True)
class Loaded:
    data: object | None           # JSON-typed
    naive: list[list]             # where timestamps without a UTC offset are
    findings: list[Finding]
    text: str | None


def load(raw: bytes, path: str) -> Loaded:
    """Bytes to JSON-typed data (the read path every command uses).

    Ordinary records take ``fastyaml``; a document it leaves aside takes the
    general path (``yaml.load`` then ``to_json_types``), which gives the same
    result for every document both accept.
    """
    text, findings = decode(raw, path)
    if text is None:
        return Loaded(None, [], findings, None)
    try:
        return Loaded(fastyaml.load_json(text, to_json_types), [], [], text)
    except fastyaml.Unusual:
        pass
    except yaml.MarkedYAMLError as exc:
        return Loaded(None, [], [_syntax_finding(exc, text, path)], text)
    except yaml.YAMLError as exc:
        return Loaded(None, [], [error(path, "yaml-syntax", str(exc))], text)
    except RecursionError:
        return Loaded(None, [], [_recursive(path)], text)
    parsed = _parse_text(text, path)
    if parsed.findings:
        return Loaded(None, [], parsed.findings, text)
    naive: list[list] = []
    try:
        data = to_json_types(parsed.data, naive=naive, seen=set())
    except RecursionError:
        return Loaded(None, [], [_recursive(path)], text)
    except UnusableValue as exc:
        field = ".".join(map(str, exc.where)) or None
        return Loaded(None, [], [error(path, "unusable-value", exc.message, field=field,
                                       hint=exc.hint)], text)
    return Loaded(data, naive, [], text)


_BAD_SCALAR_HINT = ("dates are YYYY-MM-DD and timestamps 2026-11-24T09:12:00+08:00, "
                    "with a day and time that exist")


def _recursive(path: str) -> Finding:
    return error(path, "yaml-syntax", "an alias refers to the node that contains it",
                 hint="records cannot contain themselves; replace the alias (*name) with the value")


def _syntax_finding(exc: yaml.MarkedYAMLError, text: str, path: str) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    source = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else None
    problem = exc.problem or exc.context or "malformed YAML"
    code, hint = "yaml-syntax", None
    if isinstance(exc, DuplicateKeyError):
        code, hint = "duplicate-key", "each key may appear once in a mapping; keep one of them"
    elif isinstance(exc, fastyaml.BadScalar):
        code, hint = "bad-format", _BAD_SCALAR_HINT
    elif isinstance(exc, fastyaml.Ambiguous):
        code = "ambiguous-scalar"
        hint = ('write true or false, or a plain number; put it in double quotes ("…") '
                "if you mean the text")
    elif source is not None and "\t" in source[: (column or 1)]:
        problem, hint = "tab character in indentation", "indent with spaces, not tabs"
    elif "found character '\\t'" in str(exc):
        problem, hint = "tab character in indentation", "indent with spaces, not tabs"
    f = error(path, code, problem, line=line, column=column, hint=hint)
    f.source_line = source
    return f


# --- normalising to JSON types ------------------------------------------------

def to_json_types(value, where=None, naive=None, seen=None):
    """YAML-native values to the JSON types the schemas describe.

    Timestamps become ISO strings with their offset; a timestamp without an
    offset is recorded in ``naive`` (its path) and kept without one so the
    schema's date-time format rejects it too.  With ``seen`` (a set), a
    collection met twice (an alias) raises UnusableValue instead of being
    copied out, and so does a value of a type no record holds.
    """
    if where is None:
        where = []
    if isinstance(value, (dict, list)) and seen is not None:
        if id(value) in seen:
            raise UnusableValue(where, "an alias (*name) repeats a mapping or list",
                                "records do not use anchors and aliases; write the value out")
        seen.add(id(value))
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, (date, datetime)) else k.isoformat():
                to_json_types(v, where + [str(k)], naive, seen) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json_types(v, where + [i], naive, seen) for i, v in enumerate(value)]
    if isinstance(value, datetime):
        if value.tzinfo is None and naive is not None:
            naive.append(list(where))
        elif not MIN_YEAR <= value.year <= MAX_YEAR and naive is not None:
            # Kept as text the date-time format rejects: deadline arithmetic
            # near year 1 or 9999 would overflow.
            return f"out of range: {value.isoformat()}"
        return value.isoformat()
    if isinstance(value, date):
        if not MIN_YEAR <= value.year <= MAX_YEAR and naive is not None:
            return f"out of range: {value.isoformat()}"
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if seen is not None and not isinstance(value, (str, int, float, bool, type(None))):
        raise UnusableValue(where, f"a value of YAML type {type(value).__name__} (an explicit tag "
                                   f"such as !!binary or !!set) cannot be held in a record",
                            "write plain text, numbers, lists and mappings only")
    return value


# --- positions --------------------------------------------------------------

def compose(text: str):
    try:
        return yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None


def locate(root, where: list, *, key: str | None = None) -> tuple[int | None, int | None]:
    """Line and column (1-based) of the node at ``where``; with ``key``, of
    that key inside the mapping at ``where``."""
    node = root
    for part in where:
        node = _child(node, part)
        if node is None:
            return None, None
    if key is not None and isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k.start_mark.line + 1, k.start_mark.column + 1
    if node is None:
        return None, None
    return node.start_mark.line + 1, node.start_mark.column + 1


def _child(node, part):
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                return v
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None

