"""A ticket's facts without its events, and a ticket map that builds on demand.

At 200 000 tickets, building every ticket with its events is most of a
command's time, yet most commands look at few of them: KPIs at one month's
complaints, tiering at none, validation's cross-record checks only at
tickets whose references or timestamps need a closer look.  The store works
out each ticket file's ``TicketFacts`` when it reads the file (and caches
them); ``TicketMap`` holds the facts of every ticket and builds a full
``Ticket`` only when one is asked for.  Code that iterates every ticket
still gets every ticket; code that can choose by the facts first builds
only what it chooses.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

from cxctl.model import Ticket

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
DAY_US = 86_400 * 1_000_000
_MICROSECOND = timedelta(microseconds=1)
ACTOR_FIELDS = ("by", "approved_by", "from", "to")


def micros(moment: datetime) -> int:
    """An aware moment as whole microseconds since the epoch (exact, unlike a float)."""
    return (moment - EPOCH) // _MICROSECOND


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


class TicketFacts(NamedTuple):
    path: str | None
    id: str
    customer: str
    kind: str
    status: str
    owner: str | None
    provider: str | None
    opened_us: int                 # opened_at, microseconds since the epoch
    last_us: int                   # the latest of opened_at and every event's time
    actors: tuple[str, ...]        # everyone an event names (by, approved_by, from, to)

    @classmethod
    def of(cls, ticket: Ticket) -> TicketFacts:
        """The facts of a ticket already built (records made in memory)."""
        opened = micros(ticket.opened_at)
        actors = {ref for e in ticket.events for ref in (e.by, e.approved_by, e.from_, e.to) if ref}
        return cls(ticket.path, ticket.id, ticket.customer, ticket.kind, ticket.status, ticket.owner,
                   ticket.provider, opened, max([opened, *(micros(e.at) for e in ticket.events)]),
                   tuple(sorted(actors)))


def facts_row(data: dict, path: str) -> tuple:
    """A schema-valid ticket's facts as a plain tuple, the form the parse
    cache stores; ``as_facts(row)`` gives them back.  Must agree with
    ``TicketFacts.of`` (a test compares them)."""
    parse = datetime.fromisoformat
    opened = micros(parse(data["opened_at"]))
    last, actors = opened, set()
    for event in data.get("events", ()):
        last = max(last, micros(parse(event["at"])))
        for name in ACTOR_FIELDS:
            ref = event.get(name)
            if ref:
                actors.add(ref)
    return (path, data["id"], data["customer"], data["kind"], data["status"], data.get("owner"),
            data.get("provider"), opened, last, tuple(sorted(actors)))


def as_facts(row: tuple) -> TicketFacts:
    return _tuple_new(TicketFacts, row)


_tuple_new = tuple.__new__


class TicketMap(Mapping):
    """Tickets by id: every ticket's facts up front, each ``Ticket`` built the
    first time it is asked for (``build`` turns facts into the ticket)."""

    def __init__(self, facts: dict[str, TicketFacts], build: Callable[[TicketFacts], Ticket]):
        self.facts = facts
        self._build = build
        self._built: dict[str, Ticket] = {}

    def __getitem__(self, ticket_id: str) -> Ticket:
        ticket = self._built.get(ticket_id)
        if ticket is None:
            ticket = self._built[ticket_id] = self._build(self.facts[ticket_id])
        return ticket

    def __contains__(self, ticket_id) -> bool:
        return ticket_id in self.facts

    def __iter__(self) -> Iterator[str]:
        return iter(self.facts)

    def __len__(self) -> int:
        return len(self.facts)

    def __repr__(self) -> str:
        return f"TicketMap({len(self.facts)} tickets, {len(self._built)} built)"


def facts_of(tickets: Mapping[str, Ticket]) -> dict[str, TicketFacts]:
    """Facts of every ticket: those a ``TicketMap`` holds, or worked out from
    the tickets of records made in memory."""
    if isinstance(tickets, TicketMap):
        return tickets.facts
    return {ticket_id: TicketFacts.of(t) for ticket_id, t in tickets.items()}
