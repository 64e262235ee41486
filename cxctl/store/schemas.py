"""Schemas (JSON Schema 2020-12 written as YAML) and the findings they give.

Validation uses jsonschema-rs: the same error paths as the reference
implementation at a small fraction of the cost per record.  Each error is
turned into a finding that names the field, and later gets the line and column
of that node in the file.
"""
from __future__ import annotations

import difflib
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jsonschema_rs
import yaml

from cxctl.findings import Finding, error

_COMMON_REF = "common.yaml#/$defs/"

JSON_TYPE = {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
             int: "a whole number", float: "a number", type(None): "empty (null)"}


def schema_dir() -> Path:
    try:
        found = resources.files("cxctl.schemas")
        if found.joinpath("common.yaml").is_file():
            return Path(str(found))
    except ModuleNotFoundError:
        pass
    # Running from a source checkout without installing.
    return Path(__file__).resolve().parents[2] / "schemas"


@lru_cache(maxsize=None)
def available() -> frozenset[str]:
    return frozenset(p.stem for p in schema_dir().glob("*.yaml") if p.stem != "common")


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    """The schema with references into common.yaml resolved locally, so each
    compiled validator stands alone."""
    path = schema_dir() / f"{name}.yaml"
    schema = yaml.load(path.read_text("utf-8"), Loader=yaml.CSafeLoader)
    common = yaml.load((schema_dir() / "common.yaml").read_text("utf-8"),
                       Loader=yaml.CSafeLoader)["$defs"]
    schema.setdefault("$defs", {})
    for key, value in common.items():
        schema["$defs"].setdefault(key, value)
    return _rewrite_refs(schema)


def _rewrite_refs(node):
    if isinstance(node, dict):
        return {k: (("#/$defs/" + v[len(_COMMON_REF):]) if k == "$ref" and isinstance(v, str)
                    and v.startswith(_COMMON_REF) else _rewrite_refs(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


@lru_cache(maxsize=None)
def validator(name: str):
    return jsonschema_rs.validator_for(load_schema(name), validate_formats=True)


def check(name: str, data, path: str, skip_fields: set[str] = frozenset()) -> list[Finding]:
    """Schema findings for one record, without positions yet.

    ``skip_fields`` are fields already reported more precisely (naive
    timestamps), whose format errors would only repeat them.
    """
    findings: list[Finding] = []
    errors = list(validator(name).iter_errors(data))
    # A value that is not a date-time also breaks the spelling pattern: say it once.
    bad_format = {tuple(e.instance_path) for e in errors if type(e.kind).__name__ == "Format"}
    for err in errors:
        if type(err.kind).__name__ == "Pattern" and tuple(err.instance_path) in bad_format:
            continue
        where = list(err.instance_path)
        field = ".".join(str(p) for p in where) or None
        kind = type(err.kind).__name__
        if kind == "AdditionalProperties":
            known = _known_properties(name, list(err.schema_path))
            for key in err.kind.unexpected:
                sub = ".".join([*map(str, where), key])
                close = difflib.get_close_matches(key, known, n=1)
                hint = f"did you mean '{close[0]}'?" if close else (
                    f"known fields here: {', '.join(sorted(known))}" if known else None)
                findings.append(error(path, "unknown-field", f"unknown field '{key}'",
                                      field=sub, hint=hint))
            continue
        if field in skip_fields:
            continue
        findings.append(_finding(kind, err, data, where, field, path))
    return findings


# Fields whose bad values are not repeated in messages: findings are printed,
# logged by CI and pasted into pull requests.
PII_FIELDS = frozenset({"phone", "email", "id_number"})


def _finding(kind: str, err, data, where, field, path) -> Finding:
    label = f"'{field}'" if field else "the record"
    if where and str(where[-1]) in PII_FIELDS and kind in ("Pattern", "Format", "Enum", "MinLength"):
        return error(path, "bad-value", f"{label} is not a valid {where[-1].replace('_', ' ')}",
                     field=field, hint=_PII_HINT[str(where[-1])])
    if kind == "Required":
        return error(path, "missing-field", f"missing required field '{err.kind.property}'",
                     field=field, hint=f"add '{err.kind.property}:' to {label}" if field else
                     f"add '{err.kind.property}:' at the top level")
    if kind == "Type":
        value = _value_at(data, where)
        got = JSON_TYPE.get(type(value), type(value).__name__)
        hint = None
        if isinstance(value, (bool, int, float)) and "string" in str(err.message):
            hint = 'write the value in double quotes ("...") so YAML keeps it as text'
        return error(path, "wrong-type", f"{label} should be {_expected_type(err.message)}, "
                     f"not {got}", field=field, hint=hint)
    if kind == "Enum":
        options = ", ".join(str(o) for o in err.kind.options)
        return error(path, "bad-value", f"{label} must be one of: {options}; "
                     f"got {_value_at(data, where)!r}", field=field)
    if kind == "FalseSchema":
        name = str(where[-1]) if where else ""
        return error(path, "field-not-allowed", f"{label} does not belong on this record",
                     field=field, hint=_ONLY_ON.get(name))
    if kind == "Format":
        return error(path, "bad-format", f"{label} is not a valid {err.kind.format}: "
                     f"{_value_at(data, where)!r}", field=field,
                     hint=_FORMAT_HINT.get(err.kind.format))
    return error(path, "schema", f"{label}: {err.message}", field=field)


_PII_HINT = {
    "phone": 'digits, optionally with +, spaces or dashes, e.g. "13800138000" (quoted)',
    "email": "an address like name@example.com",
    "id_number": 'an 18-character ID number: 17 digits and a digit or X, quoted',
}

# Why a field is refused where it stands (schemas use `false` for these).
_ONLY_ON = {
    "quality_class": "only quality tickets (kind: quality) have a quality_class",
    "severity": "only complaints have a severity",
    "return": "only complaints carry a return",
    "outcome": "only contact and revisit events have an outcome",
    "false_reply": "only a revisit can mark a reply as false",
    "until": "only extend events have until/approved_by",
    "approved_by": "only extend events have until/approved_by",
    "from": "only transfer events have from/to",
    "to": "only transfer events have from/to",
}

_FORMAT_HINT = {
    "date-time": "write timestamps as 2026-11-24T09:12:00+08:00 (with the UTC offset)",
    "date": "write dates as YYYY-MM-DD",
}


def _expected_type(message: str) -> str:
    # jsonschema-rs says: '5 is not of type "string"'
    tail = message.rsplit("of type", 1)[-1].strip().strip('"')
    return {"string": "text", "integer": "a whole number", "object": "a mapping",
            "array": "a list", "boolean": "true or false", "number": "a number"}.get(tail, tail)


def _value_at(data, where):
    for part in where:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _known_properties(name: str, schema_path: list) -> list[str]:
    node = load_schema(name)
    defs = node.get("$defs", {})
    for part in schema_path[:-1]:
        if isinstance(node, dict) and "$ref" in node and part not in node:
            node = defs.get(node["$ref"].rsplit("/", 1)[-1], {})
        try:
            node = node[part if not isinstance(node, list) else int(part)]
        except (KeyError, IndexError, TypeError, ValueError):
            return []
    while isinstance(node, dict) and "$ref" in node and "properties" not in node:
        node = defs.get(node["$ref"].rsplit("/", 1)[-1], {})
    return list(node.get("properties", {})) if isinstance(node, dict) else []
