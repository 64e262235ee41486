"""Where each kind of record lives in a records root (SPEC §1)."""
from __future__ import annotations

import re

ID_PATTERN = r"[0-9A-Z]{2,26}"

# (kind, pattern on the "/"-separated path relative to the root)
_LAYOUT = [
    ("settings", re.compile(r"cxctl\.yaml")),
    ("staff", re.compile(r"staff\.yaml")),
    ("provider", re.compile(rf"providers/(P-{ID_PATTERN})\.yaml")),
    ("customer", re.compile(rf"customers/(C-{ID_PATTERN})\.yaml")),
    ("ticket", re.compile(rf"tickets/(\d{{4}})/(\d{{2}})/(T-{ID_PATTERN})\.yaml")),
    ("handover", re.compile(r"handovers/(\d{4})/(\d{2})/([^/]+)\.yaml")),
    ("survey", re.compile(rf"surveys/(\d{{4}})/(V-{ID_PATTERN})\.yaml")),
    ("policy", re.compile(r"policies/([a-z0-9_-]+)\.yaml")),
    ("calendar", re.compile(r"calendars/([a-z0-9_-]+)\.yaml")),
]

# Where a misplaced file of each folder should have gone, for the hint.
_EXPECTED = {
    "providers": "providers/P-<ID>.yaml",
    "customers": "customers/C-<ID>.yaml",
    "tickets": "tickets/YYYY/MM/T-<ID>.yaml (month of acceptance)",
    "handovers": "handovers/YYYY/MM/<date>-<desk>-<shift>.yaml",
    "surveys": "surveys/YYYY/V-<ID>.yaml",
    "policies": "policies/<name>.yaml",
    "calendars": "calendars/<name>.yaml",
}

def classify(relpath: str) -> tuple[str | None, str | None]:
    """Return (kind, None) for a known place, or (None, hint) for a YAML file
    that sits where no record belongs."""
    for kind, pattern in _LAYOUT:
        if pattern.fullmatch(relpath):
            return kind, None
    top = relpath.split("/", 1)[0]
    expected = _EXPECTED.get(top)
    if expected:
        return None, f"files here are named {expected}"
    return None, "records live in cxctl.yaml, staff.yaml, " + ", ".join(sorted(_EXPECTED)) + "/"


def schema_name(kind: str, relpath: str) -> str:
    if kind == "policy":
        return "policy-" + relpath.rsplit("/", 1)[1][: -len(".yaml")]
    return kind


def id_from_path(relpath: str) -> str:
    return relpath.rsplit("/", 1)[1][: -len(".yaml")]


def ticket_path(ticket_id: str, year: int, month: int) -> str:
    return f"tickets/{year:04d}/{month:02d}/{ticket_id}.yaml"


def customer_path(customer_id: str) -> str:
    return f"customers/{customer_id}.yaml"
