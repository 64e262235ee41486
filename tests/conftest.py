"""Shared fixtures: a tiny valid records tree and a CLI runner.

The CLI runner uses a fixed terminal width and no colour so that assertions do
not depend on the terminal running the tests.
"""
from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner


def _schemas_of_this_checkout() -> None:
    """The package cxctl.schemas is the top-level schemas/ folder; an editable
    install maps it to the checkout it was installed from.  Tests run from
    another checkout of the project (a second worktree) must read that
    checkout's schemas, as they read its code."""
    folder = Path(__file__).resolve().parent.parent / "schemas"
    spec = importlib.util.spec_from_file_location(
        "cxctl.schemas", folder / "__init__.py", submodule_search_locations=[str(folder)])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules["cxctl.schemas"] = module


_schemas_of_this_checkout()

from cxctl.cli.main import app  # noqa: E402  (after the schemas are in place)

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb", "CXCTL_ROOT": ""}

SETTINGS = """\
organisation: 晨光商业广场
timezone: Asia/Shanghai
calendar: cn-mainland
"""

STAFF = """\
- {id: S-001, name: 周主任, rank: director, team: management, active: true}
- {id: S-014, name: 李娜, rank: deputy_manager, team: floor-2, active: true}
- {id: S-021, name: 王强, rank: staff, team: desk, active: true}
- {id: S-022, name: 赵敏, rank: supervisor, team: desk, active: true}
- {id: S-099, name: 陈离, rank: staff, team: desk, active: false}
"""

PROVIDER = """\
id: P-03
name: 工程维修部
status: active
visits: {2026-07: 410, 2026-08: 388, 2026-09: 402}
"""

CUSTOMER = """\
# a tenant on floor 2
id: C-7K2M9Q
name: 重庆晨光商贸有限公司
kind: tenant
status: active
owner: S-021   # relationship owner
since: 2024-03-01
contacts:
  - {name: 张敏, phone: "13800138000", email: zm@example.com, role: 店长, id_number: "110101199003071234"}
rating:
  asset_scale: 4
  business_scale: 3
  brand_strength: 5
  cooperation: 4
"""

TICKET = """\
id: T-8Q3KZ2
customer: C-7K2M9Q
kind: complaint
channel: hotline
category: service_process
severity: important
impact: {households: 6, compensation: "12000", legal_or_media: false}
provider: P-03
owner: S-021
summary: 空调噪音投诉
opened_at: 2026-11-03T15:40:00+08:00
status: closed
events:
  - {at: 2026-11-03T16:05:00+08:00, type: contact, by: S-021, outcome: reached}
  - {at: 2026-11-04T10:00:00+08:00, type: reply, by: P-03}
  - {at: 2026-11-06T11:00:00+08:00, type: resolve, by: S-021}
  - {at: 2026-11-07T09:30:00+08:00, type: revisit, by: S-022, outcome: satisfied}
  - {at: 2026-11-07T09:35:00+08:00, type: close, by: S-022}
"""


def write(root: Path, relpath: str, text: str) -> Path:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def records_root(tmp_path: Path) -> Path:
    """A minimal valid records tree: settings, staff, one provider, customer, ticket."""
    root = tmp_path / "records"
    write(root, "cxctl.yaml", SETTINGS)
    write(root, "staff.yaml", STAFF)
    write(root, "providers/P-03.yaml", PROVIDER)
    write(root, "customers/C-7K2M9Q.yaml", CUSTOMER)
    write(root, "tickets/2026/11/T-8Q3KZ2.yaml", TICKET)
    return root


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(args: list[str], **kwargs):
        return runner.invoke(app, [str(a) for a in args], env=ENV, catch_exceptions=False, **kwargs)

    return invoke
