"""What appending an event does to a ticket (pure; the CLI writes the result)."""
from __future__ import annotations

from cxctl.model import STATUS_AFTER_EVENT, Ticket

# Which status an event may follow: closing a ticket that is already closed,
# or reopening an open one, is refused rather than written.
ALLOWED_FROM = {
    "resolve": {"open"},
    "close": {"open", "resolved"},
    "force_close": {"open", "resolved"},
    "reopen": {"resolved", "closed", "force_closed"},
}


class EventRefused(ValueError):
    pass


def event_updates(ticket: Ticket, event: dict) -> dict:
    """Field changes that go with appending ``event`` (status, owner, provider).

    Raises EventRefused when the event makes no sense for the ticket as it is.
    """
    kind = event["type"]
    updates: dict = {}
    if kind in ALLOWED_FROM and ticket.status not in ALLOWED_FROM[kind]:
        raise EventRefused(f"cannot {kind.replace('_', ' ')} ticket {ticket.id}: it is {ticket.status}")
    if ticket.events and event["at"] < ticket.events[-1].at:
        raise EventRefused(
            f"events are in time order: {event['at'].isoformat()} is before the last event "
            f"({ticket.events[-1].at.isoformat()})")
    if event["at"] < ticket.opened_at:
        raise EventRefused(f"{event['at'].isoformat()} is before the ticket was opened")
    if kind in STATUS_AFTER_EVENT:
        updates["status"] = STATUS_AFTER_EVENT[kind]
    if kind == "transfer":
        field = "owner" if event["to"].startswith("S-") else "provider"
        current = getattr(ticket, field)
        if current == event["to"]:
            raise EventRefused(f"ticket {ticket.id} is already with {event['to']}")
        to = event.pop("to")
        event.setdefault("from", current)
        event["to"] = to                      # read as "from … to …" in the file
        updates[field] = to
    return updates
