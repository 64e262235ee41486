"""`cxctl tier run` / `cxctl tier apply` on a small records tree (SPEC 2, 3.1)."""
import json

from tests.conftest import write

AS_OF = ["--as-of", "2026-01-20T10:00:00+08:00"]
# id -> (asset, business, brand, cooperation, owner): scores 100, 88, 80, 72, 60, 52;
# with C-7K2M9Q from the fixture (78) that is N = 7: n1 = 1, n3 = 1.
OTHERS = {
    "C-A1": (5, 5, 5, 5, "S-014"),
    "C-B2": (5, 5, 4, 3, "S-021"),
    "C-C3": (4, 4, 4, 4, "S-021"),
    "C-D4": (4, 4, 3, 3, "S-021"),
    "C-E5": (3, 3, 3, 3, "S-021"),
    "C-F6": (3, 3, 2, 2, "S-021"),
}


def customer_text(cid, asset, business, brand, cooperation, owner, since="2023-05-01", extra=""):
    return (f"id: {cid}\nname: 客户{cid}\nkind: tenant\nstatus: active\nowner: {owner}\n"
            f"since: {since}\nrating: {{asset_scale: {asset}, business_scale: {business}, "
            f"brand_strength: {brand}, cooperation: {cooperation}}}\n{extra}")


def tree(root):
    for cid, spec in OTHERS.items():
        write(root, f"customers/{cid}.yaml", customer_text(cid, *spec))
    return root


def run_json(cli, root, period="2026-01"):
    result = cli(["--root", root, "tier", "run", "--period", period, "--format", "json", *AS_OF])
    assert result.exit_code == 0, result.output
    return {row["customer"]: row for row in json.loads(result.stdout)}


def test_run_json_has_the_spec_keys_and_the_split(cli, records_root):
    rows = run_json(cli, tree(records_root))
    assert all(list(r)[:6] == ["customer", "score", "level", "class", "previous_level", "reason"]
               for r in rows.values())
    assert {cid: r["level"] for cid, r in rows.items()} == {
        "C-A1": 1, "C-B2": 2, "C-C3": 2, "C-7K2M9Q": 2, "C-D4": 2, "C-E5": 2, "C-F6": 3}
    assert rows["C-A1"]["class"] == "vip" and rows["C-A1"]["score"] == 100.0
    assert rows["C-7K2M9Q"]["breakdown"]["brand_strength"] == {"input": 5, "weight": 20, "points": 20}
    assert rows["C-7K2M9Q"]["movement"] == "new" and rows["C-7K2M9Q"]["previous_level"] is None


def test_run_table_shows_breakdown_ties_overrides_and_left_out(cli, records_root):
    root = tree(records_root)
    write(root, "customers/C-G7.yaml", customer_text("C-G7", 5, 5, 5, 5, "S-014",
                                                     extra="tier: {level: 2, period: 2025-01}\n"))
    write(root, "customers/C-H8.yaml", "id: C-H8\nname: 新客户\nkind: tenant\nstatus: active\n"
                                       "since: 2025-02-01\nrating: {asset_scale: 3}\n")
    write(root, "customers/C-J9.yaml", customer_text(
        "C-J9", 1, 1, 1, 1, "S-021",
        extra="tier:\n  level: 3\n  period: 2025-01\n"
              "  override: {level: 2, reason: 新开业主力店, by: S-001}\n"))
    result = cli(["--root", root, "tier", "run", "--period", "2026-01", *AS_OF])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "asset_scale" in out and "5 (30)" in out                 # per-criterion breakdown
    assert "score ties across the 1/2 boundary" in out              # C-A1 and C-G7 share 100
    assert "tie: 2 customers share score 100 across the 1/2 boundary" in out
    assert "override to tier 2 by S-001: 新开业主力店" in out
    assert "override: C-J9 tier 2 by S-001 (新开业主力店)\n" in out          # listed in the summary
    assert "left out:" in out and "missing rating input: business_scale" in out
    assert "up" in out                                              # C-G7 from tier 2 to 1


def test_apply_writes_tier_blocks_keeping_comments_and_reapply_changes_nothing(cli, records_root):
    root = tree(records_root)
    path = root / "customers/C-7K2M9Q.yaml"
    before = path.read_text("utf-8")
    result = cli(["--root", root, "tier", "apply", "--period", "2026-01", *AS_OF])
    assert result.exit_code == 0, result.output
    assert "7 customer file(s) updated" in result.stdout
    after = path.read_text("utf-8")
    # The old text is untouched; the tier block is added after the rating.
    assert after.startswith(before)
    assert after[len(before):] == "tier:\n  level: 2\n  period: 2026-01\n  score: 78.0\n"
    assert "# a tenant on floor 2" in after and "owner: S-021   # relationship owner" in after
    top = (root / "customers/C-A1.yaml").read_text("utf-8")
    assert "tier:\n  level: 1\n  class: vip\n  period: 2026-01\n  score: 100.0\n" in top

    snapshot = {p: p.read_bytes() for p in (root / "customers").glob("*.yaml")}
    again = cli(["--root", root, "tier", "apply", "--period", "2026-01", *AS_OF])
    assert again.exit_code == 0, again.output
    assert "0 customer file(s) updated, 7 already up to date" in again.stdout
    assert {p: p.read_bytes() for p in snapshot} == snapshot
    assert run_json(cli, root)["C-A1"]["movement"] == "same"


def test_apply_edits_an_existing_tier_in_place_and_keeps_the_override(cli, records_root):
    root = tree(records_root)
    path = write(root, "customers/C-B2.yaml", customer_text(
        "C-B2", 5, 5, 4, 3, "S-014",
        extra="tier:\n  level: 1\n  class: vip   # since 2024\n  period: 2025-01\n  score: 88.0\n"
              "  override: {level: 1, reason: 战略客户, by: S-001, until: 2025-12}\n"
              "contact_log:\n  - {at: 2026-01-05T10:00:00+08:00, by: S-014, channel: visit}\n"))
    result = cli(["--root", root, "tier", "apply", "--period", "2026-01", *AS_OF])
    assert result.exit_code == 0, result.output
    text = path.read_text("utf-8")
    # The override ended in 2025-12: C-B2 falls to its computed tier 2, loses its
    # class, and the override line stays for the record.
    assert "tier:\n  level: 2\n  period: 2026-01\n  score: 88.0\n  override: {level: 1, " in text
    assert "class" not in text
    assert text.endswith("contact_log:\n  - {at: 2026-01-05T10:00:00+08:00, by: S-014, channel: visit}\n")


def test_apply_warns_about_owner_rank_and_validate_reports_it(cli, records_root):
    root = tree(records_root)
    write(root, "customers/C-A1.yaml", customer_text("C-A1", 5, 5, 5, 5, "S-021"))
    result = cli(["--root", root, "tier", "apply", "--period", "2026-01", *AS_OF])
    assert result.exit_code == 0, result.output
    assert "owner-rank" in result.stderr and "customers/C-A1.yaml" in result.stderr
    found = cli(["--root", root, "validate", "--format", "json"])
    ranks = [f for f in json.loads(found.stdout) if f["code"] == "owner-rank"]
    assert [(f["path"], f["level"]) for f in ranks] == [("customers/C-A1.yaml", "warning")]
    assert found.exit_code == 0


def test_invalid_policy_exits_2_and_writes_nothing(cli, records_root):
    root = tree(records_root)
    write(root, "policies/tiering.yaml", "weights: {asset_scale: 30, business_scale: 30, "
                                         "brand_strength: 20, cooperation: 19}\n"
                                         "split: [0.15, 0.65, 0.20]\n")
    snapshot = {p: p.read_bytes() for p in (root / "customers").glob("*.yaml")}
    result = cli(["--root", root, "tier", "apply", "--period", "2026-01", *AS_OF])
    assert result.exit_code == 2
    assert "weights sum to 99, not 100" in result.stderr
    assert {p: p.read_bytes() for p in snapshot} == snapshot
    found = json.loads(cli(["--root", root, "validate", "--format", "json"]).stdout)
    assert [(f["path"], f["line"], f["field"], f["level"]) for f in found if f["code"] == "tier-policy"] \
        == [("policies/tiering.yaml", 1, "weights", "error")]


def test_override_without_a_known_approver_blocks_apply(cli, records_root):
    root = tree(records_root)
    write(root, "customers/C-F6.yaml", customer_text(
        "C-F6", 3, 3, 2, 2, "S-021",
        extra="tier:\n  level: 3\n  period: 2025-01\n  override: {level: 2, reason: 关系户, by: S-777}\n"))
    snapshot = {p: p.read_bytes() for p in (root / "customers").glob("*.yaml")}
    run = cli(["--root", root, "tier", "run", "--period", "2026-01", *AS_OF])
    assert run.exit_code == 1 and "override approver S-777 is not in the staff roster" in run.stderr
    result = cli(["--root", root, "tier", "apply", "--period", "2026-01", *AS_OF])
    assert result.exit_code == 1 and "nothing was written" in result.stderr
    assert {p: p.read_bytes() for p in snapshot} == snapshot


def test_broken_customer_file_blocks_apply(cli, records_root):
    root = tree(records_root)
    write(root, "customers/C-F6.yaml", customer_text("C-F6", 3, 3, 2, 9, "S-021"))
    result = cli(["--root", root, "tier", "apply", "--period", "2026-01", *AS_OF])
    assert result.exit_code == 1 and "customers/C-F6.yaml" in result.stderr
    assert "tier:" not in (root / "customers/C-A1.yaml").read_text("utf-8")


def test_periods_outside_the_cycles_exit_2(cli, records_root):
    root = tree(records_root)
    result = cli(["--root", root, "tier", "run", "--period", "2026-03", *AS_OF])
    assert result.exit_code == 2 and "not a tiering period" in result.stderr
    result = cli(["--root", root, "tier", "run", "--period", "2026-7", *AS_OF])
    assert result.exit_code == 2 and "YYYY-MM" in result.stderr


def test_july_needs_the_applied_january_run_then_places_newcomers(cli, records_root):
    root = tree(records_root)
    write(root, "customers/C-N1.yaml", customer_text("C-N1", 5, 5, 4, 3, "S-021", since="2026-03-01"))
    july = ["--root", root, "tier", "run", "--period", "2026-07", "--as-of", "2026-07-15T10:00:00+08:00"]
    result = cli(july)
    assert result.exit_code == 2 and "--period 2026-01" in result.stderr
    assert cli(["--root", root, "tier", "apply", "--period", "2026-01", *AS_OF]).exit_code == 0
    result = cli([*july, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["customer"]: r for r in json.loads(result.stdout)}
    # 88 is below January's lowest tier-1 score (100) and above its lowest tier-2 (60).
    assert (rows["C-N1"]["level"], rows["C-N1"]["reason"]) == (2, "placed by the 2026-01 boundaries")
    assert rows["C-A1"]["level"] is None


def test_run_refuses_a_period_outside_the_record_years(cli, records_root):
    for period in ("0000-01", "9999-01"):
        result = cli(["--root", records_root, "tier", "run", "--period", period])
        assert result.exit_code == 2 and "years run 1900 to 2200" in result.stderr


def test_as_of_is_taken_as_a_day_in_the_records_time_zone(cli, records_root):
    write(records_root, "policies/tiering.yaml",
          "weights: {asset_scale: 30, business_scale: 30, brand_strength: 20, cooperation: 20}\n"
          "split: [0.15, 0.65, 0.20]\nsite_opened: 2026-01-01\n")
    write(records_root, "customers/C-NEW1.yaml", customer_text("C-NEW1", 3, 3, 3, 3, "S-021",
                                                               since="2026-03-10"))
    # 17:00 UTC on 9 March is 01:00 on 10 March in Shanghai: the customer has started
    result = cli(["--root", records_root, "tier", "run", "--period", "2026-03", "--format", "json",
                  "--as-of", "2026-03-09T17:00:00+00:00"])
    assert result.exit_code == 0, result.output
    row = next(r for r in json.loads(result.stdout) if r["customer"] == "C-NEW1")
    assert (row["score"], row["level"], row["reason"]) == (60.0, 2, None)
    before = cli(["--root", records_root, "tier", "run", "--period", "2026-03", "--format", "json",
                  "--as-of", "2026-03-09T15:59:00+00:00"])                # 23:59 on 9 March locally
    row = next(r for r in json.loads(before.stdout) if r["customer"] == "C-NEW1")
    assert row["level"] is None and "not started by 2026-03-09" in row["reason"]
