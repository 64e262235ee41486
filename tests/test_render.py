import json

from hypothesis import given, settings
from hypothesis import strategies as st

from cxctl.calendar import BusinessCalendar
from cxctl.render import (_json_default, json_list_chunks, mask, mask_email, mask_id_number,
                          mask_phone, month_grid, render, to_json)


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
