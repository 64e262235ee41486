"""`cxctl calendar show` and `cxctl calendar import` through the CLI."""
from __future__ import annotations

import json

import yaml

from tests.conftest import write


def test_show_marks_holidays_make_up_days_and_cutoff(cli, records_root):
    result = cli(["--root", records_root, "calendar", "show", "--month", "2026-10"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "cn-mainland: October 2026 (Asia/Shanghai); cut-off 16:30" in out
    week = next(line for line in out.splitlines() if line.lstrip().startswith("5H"))
    assert week.split() == ["5H", "6H", "7H", "8", "9", "10W", "11."]
    assert "make-up working days: Sat 10-10" in out


def test_show_json_gives_each_day_and_its_cutoff(cli, records_root):
    days = json.loads(cli(["--root", records_root, "calendar", "show", "--month", "2026-09",
                           "--format", "json"]).stdout)
    by_date = {d["date"]: d for d in days}
    assert len(days) == 30
    assert by_date["2026-09-20"]["kind"] == "make-up working day"
    assert by_date["2026-09-20"]["cutoff"] == "2026-09-20T16:30:00+08:00"
    assert by_date["2026-09-26"]["working"] is False and by_date["2026-09-26"]["cutoff"] is None


def test_show_defaults_to_the_month_of_as_of_and_warns_on_provisional_years(cli, records_root):
    out = cli(["--root", records_root, "calendar", "show", "--as-of", "2027-05-10T09:00:00+08:00"]).stdout
    assert "May 2027" in out and "2027 is provisional" in out


def test_show_bad_month_or_name_exits_2(cli, records_root):
    assert cli(["--root", records_root, "calendar", "show", "--month", "Oct"]).exit_code == 2
    for month in ("0000-01", "9999-12"):
        far = cli(["--root", records_root, "calendar", "show", "--month", month])
        assert far.exit_code == 2 and "years run 1900 to 2200" in far.stderr
    assert cli(["--root", records_root, "calendar", "show", "--name", "mars"]).exit_code == 2


def test_import_writes_a_valid_calendar_and_refuses_to_overwrite(cli, records_root):
    result = cli(["--root", records_root, "calendar", "import", "--country", "CN", "--year", "2026"])
    assert result.exit_code == 0, result.output
    path = records_root / "calendars/cn-mainland.yaml"
    text = path.read_text("utf-8")
    assert text.startswith("# Business calendar imported for CN 2026")
    assert "  - 2026-10-10      # make-up working day" in text
    data = yaml.safe_load(text)
    assert data["day_cutoff"] == "16:30" and "provisional" not in data
    assert cli(["--root", records_root, "validate"]).exit_code == 0

    path.write_text(text.replace("day_cutoff: \"16:30\"", "day_cutoff: \"17:00\""), "utf-8")
    again = cli(["--root", records_root, "calendar", "import", "--country", "CN", "--year", "2026"])
    assert again.exit_code == 2 and "--force" in again.output
    assert "17:00" in path.read_text("utf-8")


def test_import_force_adds_a_provisional_year_and_keeps_the_others(cli, records_root):
    assert cli(["--root", records_root, "calendar", "import", "--country", "CN", "--year", "2026"]).exit_code == 0
    result = cli(["--root", records_root, "calendar", "import", "--country", "CN", "--year", "2027", "--force"])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((records_root / "calendars/cn-mainland.yaml").read_text("utf-8"))
    assert data["provisional"] == [2027]
    assert "2026-10-07" in {str(d) for d in data["holidays"]} and "2027-10-01" in {str(d) for d in data["holidays"]}
    validated = json.loads(cli(["--root", records_root, "validate", "--format", "json"]).stdout)
    assert [(f["code"], f["level"]) for f in validated] == [("provisional-calendar", "warning")]


def test_import_bad_country_or_zone_exits_2(cli, records_root):
    assert cli(["--root", records_root, "calendar", "import", "--country", "XX", "--year", "2026"]).exit_code == 2
    result = cli(["--root", records_root, "calendar", "import", "--country", "CN", "--year", "2026",
                  "--timezone", "Asia/Beijing", "--name", "cn-test"])
    assert result.exit_code == 2 and "unknown time zone" in result.output
    assert not (records_root / "calendars/cn-test.yaml").exists()


def test_import_force_refuses_a_broken_existing_file(cli, records_root):
    write(records_root, "calendars/cn-mainland.yaml", "name: cn-mainland\ntimezone: [\n")
    result = cli(["--root", records_root, "calendar", "import", "--country", "CN", "--year", "2026", "--force"])
    assert result.exit_code == 2 and "cannot be read" in result.output
