"""The fast read path (PyYAML's C loader + to_json_types, via fastyaml) and the
edit path (ruamel.yaml round-trip, YAML 1.2) give identical JSON data for
every record, and the writer keeps records in the subset where they agree."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st
from ruamel.yaml import YAML

from conftest import write
from cxctl.store import fastyaml, loader, yamlread
from cxctl.store.writer import dump, to_commented

REPO = Path(__file__).resolve().parents[1]

TRICKY = """\
id: C-TRICKY1
name: 重庆晨光商贸有限公司（二期）——「测试」
kind: tenant
status: active
since: 2024-02-29
over_acceptance_ratio: "0.05"
contacts:
  - {name: 张敏, phone: "0123456789", email: zm@example.com, role: "yes"}
  - {name: "no", phone: "13800138000", role: "16:30"}
contact_log:
  - {at: 2026-03-05T10:00:00+08:00, by: S-021, channel: visit, summary: "on"}
  - {at: 2026-03-05T02:00:00+00:00, by: S-021, channel: phone, summary: "null"}
  - {at: 2026-07-01T23:59:59-05:30, by: S-021, channel: email, summary: "2026-11-24"}
  - {at: 2026-10-25T01:30:00.250000+01:00, by: S-021, channel: other, summary: "1e3"}
documents:
  - {type: lease_contract, ref: "archive/2024/0123.pdf", date: 2024-02-20}
  - {type: "~", ref: "5000.01", date: 2026-12-31}
notes: |
  多行文本
  第二行: 16:30, yes, 0123
"""

# Documents the fast builder hands to the general path, and a few it keeps.
ODD = {
    "merge key": "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
    "explicit tags": "a: !!str 123\nb: !!int '7'\nc: !!float 1\n",
    "binary": "a: !!binary aGVsbG8=\n",
    "int keys": "1: one\n2.5: two\ntrue: three\n2026-01-02: four\n",
    "number spellings": "a: 0o17\nb: 0x1F\nc: 1_000\nd: 0123\ne: +12\nf: 190:20:30\ng: .inf\nh: -.5\n",
    "null spellings": "a: ~\nb: null\nc:\nd: Null\n",
    "bool spellings": "a: yes\nb: No\nc: on\nd: OFF\ne: true\n",
    "timestamp spellings": "a: 2026-11-24 09:12:00 +08:00\nb: 2026-11-24t09:12:00Z\n"
                           "c: 2026-1-5T9:12:00-00:00\nd: 2026-11-24T09:12:00.5+08:00\n",
    "naive timestamp": "at: 2026-11-24T09:12:00\nlist: [2026-11-24 09:12:00]\n",
    "anchors": "a: &x [1, {b: 2026-11-24T09:12:00+08:00}]\nc: *x\n",
    "out of range years": "a: 1800-01-01\nb: 9999-11-07T09:35:00+08:00\n",
    "duplicate keys": "a: 1\nb: 2\na: 3\n",
    "quoted and plain keys alike": "'1': a\n1: b\n",
    "empty document": "# nothing\n",
    "top-level list": "- {id: S-001, active: true}\n- [a, 'b']\n",
}


def strict(value):
    """The value with its exact JSON type attached at every level, so True
    and 1, or '1' and 1, never compare equal."""
    if isinstance(value, dict):
        return ("dict", [(k, strict(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [strict(v) for v in value])
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return (kind.__name__, kind(value))
    if value is None:
        return ("null", None)
    return (type(value).__name__, value)


def fast(text: str):
    loaded = yamlread.load(text.encode("utf-8"), "x.yaml")
    assert not loaded.findings, loaded.findings
    return loaded.data


def general(text: str):
    return yamlread.to_json_types(yaml.load(text, Loader=yamlread._FastLoader), naive=[])


def ruamel(text: str):
    return yamlread.to_json_types(YAML(typ="rt").load(text), naive=[])


def tree_files() -> list[Path]:
    """Every YAML file of the sample records and of the shipped defaults."""
    files = sorted((REPO / "cxctl" / "defaults").rglob("*.yaml"))
    if (REPO / "records").is_dir():
        files += sorted(p for p in (REPO / "records").rglob("*.yaml") if ".cxctl-cache" not in p.parts)
    return files


def test_every_fixture_record_and_the_tricky_one_read_the_same_on_both_paths(records_root):
    write(records_root, "customers/C-TRICKY1.yaml", TRICKY)
    paths = loader.list_files(records_root)
    assert "customers/C-TRICKY1.yaml" in paths and len(paths) >= 6
    for relpath in paths:
        text = (records_root / relpath).read_text("utf-8")
        assert strict(fast(text)) == strict(ruamel(text)) == strict(general(text)), relpath
    data = fast(TRICKY)
    assert data["contact_log"][2]["at"] == "2026-07-01T23:59:59-05:30"
    assert data["contact_log"][3]["at"] == "2026-10-25T01:30:00.250000+01:00"
    assert data["since"] == "2024-02-29" and data["over_acceptance_ratio"] == "0.05"
    assert [c["role"] for c in data["contacts"]] == ["yes", "16:30"]
    assert data["contacts"][0]["phone"] == "0123456789" and data["contacts"][1]["name"] == "no"
    assert data["name"] == "重庆晨光商贸有限公司（二期）——「测试」"
    assert loader.read_entry(records_root, "customers/C-TRICKY1.yaml").findings == []


@pytest.mark.parametrize("layout", ["crlf", "directive", "bom", "lone-cr"])
def test_a_record_reads_alike_whatever_its_line_endings_and_header(layout):
    plain = TRICKY.encode()
    raw = {"crlf": plain.replace(b"\n", b"\r\n"),
           "directive": b"# kept by hand\r\n%YAML 1.2\r\n---\r\n" + plain.replace(b"\n", b"\r\n"),
           "bom": "\ufeff".encode() + plain,
           "lone-cr": plain.replace(b"\n", b"\r")}[layout]
    expected = loader.check_bytes(plain, "customers/C-TRICKY1.yaml", "customer")
    entry = loader.check_bytes(raw, "customers/C-TRICKY1.yaml", "customer")
    assert entry.findings == [] and entry.data == expected.data and expected.data is not None


@pytest.mark.skipif(not tree_files(), reason="no sample records in this checkout")
def test_the_sample_records_read_the_same_on_both_paths():
    for path in tree_files():
        text = path.read_text("utf-8")
        assert strict(fast(text)) == strict(ruamel(text)) == strict(general(text)), path


def test_ordinary_records_take_the_fast_builder(records_root, monkeypatch):
    write(records_root, "customers/C-TRICKY1.yaml", TRICKY)

    def general_path_used(*args):
        raise AssertionError("the general path was used")

    monkeypatch.setattr(yamlread, "_parse_text", general_path_used)
    for relpath in loader.list_files(records_root):
        fast((records_root / relpath).read_text("utf-8"))


@pytest.mark.parametrize("name", sorted(ODD))
def test_whatever_the_fast_builder_leaves_aside_reads_as_on_the_general_path(name):
    text = ODD[name]
    loaded = yamlread.load(text.encode("utf-8"), "x.yaml")
    if name in ("anchors", "binary"):       # no record holds an alias or binary data
        assert [f.code for f in loaded.findings] == ["unusable-value"]
        return
    parsed = yamlread.parse(text.encode("utf-8"), "x.yaml")
    if parsed.findings:
        assert [(f.code, f.line, f.column) for f in loaded.findings] == \
            [(f.code, f.line, f.column) for f in parsed.findings]
        return
    naive: list = []
    expected = yamlread.to_json_types(parsed.data, naive=naive)
    assert strict(loaded.data) == strict(expected)
    assert loaded.naive == naive
    if name == "naive timestamp":
        assert naive == [["at"], ["list", 0]]
    if name == "out of range years":
        assert loaded.data == {"a": "out of range: 1800-01-01",
                               "b": "out of range: 9999-11-07T09:35:00+08:00"}


@pytest.mark.parametrize("text", ["since: 2026-02-30\n", "at: 2026-11-24T25:00:00+08:00\n",
                                  "a: &b {x: 1}\nc: {<<: *b, since: 2026-13-01}\n"])
def test_a_date_that_does_not_exist_is_a_finding_not_a_crash(text):
    loaded = yamlread.load(text.encode("utf-8"), "customers/C-X.yaml")
    [finding] = loaded.findings
    assert finding.code == "bad-format" and loaded.data is None
    if "<<" not in text:        # the fast builder knows where it is
        assert (finding.line, finding.column) == (1, text.index(":") + 3)


def test_an_alias_to_its_own_parent_is_a_finding():
    loaded = yamlread.load(b"a: &x\n  b: *x\n", "x.yaml")
    assert [f.code for f in loaded.findings] == ["unusable-value"]


@pytest.mark.parametrize("text, yaml11, yaml12", [
    ("a: yes\n", True, "yes"),
    ("a: no\n", False, "no"),
    ("a: 0123\n", 83, 123),
    ("a: 16:30\n", 990, "16:30"),
])
def test_unquoted_the_two_yaml_versions_disagree(text, yaml11, yaml12):
    # Why the writer quotes such text, and why the read path refuses it unquoted:
    # the two YAML versions read it as different values.
    assert yaml.safe_load(text)["a"] == yaml11 and ruamel(text)["a"] == yaml12
    loaded = yamlread.load(text.encode("utf-8"), "x.yaml")
    assert loaded.data is None and [(f.code, f.line) for f in loaded.findings] == [("ambiguous-scalar", 1)]


def test_the_writer_quotes_what_the_versions_would_read_differently():
    data = {"role": "yes", "name": "no", "at": "16:30", "phone": "0123", "n": "1e3", "d": "2026-11-24",
            "z": "~", "t": "on", "flow": ["?0", ":a", "a\x85b", "a\u2028b", "a\u2029b"],
            "money": Decimal("5000.01"), "when": datetime(
                2026, 11, 24, 9, 12, tzinfo=timezone(timedelta(hours=8))), "day": date(2026, 2, 28)}
    text = dump(to_commented(data))
    expected = {**{k: v for k, v in data.items() if isinstance(v, (str, list))}, "money": "5000.01",
                "when": "2026-11-24T09:12:00+08:00", "day": "2026-02-28"}
    assert strict(fast(text)) == strict(ruamel(text)) == strict(expected)


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12) | \
    st.sampled_from(["yes", "No", "on", "0123", "16:30", "1_000", "0x1F", ".inf", "~", "null", "", " ",
                     "2026-11-24", "2026-11-24T09:12:00+08:00", "5000.01", "- a", "a: b", "#x",
                     "重庆晨光", "'q'", '"dq"', "&a", "*a", "!t", "%", "@", "`", "|", ">",
                     "a\nb", "多行\n文本\n", "x\ty", " lead", "trail ", "a #b", "- ", "?0", ":a",
                     "a\x85b", "a\u2028b"])
_SCALAR = _TEXT | st.integers(-10 ** 12, 10 ** 12) | st.booleans() | st.none() | \
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10 ** 6, max_value=10 ** 6) | \
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
                 timezones=st.sampled_from([timezone(timedelta(hours=h)) for h in (-5, 0, 8)])) | \
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1))
_KEY = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
_DATA = st.recursive(_SCALAR, lambda inner: st.lists(inner, max_size=4) |
                     st.dictionaries(_KEY, inner, max_size=4), max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_KEY, _DATA, min_size=1, max_size=5))
def test_whatever_the_writer_writes_reads_the_same_on_both_paths(data):
    text = dump(to_commented(data))
    expected = yamlread.to_json_types(data, naive=[])
    assert strict(fast(text)) == strict(ruamel(text)) == strict(general(text)) == strict(expected), text


def test_repeated_values_resolve_to_the_same_tags_as_pyyaml():
    for value in ["yes", "0123", "16:30", "2026-11-24", "S-021", "1.5", "", "~", "<<", "="]:
        resolved = fastyaml._Composer("").resolve(yaml.ScalarNode, value, (True, False))
        again = fastyaml._Composer("").resolve(yaml.ScalarNode, value, (True, False))
        assert resolved == again == yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False))
