from datetime import datetime, timedelta, timezone

from cxctl.ids import CROCKFORD, is_valid, new_id

T0 = datetime(2026, 11, 24, 9, 12, tzinfo=timezone(timedelta(hours=8)))


def test_ids_have_the_spec_shape():
    record_id = new_id("T", T0)
    assert is_valid(record_id) and len(record_id) == 20
    assert set(record_id[2:]) <= set(CROCKFORD)


def test_ids_sort_by_creation_time():
    earlier, later = new_id("T", T0), new_id("T", T0 + timedelta(milliseconds=1))
    assert earlier < later


def test_ids_made_in_the_same_millisecond_differ_and_keep_their_order():
    ids = [new_id("C", T0) for _ in range(20000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)


def test_a_back_dated_id_carries_its_own_time():
    later = new_id("T", T0 + timedelta(seconds=5))
    back_dated = new_id("T", T0)                 # `ticket open --at` in the past
    assert back_dated[:12] == new_id("T", T0)[:12] < later[:12]
