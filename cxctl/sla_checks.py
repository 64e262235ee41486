"""Single-record checks for calendars and the SLA policy: what their schemas
cannot express.  Registered with ``cxctl.rules`` so that `validate` reports
them and a write that would break them is refused.
"""
from __future__ import annotations

from cxctl.calendar import calendar_problems, calendar_warnings
from cxctl.findings import Finding, error, warning
from cxctl.sla_policy import policy_problems


def calendar_findings(data: dict, path: str) -> list[Finding]:
    out = [error(path, "bad-calendar", message, field=field,
                 hint="see SPEC 1.5: holidays and make-up days (workdays) must not overlap; "
                      "make-up days fall outside the workweek")
           for field, message in calendar_problems(data)]
    out += [warning(path, "provisional-calendar", message, field=field,
                    hint="replace the year with the official schedule when it is published "
                         "(cxctl calendar import --country CN --year YYYY --force)")
            for field, message in calendar_warnings(data)]
    stem = path.rsplit("/", 1)[-1].removesuffix(".yaml")
    if data.get("name") and data["name"] != stem:
        out.append(warning(path, "calendar-name", f"the calendar is named {data['name']!r} but its "
                                                  f"file is {stem}.yaml", field="name",
                           hint="settings refer to calendars by name; keep name and file name equal"))
    return out


def sla_policy_findings(data: dict, path: str) -> list[Finding]:
    return [error(path, "bad-policy", message, field=field) for field, message in policy_problems(data)]
