"""The SLA clocks `sla check` lists, as rows ready to print, on both cores and
from the clocks cache.

A ticket's clocks are kept together as ``(states, running, text)``: each
clock's state and whether it still runs, and the clocks' JSON objects
(``render.json_item_text``) joined as they stand in a JSON list.  A whole
listing is then the tickets' texts joined, without touching each clock.

A ticket whose clocks have all stopped gives the same clocks at every moment
from its last event on (``sla.settled_since``).  Those are kept next to the
parse cache (``store.clockcache``), keyed by the ticket file's version and a
fingerprint of the SLA policy, calendars and settings, and reused instead of
evaluating the ticket again.  Tickets the cache cannot answer for (not
closed, or with events after the moment asked about) are evaluated in a
child process on the other core while this one reads the cache.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from cxctl import render
from cxctl.calendar import BusinessCalendar
from cxctl.model import CLOSED_STATUSES, Records
from cxctl.sla import Clock, clocks_for_ticket, settled_since
from cxctl.sla_policy import SlaPolicy
from cxctl.store import clockcache, parallel
from cxctl.store.gcpause import collector_paused
from cxctl.store.loader import LoadResult
from cxctl.ticket_index import TicketFacts, micros

SEPARATOR = render.JSON_ITEM_SEPARATOR
TicketClocks = tuple[tuple[str, ...], tuple[bool, ...], str]

# Fewer tickets than this are evaluated faster here than by forking a process.
FORK_MIN = 2000


def ticket_clocks(clocks: list[Clock]) -> TicketClocks:
    return (tuple(c.state for c in clocks), tuple(c.is_running for c in clocks),
            SEPARATOR.join([render.json_item_text(c.to_dict()) for c in clocks]))


def clock_rows(loaded: LoadResult, records: Records, chosen: list[TicketFacts], policy: SlaPolicy,
               calendar: BusinessCalendar, moment: datetime) -> list[TicketClocks]:
    """The clocks of each chosen ticket as of ``moment``, in the order given."""
    with collector_paused(freeze=True):      # the rows live until the command ends
        return _clock_rows(loaded, records, chosen, policy, calendar, moment)


def _clock_rows(loaded: LoadResult, records: Records, chosen: list[TicketFacts], policy: SlaPolicy,
                calendar: BusinessCalendar, moment: datetime) -> list[TicketClocks]:
    keys = loaded.file_keys

    def evaluate(batch: list[TicketFacts]) -> list[tuple[TicketClocks, float | None]]:
        out = []
        for f in batch:
            ticket = records.tickets[f.id]
            clocks = clocks_for_ticket(ticket, policy, calendar, moment)
            # Only a closed ticket is ever looked up in the cache (see below).
            since = settled_since(ticket, clocks, moment) \
                if f.path in keys and f.status in CLOSED_STATUSES else None
            out.append((ticket_clocks(clocks), since.timestamp() if since else None))
        return out

    # Not closed, changed since it was read, or with events after ``moment``:
    # the cache cannot answer for these.  The rest are looked up by path, in
    # structures made here, before the fork: after it, every object made by
    # the load that this process touches costs a copy of its memory page
    # (its reference count is written), and those objects lie scattered.
    now_us = micros(moment)
    live: list[int] = []
    wanted: dict[str, tuple] = {}
    position: dict[str, int] = {}
    for i, f in enumerate(chosen):
        key = keys.get(f.path)
        if key is None or f.status not in CLOSED_STATUSES or f.last_us > now_us:
            live.append(i)
        else:
            wanted[f.path] = (*key,)
            position[f.path] = i
    fingerprint = clockcache.clock_fingerprint(
        records.policies.get("sla") or {}, records.calendars, asdict(records.settings))
    live_facts = [chosen[i] for i in live]
    # While this process reads the cache, the other core evaluates the live
    # tickets; with nothing to read (no cache), they are shared below.
    elsewhere = parallel.start_in_child(evaluate, live_facts) \
        if wanted and len(live) >= FORK_MIN else None
    out: list[TicketClocks | None] = [None] * len(chosen)
    at = moment.timestamp()
    with parallel.cancelled_on_error(elsewhere):
        for path, (settled, clocks) in clockcache.read(loaded.root, fingerprint, wanted).items():
            if settled <= at:
                out[position[path]] = clocks
        live_set = set(live)
        misses = [i for i, clocks in enumerate(out) if clocks is None and i not in live_set]
        evaluated = list(zip(misses, _evaluate_split(evaluate, [chosen[i] for i in misses])))
        live_results = elsewhere.result() if elsewhere is not None else None
    if live_results is None:
        live_results = _evaluate_split(evaluate, live_facts)
    evaluated += zip(live, live_results)
    settled = []
    for i, (clocks, since) in evaluated:
        out[i] = clocks
        if since is not None:
            path = chosen[i].path
            settled.append((path, keys[path], since, clocks))
    if settled:
        clockcache.write(loaded.root, fingerprint, settled, set(keys))
    return out


def _evaluate_split(evaluate, batch: list) -> list:
    """``evaluate(batch)``, half of it on the other core when it is big."""
    if len(batch) < 2 * FORK_MIN:
        return evaluate(batch)
    half = len(batch) // 2
    elsewhere = parallel.start_in_child(evaluate, batch[:half])
    if elsewhere is None:
        return evaluate(batch)
    with parallel.cancelled_on_error(elsewhere):
        here = evaluate(batch[half:])
    first = elsewhere.result()
    return (first if first is not None else evaluate(batch[:half])) + here


def listed(per_ticket: list[TicketClocks], states: set[str] | None, running_only: bool, *,
           joined: bool = False) -> tuple[list[str], list[str]]:
    """The states and the JSON texts of the clocks to list.  With ``joined``
    (for a JSON list) and no filter, a text may hold a whole ticket's clocks."""
    if joined and not states and not running_only:
        return [s for clocks in per_ticket for s in clocks[0]], [c[2] for c in per_ticket if c[2]]
    shown_states, texts = [], []
    for ticket_states, running, text in per_ticket:
        if not ticket_states:
            continue
        for state, runs, one in zip(ticket_states, running, split(text, len(ticket_states))):
            if (not states or state in states) and (runs or not running_only):
                shown_states.append(state)
                texts.append(one)
    return shown_states, texts


def split(text: str, count: int) -> list[str]:
    """A ticket's joined clock texts, one per clock.  Each is a JSON object
    starting with "{"; text inside it never holds a raw line break, so the
    separator followed by "{" occurs only between two clocks."""
    if count == 1:
        return [text]
    first, *rest = text.split(SEPARATOR + "{")
    return [first, *("{" + part for part in rest)]
