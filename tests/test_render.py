import json

from cxctl.render import mask, mask_email, mask_id_number, mask_phone, render


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
