"""A small YAML writer for the human style of the records (SPEC §1).

Block mappings at the top, one-line flow mappings for list items (events,
contacts) and for values marked ``Flow``, plain scalars only where every YAML
loader (1.1 and 1.2) reads them back as the same string; everything else is
double-quoted.  Output depends on nothing but the data, so a fixed seed gives
byte-identical files.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal


class Flow(dict):
    """A mapping written on one line: ``{a: 1, b: 2}``."""


class Quoted(str):
    """A string always written double-quoted (phones, money, times of day)."""


# Strings starting with a letter or CJK character and made of word characters,
# CJK text and a few harmless punctuation marks cannot be read as numbers,
# dates or flow syntax; the YAML 1.1 boolean/null words are excluded separately.
_PLAIN = re.compile(r"^[A-Za-z\u3400-\u9fff][A-Za-z0-9_\-.@/\u3000-\u303f\u3400-\u9fff\uff00-\uffef]*$")
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")      # 2026-07: a string in YAML 1.1 and 1.2
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return json.dumps(str(value))
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        if not isinstance(value, Quoted) and value.lower() not in _RESERVED \
                and (_PLAIN.match(value) or _PERIOD.match(value)):
            return value
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"cannot write {type(value).__name__}: {value!r}")


def flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def _block(value, indent: int, out: list[str]) -> None:
    pad = " " * indent
    for key, v in value.items():
        if isinstance(v, Flow) or (isinstance(v, list) and all(not isinstance(i, (dict, list)) for i in v)):
            out.append(f"{pad}{key}: {flow(v)}")
        elif isinstance(v, dict):
            out.append(f"{pad}{key}:")
            _block(v, indent + 2, out)
        elif isinstance(v, list):
            out.append(f"{pad}{key}:")
            for item in v:
                out.append(f"{pad}  - {flow(item)}")
        else:
            out.append(f"{pad}{key}: {scalar(v)}")


def dump(value) -> str:
    """A document: a block mapping, or a list of one-line mappings (staff.yaml)."""
    out: list[str] = []
    if isinstance(value, list):
        out.extend(f"- {flow(item)}" for item in value)
    else:
        _block(value, 0, out)
    return "\n".join(out) + "\n"
