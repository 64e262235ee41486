import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cxctl.calendar import BusinessCalendar
from cxctl import render as render_module
from cxctl.render import (_json_default, json_item_text, json_list_chunks, json_list_chunks_from_texts,
                          mask, mask_email, mask_id_number, mask_phone, month_grid, render, to_json)


def test_masks_follow_the_spec_examples():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_email("zm@example.com") == "z***@example.com"
    assert mask_id_number("110101199003071234") == "110101********1234"


def test_mask_reaches_nested_lists_by_key():
    data = {"loans": [{"borrower": "王先生", "phone": "13900001111"}], "note": "13900001111 in text is not a field"}
    assert mask(data)["loans"][0]["phone"] == "139****1111"
    assert mask(data)["note"] == data["note"]


def test_csv_and_markdown_flatten_nested_values():
    rows = [{"id": "T-1", "impact": {"households": 2}, "tags": ["a", "b"]}]
    assert render(rows, "csv").splitlines() == ["id,impact,tags", "T-1,households=2,a; b"]
    assert "| T-1  | households=2 | a; b   |" in render(rows, "md")
    assert json.loads(render(rows, "json")) == rows


def test_month_grid_starts_on_monday_and_marks_holidays_make_up_days_and_weekends():
    cal = BusinessCalendar.from_dict({
        "name": "t", "timezone": "Asia/Shanghai", "workweek": ["mon", "tue", "wed", "thu", "fri"],
        "holidays": ["2026-10-01", "2026-10-02"], "workdays": ["2026-10-10"], "provisional": [2026]})
    lines = month_grid(cal, cal.month_overview(2026, 10)).splitlines()
    assert lines[0] == "t: October 2026 (Asia/Shanghai); cut-off 16:30; business hours not set"
    assert lines[2].split() == ["1H", "2H", "3.", "4."]            # Oct 1 2026 is a Thursday
    assert lines[2].startswith(" " * 15)
    assert lines[3].split() == ["5", "6", "7", "8", "9", "10W", "11."]
    assert "holidays: Thu 10-01, Fri 10-02" in lines and "make-up working days: Sat 10-10" in lines
    assert lines[-1].startswith("warning: 2026 is provisional")


_JSON_LEAVES = (st.none() | st.booleans() | st.integers() | st.floats() | st.text()
                | st.decimals(allow_nan=False) | st.datetimes() | st.dates())
_JSON_TREES = st.recursive(
    _JSON_LEAVES,
    lambda inner: st.lists(inner) | st.dictionaries(st.text() | st.integers() | st.none(), inner)
    | st.frozensets(st.integers()), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_JSON_TREES)
def test_json_output_is_exactly_what_the_standard_encoder_indents(value):
    expected = json.dumps(value, ensure_ascii=False, indent=2, default=_json_default) + "\n"
    assert to_json(value) == expected
    assert "".join(json_list_chunks(iter([value, value]))) + "\n" == to_json([value, value])


def test_an_empty_streamed_list_is_an_empty_json_list():
    assert "".join(json_list_chunks(iter(()))) == "[]"


# Rows are flat dicts, mostly sharing one set of keys: the encoder keeps the
# text around each value per key set and nesting level, so the cases repeat
# key sets across rows and levels and reorder them.
_FLAT_VALUES = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
_KEYS = st.sampled_from(["ticket", "状态", "a\"b", "back\\slash", "ctl\x00\x1f\n", "%s", ""]) | st.text()
_FLAT_DICTS = st.dictionaries(_KEYS, _FLAT_VALUES)


@st.composite
def _rows_of_one_shape(draw):
    keys = draw(st.lists(_KEYS, unique=True, max_size=14))
    rows = [{k: draw(_FLAT_VALUES) for k in keys} for _ in range(draw(st.integers(1, 4)))]
    if keys and draw(st.booleans()):
        rows.append({k: rows[0][k] for k in reversed(keys)})
    return rows


_FLAT_TREES = (_FLAT_DICTS | _rows_of_one_shape()
               | st.lists(st.lists(_FLAT_DICTS, max_size=3) | _FLAT_DICTS | _FLAT_VALUES, max_size=4)
               | st.builds(lambda rows: {"rows": rows, "first": rows[0]}, _rows_of_one_shape()))


@settings(max_examples=400, deadline=None)
@given(_FLAT_TREES)
@example({"ticket": "T-1", "owner": "张伟", "note": "\x00\x1f\n\t\"\\ \u2028", "big": 10 ** 40, "neg": -7,
          "f1": 1e16, "f2": 0.1, "f3": -0.0, "f4": 1e-7, "nan": float("nan"), "inf": float("inf"),
          "ninf": float("-inf"), "t": True, "f": False, "none": None})
@example([{"a": 1, "b": "x"}, {"b": "x", "a": 1}, [{"a": 1, "b": "x"}], {"a": {"a": 1, "b": "x"}}])
def test_flat_rows_are_written_exactly_as_the_standard_encoder_indents(value):
    expected = json.dumps(value, ensure_ascii=False, indent=2) + "\n"
    assert to_json(value) == expected
    assert "".join(json_list_chunks([value])) == json.dumps([value], ensure_ascii=False, indent=2)


def test_key_sets_beyond_what_the_encoder_keeps_are_still_exact():
    rows = [{f"k{i}": i, "v": None} for i in range(render_module._MAX_SHAPES + 50)]
    assert "".join(json_list_chunks(rows)) == json.dumps(rows, ensure_ascii=False, indent=2)
    assert "".join(json_list_chunks(rows[:3])) == json.dumps(rows[:3], ensure_ascii=False, indent=2)


def test_keys_that_are_not_text_are_converted_as_the_standard_encoder_does():
    rows = [{"1": "a"}, {1: "a"}, {True: "a", None: 2, 1.5: 3}, {"1": "a"}]
    assert "".join(json_list_chunks(rows)) == json.dumps(rows, ensure_ascii=False, indent=2)


@settings(max_examples=100, deadline=None)
@given(st.lists(_FLAT_DICTS | _JSON_TREES, max_size=5))
def test_a_list_of_pre_encoded_rows_is_the_list_of_the_rows(rows):
    texts = [json_item_text(row) for row in rows]
    expected = "".join(json_list_chunks(rows))
    assert "".join(json_list_chunks_from_texts(iter(texts))) == expected
    for batch in (2, 3, 2000):               # several items to a piece: the same text
        assert "".join(json_list_chunks_from_texts(iter(texts), batch=batch)) == expected


def test_an_empty_list_of_pre_encoded_rows_is_an_empty_json_list():
    assert "".join(json_list_chunks_from_texts([])) == "".join(json_list_chunks([])) == "[]"
