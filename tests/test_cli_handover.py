"""`cxctl handover …` end to end on a tiny records tree."""
import json

import yaml

from tests.conftest import write

OPEN_TICKET = """\
id: T-OPEN01
customer: C-7K2M9Q
kind: request
channel: walk_in
owner: S-021
summary: 借伞未还
opened_at: 2026-11-20T10:00:00+08:00
status: open
events: []
"""

EARLY = """\
desk: main
date: 2026-11-24
shift: early
handed_over_at: 2026-11-24T14:00:00+08:00
outgoing: [S-021]
incoming: [S-022]
counts:
  umbrella: {outgoing: 18, incoming: 17}
  cash: {outgoing: "1520.50", incoming: "1520.50"}
loans:
  - {item: umbrella, qty: 1, borrower: 王先生, phone: "13900001111", due: 2026-11-22}
open_matters:
  - {ticket: T-OPEN01}
signatures:
  outgoing: {by: S-021, at: 2026-11-24T14:05:00+08:00}
  incoming: {by: S-022, at: 2026-11-24T14:06:00+08:00}
"""

LATE = """\
desk: main
date: 2026-11-24
shift: late
handed_over_at: 2026-11-24T22:00:00+08:00
outgoing: [S-022]
incoming: [S-014]
counts:
  umbrella: {outgoing: 16, incoming: 16}
  cash: {outgoing: "1720.50", incoming: "1720.50"}
movements:
  - {item: umbrella, qty: -2, at: 2026-11-24T15:00:00+08:00}
  - {item: umbrella, qty: 1, at: 2026-11-24T18:00:00+08:00}
  - {item: cash, qty: "200.00", at: 2026-11-24T19:00:00+08:00}
signatures:
  outgoing: {by: S-022, at: 2026-11-24T22:05:00+08:00}
  incoming: {by: S-014, at: 2026-11-24T22:06:00+08:00}
closing:
  sealed_to_control_room: {by: S-014, received_by: S-001, at: 2026-11-24T22:10:00+08:00}
"""

EARLY_PATH = "handovers/2026/11/2026-11-24-main-early.yaml"
LATE_PATH = "handovers/2026/11/2026-11-24-main-late.yaml"


def tree(root, *files):
    write(root, "tickets/2026/11/T-OPEN01.yaml", OPEN_TICKET)
    for relpath, text in files:
        write(root, relpath, text)
    return root


def run(cli, root, *args):
    return cli(["--root", root, "handover", *args])


# --- new ------------------------------------------------------------------------

def test_new_prefills_counts_loans_and_open_matters_and_validates(cli, records_root):
    root = tree(records_root, (EARLY_PATH, EARLY))
    result = run(cli, root, "new", "--date", "2026-11-24", "--shift", "late",
                 "--outgoing", "S-022", "--incoming", "S-014")
    assert result.exit_code == 0, result.output
    text = (root / LATE_PATH).read_text("utf-8")
    data = yaml.safe_load(text)
    assert "umbrella: {outgoing: 17, incoming: 17}" in text          # previous incoming, inline
    assert data["counts"]["cash"] == {"outgoing": "1520.50", "incoming": "1520.50"}
    assert data["handed_over_at"].isoformat() == "2026-11-24T22:00:00+08:00"   # policy time
    assert data["loans"][0]["borrower"] == "王先生"
    assert data["open_matters"] == []            # T-OPEN01 is S-021's, who is not outgoing now
    assert cli(["--root", root, "validate"]).exit_code == 0


def test_new_lists_open_tickets_of_the_outgoing_staff_and_refuses_to_overwrite(cli, records_root):
    root = tree(records_root)
    args = ["new", "--date", "2026-11-24", "--shift", "early", "--outgoing", "S-021",
            "--incoming", "S-022", "--at", "2026-11-24T14:00:00+08:00"]
    assert run(cli, root, *args).exit_code == 0
    data = yaml.safe_load((root / EARLY_PATH).read_text("utf-8"))
    assert data["open_matters"] == [{"ticket": "T-OPEN01"}]
    assert data["counts"]["umbrella"] == {"outgoing": 0, "incoming": 0}
    before = (root / EARLY_PATH).read_text("utf-8")
    again = run(cli, root, *args)
    assert again.exit_code == 1 and "already exists" in again.output
    assert (root / EARLY_PATH).read_text("utf-8") == before


def test_new_refuses_inactive_or_unknown_staff_and_a_bad_shift(cli, records_root):
    root = tree(records_root)
    base = ["new", "--date", "2026-11-24", "--incoming", "S-022"]
    assert run(cli, root, *base, "--shift", "early", "--outgoing", "S-099").exit_code == 2
    assert run(cli, root, *base, "--shift", "early", "--outgoing", "S-404").exit_code == 2
    assert run(cli, root, *base, "--shift", "night", "--outgoing", "S-021").exit_code == 2
    assert not (root / "handovers").exists()


# --- sign and seal ----------------------------------------------------------------

def test_sign_records_a_signature_and_refuses_someone_not_on_that_side(cli, records_root):
    root = tree(records_root)
    run(cli, root, "new", "--date", "2026-11-24", "--shift", "early", "--outgoing", "S-021",
        "--incoming", "S-022")
    wrong = run(cli, root, "sign", "--as", "incoming", "--by", "S-021",
                "--at", "2026-11-24T14:05:00+08:00", "2026-11-24-main-early")
    assert wrong.exit_code == 2 and "not on the incoming side" in wrong.output
    early = run(cli, root, "sign", "--as", "outgoing", "--by", "S-021",
                "--at", "2026-11-24T13:59:00+08:00", "2026-11-24-main-early")
    assert early.exit_code == 2
    ok = run(cli, root, "sign", "--as", "outgoing", "--by", "S-021",
             "--at", "2026-11-24T14:05:00+08:00", str(root / EARLY_PATH))
    assert ok.exit_code == 0, ok.output
    text = (root / EARLY_PATH).read_text("utf-8")
    assert "outgoing: {by: S-021, at: 2026-11-24T14:05:00+08:00}" in text
    twice = run(cli, root, "sign", "--as", "outgoing", "--by", "S-021",
                "--at", "2026-11-24T14:09:00+08:00", "2026-11-24-main-early")
    assert twice.exit_code == 1 and "already signed" in twice.output
    assert (root / EARLY_PATH).read_text("utf-8") == text
    findings = json.loads(run(cli, root, "reconcile", "--format", "json").output)
    assert [f["expected"] for f in findings if f["check"] == "sign_off"] == \
        ["incoming signature by S-022"]


def test_seal_closes_a_late_shift(cli, records_root):
    root = tree(records_root, (LATE_PATH, LATE.split("closing:")[0]))
    before = json.loads(run(cli, root, "reconcile", "--format", "json").output)
    assert "closing.sealed_to_control_room" in [f["expected"] for f in before]
    result = run(cli, root, "seal", "2026-11-24-main-late", "--by", "S-014", "--received-by", "S-001",
                 "--at", "2026-11-24T22:10:00+08:00")
    assert result.exit_code == 0, result.output
    after = json.loads(run(cli, root, "reconcile", "--format", "json").output)
    assert "closing.sealed_to_control_room" not in [f["expected"] for f in after]


def test_seal_refuses_a_control_room_receiver_who_has_left(cli, records_root):
    root = tree(records_root, (LATE_PATH, LATE.split("closing:")[0]))
    before = (root / LATE_PATH).read_bytes()
    result = run(cli, root, "seal", "2026-11-24-main-late", "--by", "S-014", "--received-by", "S-099",
                 "--at", "2026-11-24T22:10:00+08:00")
    assert result.exit_code == 2 and "--received-by" in result.output
    assert (root / LATE_PATH).read_bytes() == before


# --- reconcile ----------------------------------------------------------------------

def test_reconcile_clean_chain_with_multi_movement_balance_exits_0_apart_from_warnings(cli, records_root):
    early = EARLY.replace("incoming: 17}", "incoming: 18}")
    late = LATE.replace("outgoing: 16, incoming: 16", "outgoing: 17, incoming: 17")
    root = tree(records_root, (EARLY_PATH, early), (LATE_PATH, late))
    result = run(cli, root, "reconcile", "--format", "json")
    findings = json.loads(result.output)
    assert [(f["check"], f["level"]) for f in findings] == [("loans", "warning")]
    assert result.exit_code == 0


def test_reconcile_json_keys_levels_and_exit_1_on_errors(cli, records_root):
    late = LATE.replace("outgoing: 16, incoming: 16", "outgoing: 15, incoming: 15")
    root = tree(records_root, (EARLY_PATH, EARLY), (LATE_PATH, late))
    result = run(cli, root, "reconcile", "--date", "2026-11-24", "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.output)
    by_check = {f["check"]: f for f in findings}
    assert set(by_check) == {"agreement", "balance", "loans"}
    assert by_check["agreement"] == {
        "handover": "2026-11-24-main-early", "check": "agreement", "item": "umbrella",
        "expected": 18, "actual": 17, "level": "error",
        "message": "umbrella: outgoing counted 18, incoming 17 (difference -1)"}
    # 17 handed over, -2 and +1 during the late shift: 16 expected, 15 counted
    assert (by_check["balance"]["handover"], by_check["balance"]["item"],
            by_check["balance"]["expected"], by_check["balance"]["actual"]) == \
        ("2026-11-24-main-late", "umbrella", 16, 15)
    assert by_check["loans"]["level"] == "warning"


def test_reconcile_masks_borrower_phones_unless_show_pii(cli, records_root):
    root = tree(records_root, (EARLY_PATH, EARLY))
    table = run(cli, root, "reconcile")
    assert "139****1111" in table.output and "13900001111" not in table.output
    masked = json.loads(run(cli, root, "reconcile", "--format", "json").output)
    assert [f["phone"] for f in masked if f["check"] == "loans"] == ["139****1111"]
    shown = run(cli, root, "reconcile", "--format", "csv", "--show-pii")
    assert "13900001111" in shown.output


def test_reconcile_date_range_options(cli, records_root):
    root = tree(records_root, (EARLY_PATH, EARLY))
    assert run(cli, root, "reconcile", "--date", "2026-11-25").output.startswith("no findings")
    assert run(cli, root, "reconcile", "--date", "2026-11-25").exit_code == 0
    assert run(cli, root, "reconcile", "--date", "2026-11-24", "--from", "2026-11-01").exit_code == 2
    assert run(cli, root, "reconcile", "--from", "2026-11-30", "--to", "2026-11-01").exit_code == 2
    assert run(cli, root, "reconcile", "--date", "24.11.2026").exit_code == 2
    continuity = json.loads(run(cli, root, "reconcile", "--from", "2026-11-24", "--format",
                                "json").output)
    assert ("2026-11-24-main-late", "continuity") in [(f["handover"], f["check"]) for f in continuity]


def test_reconcile_reports_a_broken_handover_file_in_range_and_exits_1(cli, records_root):
    early = EARLY.replace("incoming: 17}", "incoming: 18}")
    broken_late = LATE.replace("shift: late", "shift: late\nweather: rain")    # unknown field
    next_early = (early.replace("2026-11-24", "2026-11-25")
                  .replace("outgoing: 18, incoming: 18", "outgoing: 16, incoming: 16")
                  .replace('"1520.50"', '"1720.50"'))
    root = tree(records_root, (EARLY_PATH, early), (LATE_PATH, broken_late),
                ("handovers/2026/11/2026-11-25-main-early.yaml", next_early))
    alone = run(cli, root, "reconcile", "--date", "2026-11-24", "--format", "json")
    assert alone.exit_code == 1
    assert [(f["handover"], f["check"], f["level"]) for f in json.loads(alone.stdout)
            if f["check"] != "loans"] == [("2026-11-24-main-late", "record", "error")]
    # the next early shift's baseline is the broken late one: no balance against the early shift
    after = run(cli, root, "reconcile", "--date", "2026-11-25", "--format", "json")
    assert after.exit_code == 1
    checks = [(f["handover"], f["check"]) for f in json.loads(after.stdout)]
    assert ("2026-11-24-main-late", "record") in checks
    assert not [c for c in checks if c[1] == "balance"]
    other_desk = run(cli, root, "reconcile", "--desk", "side", "--format", "json")
    assert other_desk.exit_code == 0 and json.loads(other_desk.stdout) == []
    table = run(cli, root, "reconcile", "--date", "2026-11-24")
    assert "record" in table.output and "weather" in table.output


def test_reconcile_returns_at_the_tolerance_boundary(cli, records_root):
    complaint = """\
    id: T-RET{n}
    customer: C-7K2M9Q
    kind: complaint
    channel: hotline
    severity: general
    return: {{approved_qty: 20, returned_qty: {returned}}}
    summary: 退货
    opened_at: 2026-11-03T15:40:00+08:00
    status: open
    """
    root = tree(records_root)
    write(root, "tickets/2026/11/T-RET01.yaml", complaint.format(n="01", returned=21))
    assert run(cli, root, "reconcile", "--returns").exit_code == 0
    write(root, "tickets/2026/11/T-RET02.yaml", complaint.format(n="02", returned=22))
    result = run(cli, root, "reconcile", "--returns", "--format", "json")
    assert result.exit_code == 1
    assert [(f["check"], f["item"], f["level"]) for f in json.loads(result.output)] == \
        [("returns", "T-RET02", "error")]
    listing = json.loads(run(cli, root, "returns", "--format", "json").output)
    assert [(r["ticket"], r["outcome"], r["booked_qty"]) for r in listing] == \
        [("T-RET01", "booked", 21), ("T-RET02", "excess", None)]


# --- transfer -------------------------------------------------------------------------

def test_transfer_moves_open_tickets_and_customers_in_one_change(cli, records_root):
    root = tree(records_root)
    closed_before = (root / "tickets/2026/11/T-8Q3KZ2.yaml").read_text("utf-8")
    result = run(cli, root, "transfer", "--from", "S-021", "--to", "S-022", "--by", "S-014",
                 "--at", "2026-11-25T09:00:00+08:00")
    assert result.exit_code == 0, result.output
    ticket = yaml.safe_load((root / "tickets/2026/11/T-OPEN01.yaml").read_text("utf-8"))
    assert ticket["owner"] == "S-022"
    assert ticket["events"][-1]["from"] == "S-021" and ticket["events"][-1]["to"] == "S-022"
    customer = yaml.safe_load((root / "customers/C-7K2M9Q.yaml").read_text("utf-8"))
    assert customer["owner"] == "S-022"
    assert (root / "tickets/2026/11/T-8Q3KZ2.yaml").read_text("utf-8") == closed_before
    assert "# relationship owner" in (root / "customers/C-7K2M9Q.yaml").read_text("utf-8")
    assert cli(["--root", root, "validate"]).exit_code == 0


def test_transfer_refuses_unknown_or_inactive_successor_and_writes_nothing(cli, records_root):
    root = tree(records_root)
    before = (root / "tickets/2026/11/T-OPEN01.yaml").read_text("utf-8")
    inactive = run(cli, root, "transfer", "--from", "S-021", "--to", "S-099")
    assert inactive.exit_code == 2 and "not active" in inactive.output
    unknown = run(cli, root, "transfer", "--from", "S-021", "--to", "S-404")
    assert unknown.exit_code == 2 and "not on the staff roster" in unknown.output
    assert (root / "tickets/2026/11/T-OPEN01.yaml").read_text("utf-8") == before


def test_transfer_warns_on_owner_rank_mismatch(cli, records_root):
    root = tree(records_root)
    result = run(cli, root, "transfer", "--from", "S-021", "--to", "S-014", "--dry-run")
    assert result.exit_code == 0
    assert "T-OPEN01" in result.output and "C-7K2M9Q" in result.output
    assert yaml.safe_load((root / "customers/C-7K2M9Q.yaml").read_text("utf-8"))["owner"] == "S-021"


# --- validate --------------------------------------------------------------------------

def test_validate_reports_misnamed_handover_and_unknown_item_with_position(cli, records_root):
    bad = EARLY.replace("  cash:", "  kite: {outgoing: 1, incoming: 1}\n  cash:")
    root = tree(records_root, ("handovers/2026/11/2026-11-25-main-early.yaml", bad))
    result = cli(["--root", root, "validate", "--format", "json"])
    assert result.exit_code == 1
    found = {(f["code"], f["field"], f["line"]) for f in json.loads(result.output)
             if f["code"].startswith("handover-")}
    assert found == {("handover-file-name", None, None),
                     ("handover-unknown-item", "counts.kite", 9)}


def test_transfer_puts_back_files_already_written_when_a_later_write_is_refused(cli, records_root,
                                                                                 monkeypatch):
    import cxctl.cli.handover as handover_cli
    from cxctl.findings import error
    from cxctl.store.writer import WriteRefused

    root = tree(records_root)
    ticket_before = (root / "tickets/2026/11/T-OPEN01.yaml").read_text("utf-8")
    real_update = handover_cli.update_record

    def refuse_customers(root_, relpath, mutate):
        if relpath.startswith("customers/"):
            raise WriteRefused([error(relpath, "schema", "refused for the test")])
        return real_update(root_, relpath, mutate)

    monkeypatch.setattr(handover_cli, "update_record", refuse_customers)
    result = run(cli, root, "transfer", "--from", "S-021", "--to", "S-022")
    assert result.exit_code == 1
    assert (root / "tickets/2026/11/T-OPEN01.yaml").read_text("utf-8") == ticket_before


def test_transfer_os_error_part_way_restores_the_files_under_the_same_lock(cli, records_root,
                                                                             monkeypatch):
    from contextlib import contextmanager

    import cxctl.cli.handover as handover_cli

    root = tree(records_root)
    ticket_before = (root / "tickets/2026/11/T-OPEN01.yaml").read_text("utf-8")
    customer_before = (root / "customers/C-7K2M9Q.yaml").read_text("utf-8")
    real_update, real_locked = handover_cli.update_record, handover_cli.locked
    held, acquisitions = [0], []

    @contextmanager
    def counting_lock(root_):
        acquisitions.append(held[0])
        held[0] += 1
        try:
            with real_locked(root_):
                yield
        finally:
            held[0] -= 1

    def disk_full_on_customers(root_, relpath, mutate):
        if relpath.startswith("customers/"):
            raise OSError(28, "No space left on device")
        return real_update(root_, relpath, mutate)

    restored_under_lock = []
    real_atomic = handover_cli.atomic_write

    def watching_atomic_write(path, text):
        restored_under_lock.append(held[0] > 0)
        real_atomic(path, text)

    monkeypatch.setattr(handover_cli, "update_record", disk_full_on_customers)
    monkeypatch.setattr(handover_cli, "locked", counting_lock)
    monkeypatch.setattr(handover_cli, "atomic_write", watching_atomic_write)
    result = run(cli, root, "transfer", "--from", "S-021", "--to", "S-022")
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr and "customers/C-7K2M9Q.yaml" in result.stderr
    assert (root / "tickets/2026/11/T-OPEN01.yaml").read_text("utf-8") == ticket_before
    assert (root / "customers/C-7K2M9Q.yaml").read_text("utf-8") == customer_before
    # the ticket was put back before the one lock of the transfer was let go
    assert restored_under_lock == [True] and acquisitions.count(0) == 1
