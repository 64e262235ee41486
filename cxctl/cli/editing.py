"""Shared plumbing for commands that write: --set parsing and type coercion."""
from __future__ import annotations

from datetime import date, datetime

from cxctl.cli.common import fail
from cxctl.store import schemas


def _subschema(schema: dict, parts: list[str]) -> dict | None:
    defs = schema.get("$defs", {})
    node = schema
    for part in parts:
        while "$ref" in node:
            node = defs.get(node["$ref"].rsplit("/", 1)[-1], {})
        props = node.get("properties", {})
        if part in props:
            node = props[part]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return None
    while "$ref" in node:
        node = defs.get(node["$ref"].rsplit("/", 1)[-1], {})
    return node


def coerce(kind: str, dotted: str, raw: str):
    """A command-line value in the type the schema wants at that field, so
    `--set rating.asset_scale=4` writes a number and `--set name=yes` text."""
    node = _subschema(schemas.load_schema(kind), dotted.split("."))
    if node is None:
        fail(f"'{dotted}' is not a field of a {kind}")
    wanted = node.get("type")
    enum = node.get("enum")
    if enum and all(isinstance(v, int) for v in enum):
        wanted = "integer"
    try:
        if wanted == "integer":
            return int(raw)
        if wanted == "number":
            return float(raw)
        if wanted == "boolean":
            if raw.lower() not in ("true", "false"):
                raise ValueError
            return raw.lower() == "true"
        if node.get("format") == "date":
            return date.fromisoformat(raw)
        if node.get("format") == "date-time":
            moment = datetime.fromisoformat(raw)
            if moment.tzinfo is None:
                fail(f"'{dotted}' needs a timestamp with its UTC offset, e.g. 2026-11-24T09:12:00+08:00")
            return moment
    except ValueError:
        fail(f"'{dotted}' expects {wanted or node.get('format')}, not '{raw}'")
    return raw


def parse_assignments(items: list[str]) -> list[tuple[str, str]]:
    out = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f"'{item}' is not KEY=VALUE")
        out.append((key.strip(), value))
    return out


def set_path(doc, dotted: str, value) -> None:
    parts = dotted.split(".")
    node = doc
    for part in parts[:-1]:
        if part not in node or node[part] is None:
            from ruamel.yaml.comments import CommentedMap
            node[part] = CommentedMap()
        node = node[part]
    node[parts[-1]] = value


def unset_path(doc, dotted: str) -> None:
    """Remove the field (or list item, by its 0-based index) at ``dotted``;
    a path that names nothing is an error, not a silent no-op."""
    parts = dotted.split(".")
    node = doc
    for depth, part in enumerate(parts):
        if isinstance(node, dict) and part in node:
            key = part
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            key = int(part)
        else:
            fail(f"--unset: no field '{dotted}' in this record "
                 f"('{'.'.join(parts[:depth + 1])}' does not exist); nothing was written")
        if depth == len(parts) - 1:
            del node[key]
            return
        node = node[key]
