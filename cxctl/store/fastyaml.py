"""YAML text straight to JSON-typed data, faster than load-then-normalise.

PyYAML's C loader parses and composes in C but constructs Python objects in
Python, through machinery built for every YAML feature (recursive anchors,
two-step mappings, tag registries).  Records use a small part of YAML:
mappings with text keys, lists, and plain or quoted scalars.  For those this
module builds the JSON-typed result directly from the composed nodes, with tag
resolution remembered for repeated values (ids, enum values).  Anything else
(merge keys, explicit or unknown tags, non-text keys, duplicate keys, a
timestamp without an offset) raises ``Unusual`` and the caller takes the
general path, so the result is always exactly what ``yaml.load`` followed by
``yamlread.to_json_types`` gives.  tests/test_readpath.py holds them equal.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"

# The forms records use; other spellings go through PyYAML's own constructor.
_CANONICAL_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
_CANONICAL_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_PLAIN_INT = re.compile(r"[1-9][0-9]*|0")

_RESOLVED: dict[str, str] = {}
_RESOLVED_LIMIT = 200_000


class Unusual(Exception):
    """The document uses something this builder leaves to the general path."""


class BadScalar(yaml.MarkedYAMLError):
    """A scalar that YAML types but Python cannot build (2026-02-30)."""


class Ambiguous(yaml.MarkedYAMLError):
    """A plain scalar that YAML 1.1 (PyYAML, the read path) and YAML 1.2
    (ruamel.yaml, the write path) read as different values."""


# Spellings both YAML versions read alike; any other boolean or integer
# spelling (yes/no/on/off, 0123 octal, 1:30 sexagesimal, 1_000) differs.
_SAME_BOOL = frozenset({"true", "false", "True", "False", "TRUE", "FALSE"})
_SAME_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")


def ambiguity(tag: str, value: str) -> str | None:
    """Why a plain scalar is read differently by YAML 1.1 and 1.2, or None."""
    if tag == BOOL and value not in _SAME_BOOL:
        return f"'{value}' is true/false to YAML 1.1 tools but text to YAML 1.2 tools"
    if tag == INT and not _SAME_INT.fullmatch(value):
        return f"'{value}' is a number to YAML 1.1 tools that YAML 1.2 tools read otherwise"
    if tag == FLOAT and (":" in value or "_" in value):
        return f"'{value}' is a number to YAML 1.1 tools that YAML 1.2 tools read otherwise"
    return None


def check_ambiguity(node: ScalarNode) -> None:
    problem = ambiguity(node.tag, node.value)
    if problem:
        raise Ambiguous(None, None, problem, node.start_mark)


class _Composer(yaml.CSafeLoader):
    """C parser and composer; plain scalars' tags are remembered by value
    (the resolver's answer depends on the value alone)."""

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            if not implicit[0]:
                return STR
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = yaml.resolver.Resolver.resolve(self, kind, value, implicit)
                if len(_RESOLVED) < _RESOLVED_LIMIT:
                    _RESOLVED[value] = tag
            return tag
        return MAP if kind is MappingNode else SEQ

    # Path resolvers are a PyYAML feature the safe loader never registers;
    # the composer would otherwise call these hooks for every node.
    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


assert not yaml.CSafeLoader.yaml_path_resolvers


_SCALARS = yaml.constructor.SafeConstructor()


def compose(text: str):
    loader = _Composer(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def load_json(text: str, normalise):
    """JSON-typed data of a single-document YAML text.

    ``normalise(value, where, naive)`` is ``yamlread.to_json_types``: dates
    and timestamps go through it, so they come out exactly as on the general
    path.  Raises ``yaml.YAMLError`` for malformed YAML, ``BadScalar`` for a
    value Python cannot build, ``Unusual`` for what the general path must
    handle.
    """
    node = compose(text)
    if node is None:
        return None
    return _build(node, normalise, set())


def _build(node, normalise, seen: set):
    cls = node.__class__
    if cls is ScalarNode:
        if node.tag == STR:
            return node.value
        return _scalar(node, normalise)
    # An aliased collection is one node reached twice: left to the general
    # path, which reports it without expanding it (an alias bomb stays small).
    if id(node) in seen:
        raise Unusual("alias")
    seen.add(id(node))
    if cls is MappingNode:
        if node.tag != MAP:
            raise Unusual(node.tag)
        out = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode or key_node.tag != STR:
                raise Unusual("key")
            key = key_node.value
            if key in out:
                raise Unusual("duplicate key")
            out[key] = _build(value_node, normalise, seen)
        return out
    if cls is SequenceNode:
        if node.tag != SEQ:
            raise Unusual(node.tag)
        return [_build(item, normalise, seen) for item in node.value]
    raise Unusual(cls.__name__)


def _scalar(node: ScalarNode, normalise):
    tag, value = node.tag, node.value
    try:
        if tag == TIMESTAMP:
            # The C parser for the spelling records use, PyYAML's for any other;
            # both give the same datetime (tests/test_readpath.py).
            if _CANONICAL_TS.fullmatch(value):
                built = datetime.fromisoformat(value)
            elif _CANONICAL_DATE.fullmatch(value):
                built = date.fromisoformat(value)
            else:
                built = _SCALARS.construct_yaml_timestamp(node)
            naive: list = []
            out = normalise(built, [], naive)
            if naive:                   # the general path says where it is
                raise Unusual("timestamp without offset")
            return out
        if tag == INT:
            if _PLAIN_INT.fullmatch(value):
                return int(value)
            check_ambiguity(node)
            return _SCALARS.construct_yaml_int(node)
        if tag == NULL:
            return None
        if tag == BOOL:
            check_ambiguity(node)
            return _SCALARS.construct_yaml_bool(node)
        if tag == FLOAT:
            check_ambiguity(node)
            return _SCALARS.construct_yaml_float(node)
    except (ValueError, OverflowError) as exc:
        raise BadScalar(None, None, f"'{value}' is not a valid value: {exc}", node.start_mark) from None
    raise Unusual(tag)
