"""The SLA policy (``policies/sla.yaml``, SPEC 3.3) as objects.

The schema ``schemas/policy-sla.yaml`` rejects unknown kinds, metrics and
units; ``policy_problems`` adds the rules a schema cannot express well.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cxctl.calendar import BusinessCalendar, CalendarError
from cxctl.model import Ticket
from cxctl.severity import SEVERITIES, effective_severity

# In the order clocks are listed.
METRICS = ("first_contact", "dispatch", "provider_reply", "resolve", "revisit", "feedback", "age")
KINDS = ("request", "complaint", "repair", "inquiry", "quality")
ALL_KINDS = "all"
UNITS = ("hours", "working_days", "calendar_days", "calendar_months")
QUALITY_CLASSES = ("A", "B", "C")
DAY_UNITS = ("working_days", "calendar_days", "calendar_months")
TARGET_KEYS = ("within", "unit", "business_hours", "pausable", "note")

DEFAULT_WARNING_RATIO = 0.2
DEFAULT_WARNING_MINUTES = 15
# The largest `within` per unit (as in schemas/policy-sla.yaml): beyond a year
# (two for months) a target is a typo, and the arithmetic would overflow.
MAX_WITHIN = {"hours": 8760, "working_days": 250, "calendar_days": 366, "calendar_months": 24}
MAX_WARNING_MINUTES = 10080


class DeadlineError(ValueError):
    """A deadline that cannot be computed (it would lie beyond representable dates)."""


class PolicyError(ValueError):
    def __init__(self, problems: list[tuple[str | None, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{f}: {m}" if f else m for f, m in problems))


@dataclass(frozen=True, slots=True)
class Target:
    within: float
    unit: str
    business_hours: bool = False
    pausable: bool = False

    def describe(self) -> str:
        n = int(self.within) if float(self.within).is_integer() else self.within
        unit = {"hours": "business hour" if self.business_hours else "hour",
                "working_days": "working day", "calendar_days": "calendar day",
                "calendar_months": "calendar month"}[self.unit]
        return f"{n} {unit}{'' if n == 1 else 's'}"

    def uses_calendar_days(self) -> bool:
        return self.unit in ("working_days", "calendar_days") or self.business_hours

    def due(self, start: datetime, calendar: BusinessCalendar) -> datetime:
        try:
            return self._due(start, calendar)
        except CalendarError:
            raise
        except (OverflowError, ValueError) as exc:
            raise DeadlineError(f"{self.describe()} after {start.isoformat()} lies beyond the dates "
                                f"that can be computed ({exc})") from None

    def _due(self, start: datetime, calendar: BusinessCalendar) -> datetime:
        if self.unit == "hours":
            if self.business_hours:
                return calendar.add_business_hours(start, self.within)
            return calendar.add_hours(start, self.within)
        if self.unit == "working_days":
            return calendar.add_working_days(start, int(self.within))
        if self.unit == "calendar_days":
            return calendar.add_calendar_days(start, int(self.within))
        return calendar.add_calendar_months(start, int(self.within))


@dataclass(frozen=True, slots=True)
class Rule:
    """One metric's target, possibly depending on severity or quality class."""
    single: Target | None = None
    by_severity: dict[str, Target | None] | None = None
    by_quality_class: dict[str, Target | None] | None = None

    def target_for(self, ticket: Ticket) -> tuple[Target | None, str]:
        """The target for this ticket and what selected it (for --explain)."""
        if self.by_severity is not None:
            severity = effective_severity(ticket)
            return self.by_severity.get(severity), f"severity {severity}"
        if self.by_quality_class is not None:
            cls = ticket.quality_class
            return self.by_quality_class.get(cls) if cls else None, f"quality class {cls}"
        return self.single, ""


def _target(d: Any) -> Target | None:
    if d is None:
        return None
    return Target(within=float(d["within"]), unit=d["unit"],
                  business_hours=bool(d.get("business_hours", False)),
                  pausable=bool(d.get("pausable", False)))


def _rule(d: Any) -> Rule:
    if d is None:
        return Rule()
    if "by_severity" in d:
        return Rule(by_severity={s: _target(t) for s, t in (d["by_severity"] or {}).items()})
    if "by_quality_class" in d:
        return Rule(by_quality_class={c: _target(t) for c, t in (d["by_quality_class"] or {}).items()})
    return Rule(single=_target(d))


def _target_problems(where: str, t: Any) -> list[tuple[str, str]]:
    if t is None:
        return []
    if not isinstance(t, dict):
        return [(where, "a target is {within: N, unit: ...} or null")]
    out = [(f"{where}.{key}", f"unknown key {key!r}") for key in t if key not in TARGET_KEYS]
    unit, within = t.get("unit"), t.get("within")
    if unit not in UNITS:
        out.append((f"{where}.unit", f"unknown unit {unit!r}; use one of {', '.join(UNITS)}"))
    if not isinstance(within, (int, float)) or isinstance(within, bool) or within <= 0:
        out.append((f"{where}.within", f"{within!r} is not a positive number"))
    elif unit in DAY_UNITS and not float(within).is_integer():
        out.append((f"{where}.within", f"{unit} targets count whole days or months, not {within}"))
    elif unit in MAX_WITHIN and within > MAX_WITHIN[unit]:
        out.append((f"{where}.within", f"{within} {unit} is more than the largest target, "
                                       f"{MAX_WITHIN[unit]} {unit}"))
    if t.get("business_hours") and unit != "hours":
        out.append((f"{where}.business_hours", "business_hours applies to hour targets only"))
    return out


def policy_problems(d: Any) -> list[tuple[str | None, str]]:
    """Problems with an SLA policy dict, as (field, message)."""
    if not isinstance(d, dict):
        return [(None, "the SLA policy must be a mapping")]
    problems: list[tuple[str | None, str]] = []
    warning = d.get("warning")
    minutes = warning.get("minimum_minutes") if isinstance(warning, dict) else None
    if isinstance(minutes, (int, float)) and not isinstance(minutes, bool) \
            and not 0 <= minutes <= MAX_WARNING_MINUTES:
        problems.append(("warning.minimum_minutes",
                         f"{minutes} is outside 0 to {MAX_WARNING_MINUTES} minutes (a week)"))
    targets = d.get("targets")
    if not isinstance(targets, dict):
        return [("targets", "the SLA policy needs a `targets` mapping")]
    for kind, metrics in targets.items():
        if kind not in KINDS and kind != ALL_KINDS:
            problems.append((f"targets.{kind}", f"unknown ticket kind {kind!r}; use {ALL_KINDS} or "
                                                f"one of {', '.join(KINDS)}"))
            continue
        for metric, rule in (metrics or {}).items():
            where = f"targets.{kind}.{metric}"
            if metric not in METRICS:
                problems.append((where, f"unknown metric {metric!r}; use one of {', '.join(METRICS)}"))
            elif isinstance(rule, dict) and "by_severity" in rule:
                for sev, t in (rule["by_severity"] or {}).items():
                    if sev not in SEVERITIES:
                        problems.append((f"{where}.by_severity.{sev}", f"unknown severity {sev!r}"))
                    problems += _target_problems(f"{where}.by_severity.{sev}", t)
            elif isinstance(rule, dict) and "by_quality_class" in rule:
                for cls, t in (rule["by_quality_class"] or {}).items():
                    if cls not in QUALITY_CLASSES:
                        problems.append((f"{where}.by_quality_class.{cls}", f"unknown quality class {cls!r}"))
                    problems += _target_problems(f"{where}.by_quality_class.{cls}", t)
            else:
                problems += _target_problems(where, rule)
    return problems


@dataclass(frozen=True)
class SlaPolicy:
    rules: dict[str, dict[str, Rule]]            # kind (or "all") -> metric -> rule
    warning_ratio: float = DEFAULT_WARNING_RATIO
    warning_minimum: timedelta = timedelta(minutes=DEFAULT_WARNING_MINUTES)
    _merged: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, d: dict) -> SlaPolicy:
        problems = policy_problems(d)
        if problems:
            raise PolicyError(problems)
        warning = d.get("warning") or {}
        return cls(
            rules={kind: {m: _rule(r) for m, r in (metrics or {}).items()}
                   for kind, metrics in d["targets"].items()},
            warning_ratio=float(warning.get("ratio", DEFAULT_WARNING_RATIO)),
            warning_minimum=timedelta(minutes=float(warning.get("minimum_minutes", DEFAULT_WARNING_MINUTES))),
        )

    def rules_for(self, kind: str) -> list[tuple[str, Rule]]:
        """(metric, rule) for a ticket kind, in METRICS order; a kind's own rule
        replaces the `all` rule for the same metric."""
        found = self._merged.get(kind)
        if found is None:
            merged = {**self.rules.get(ALL_KINDS, {}), **self.rules.get(kind, {})}
            found = [(m, merged[m]) for m in METRICS if m in merged]
            self._merged[kind] = found
        return found

    def warning_window(self, span: timedelta) -> timedelta:
        return max(span * self.warning_ratio, self.warning_minimum)
