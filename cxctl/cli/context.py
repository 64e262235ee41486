"""The calendar and policies a command needs, as objects, or exit 2 saying why.

The loader has validated these files; building the objects can still refuse a
combination the schema cannot see, and a command must then stop with the
reason rather than compute with defaults.
"""
from __future__ import annotations

from cxctl.calendar import BusinessCalendar, CalendarError
from cxctl.cli.common import fail
from cxctl.handover import HandoverPolicy
from cxctl.kpi_policy import KpiPolicy, KpiPolicyError
from cxctl.model import Records
from cxctl.sla_policy import PolicyError, SlaPolicy


def calendar_of(records: Records, name: str | None = None) -> BusinessCalendar:
    """The named calendar (default: the one cxctl.yaml names)."""
    name = name or records.settings.calendar
    data = records.calendars.get(name)
    if data is None:
        fail(f"no calendar '{name}' (calendars/{name}.yaml); known calendars: "
             f"{', '.join(sorted(records.calendars)) or 'none'}")
    try:
        return BusinessCalendar.from_dict(data)
    except CalendarError as exc:
        fail(f"calendar '{name}' is not usable: {exc}")


def _policy(records: Records, name: str, build):
    data = records.policies.get(name)
    if data is None:
        fail(f"policies/{name}.yaml is missing and no default could be loaded")
    try:
        return build(data)
    except (PolicyError, KpiPolicyError, ValueError, KeyError) as exc:
        fail(f"policies/{name}.yaml is not usable: {exc}")


def sla_policy_of(records: Records) -> SlaPolicy:
    return _policy(records, "sla", SlaPolicy.from_dict)


def kpi_policy_of(records: Records) -> KpiPolicy:
    return _policy(records, "kpi", KpiPolicy.from_dict)


def handover_policy_of(records: Records) -> HandoverPolicy:
    return _policy(records, "handover", HandoverPolicy.from_dict)
