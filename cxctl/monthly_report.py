"""The month's report for management (``report monthly``): what it contains.

Pure: it gathers the KPI summaries, the SLA breaches and reminder lists, the
handover and returns findings and the contact coverage for one month as
data; the command turns them into files.  Everything is evaluated as of one
moment, so the same records and moment give the same report.

The month's SLA breaches are the breached clocks whose deadline falls in the
month (local date).  Handover findings are those of the handovers dated in
the month; returns are those of the complaints accepted in it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cxctl import handover_reconcile
from cxctl.calendar import BusinessCalendar
from cxctl.coverage import CoverageResult, contact_coverage
from cxctl.handover import ERROR, HandoverPolicy
from cxctl.kpi import GROUPINGS, complaints_in_month, kpi_summary
from cxctl.kpi_policy import KpiPolicy
from cxctl.model import Records
from cxctl.months import Month
from cxctl.reminders import ReminderLists, remind_lists
from cxctl.returns import reconcile_returns
from cxctl.sla import clocks_for_tickets
from cxctl.sla_policy import SlaPolicy


@dataclass
class MonthlyReport:
    month: Month
    as_of: datetime
    organisation: str
    kpi: dict[str, list[dict]] = field(default_factory=dict)      # grouping -> rows
    breaches: list[dict] = field(default_factory=list)
    reminders: ReminderLists = field(default_factory=ReminderLists)
    handover_findings: list[dict] = field(default_factory=list)
    returns: list[dict] = field(default_factory=list)
    coverage: CoverageResult | None = None

    @property
    def error_findings(self) -> int:
        return sum(1 for f in [*self.handover_findings, *self.returns] if f.get("level") == ERROR)

    @property
    def needs_attention(self) -> bool:
        """SLA breaches or error-level findings: what makes cron alert (exit 1)."""
        return bool(self.breaches) or self.error_findings > 0


def monthly_report(records: Records, month: Month, as_of: datetime, calendar: BusinessCalendar,
                   sla_policy: SlaPolicy, kpi_policy: KpiPolicy,
                   handover_policy: HandoverPolicy) -> MonthlyReport:
    organisation = records.settings.organisation if records.settings else ""
    report = MonthlyReport(month, calendar.local(as_of), organisation)
    for by in GROUPINGS:
        report.kpi[by] = kpi_summary(records, month, by, as_of, sla_policy, calendar, kpi_policy)

    tickets = records.tickets
    clocks = clocks_for_tickets(sorted(tickets.values(), key=lambda t: t.id), sla_policy, calendar, as_of)
    report.breaches = sorted(
        (c.to_dict() for c in clocks
         if c.state == "breached" and month.contains(calendar.local_date(c.due_at))),
        key=lambda d: (d["due_at"], d["ticket"], d["metric"], d["cycle"]))
    report.reminders = remind_lists(tickets, clocks, as_of, calendar, (month.year, month.month))

    # Handovers after the as-of moment have not happened yet.
    handovers = [h for h in records.handovers if h.handed_over_at <= as_of]
    findings = handover_reconcile.reconcile(handovers, tickets, handover_policy,
                                            start=month.first_day, end=month.last_day)
    report.handover_findings = [f.to_dict() for f in findings]

    complaints = complaints_in_month(tickets, month, calendar, as_of)
    report.returns = [r.to_dict() for r in reconcile_returns(
        complaints, records.customers, {"return_tolerance": str(kpi_policy.return_tolerance)})]

    report.coverage = contact_coverage(records.customers.values(), records.staff, month.year,
                                       calendar, until=as_of)
    return report
