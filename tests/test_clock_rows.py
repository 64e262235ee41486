"""A ticket's clocks kept as one joined JSON text (cxctl.cli.clock_rows): split
back into one text per clock, and filtered, they are exactly the clocks."""
from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from cxctl import render
from cxctl.cli.clock_rows import SEPARATOR, listed, split

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
ROW = st.fixed_dictionaries({"ticket": TEXT, "state": st.sampled_from(["met", "breached", "running"]),
                             "warning": st.none() | TEXT, "cycle": st.integers(0, 3)})


@given(st.lists(ROW, min_size=1, max_size=5))
def test_a_joined_ticket_splits_into_its_clocks(rows):
    texts = [render.json_item_text(r) for r in rows]
    assert split(SEPARATOR.join(texts), len(rows)) == texts
    assert [json.loads(t) for t in split(SEPARATOR.join(texts), len(rows))] == rows


def test_text_that_looks_like_the_separator_stays_inside_its_clock():
    rows = [{"note": "a,\n  {b"}, {"note": "},\n  {"}]
    texts = [render.json_item_text(r) for r in rows]
    assert split(SEPARATOR.join(texts), 2) == texts


def test_filters_pick_single_clocks_and_no_filter_keeps_tickets_whole():
    texts = [render.json_item_text({"n": i}) for i in range(3)]
    per_ticket = [(("met", "running"), (False, True), SEPARATOR.join(texts[:2])),
                  ((), (), ""),
                  (("breached",), (False,), texts[2])]
    assert listed(per_ticket, None, False, joined=True) == (
        ["met", "running", "breached"], [SEPARATOR.join(texts[:2]), texts[2]])
    assert listed(per_ticket, None, False) == (["met", "running", "breached"], texts)
    assert listed(per_ticket, {"met", "breached"}, False, joined=True) == (["met", "breached"],
                                                                         [texts[0], texts[2]])
    assert listed(per_ticket, None, True) == (["running"], [texts[1]])
