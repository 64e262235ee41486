"""Loading a records root: every file read, checked, and turned into models.

``read_entry`` is the unit of work: one file's bytes to its JSON-typed data
and findings.  It depends on nothing but the file's content and path, which is
what makes it cacheable and safe to run in parallel.  ``load_records`` puts
the entries together, adds the cross-record checks and returns both the
records that loaded and every finding; it never raises on bad data.
"""
from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from cxctl import integrity, rules
from cxctl.findings import Finding, error, sort_key, warning
from cxctl.model import (Customer, Handover, Provider, Records, Settings, Staff, Survey,
                         Ticket)
from cxctl.store import layout, positions, schemas, yamlread
from cxctl.store.gcpause import collector_paused
from cxctl.ticket_index import TicketFacts, TicketMap, as_facts, facts_row

DEFAULTS = Path(__file__).resolve().parent.parent / "defaults"


@dataclass(slots=True)
class FileEntry:
    relpath: str
    kind: str | None
    data: object | None          # JSON-typed content if it passed its schema
    findings: list[Finding] = field(default_factory=list)
    facts: tuple | None = None   # a loaded ticket's ``ticket_index.facts_row``

    @property
    def loaded(self) -> bool:
        """Whether the record passed its schema.  Ask this rather than
        ``data is None``: an entry from the parse cache unmarshals its data
        on every read of ``data``, but answers this without it."""
        return self.data is not None


@dataclass
class LoadResult:
    root: Path
    records: Records
    findings: list[Finding]
    entries: dict[str, FileEntry]
    # What identifies each file's version (size, mtime_ns, ctime_ns, inode),
    # for caches of results derived from a file; only files old enough for
    # that to be trusted (see cache.py), and none when the cache is not used.
    file_keys: dict[str, tuple] = field(default_factory=dict)

    def findings_for(self, relpaths: set[str] | None) -> list[Finding]:
        if relpaths is None:
            return self.findings
        return [f for f in self.findings if f.path in relpaths]


def list_files(root: Path) -> list[str]:
    return [relpath for relpath, _ in walk_files(root)]


def walk_files(root: Path) -> list[tuple[str, tuple[int, int, int, int] | None]]:
    """Every record file under ``root`` in path order, with what identifies
    its version now: (size, mtime_ns, ctime_ns, inode), or None if it cannot
    be stat'ed.  Hidden files and folders are skipped; symbolic links to
    folders are not followed (as ``os.walk`` does)."""
    out: list[tuple[str, tuple | None]] = []

    def walk(folder: str, prefix: str) -> None:
        try:
            listing = os.scandir(folder)
        except OSError:
            return
        with listing:
            for item in listing:
                name = item.name
                if name.startswith("."):
                    continue
                try:
                    is_dir = item.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    if not item.is_symlink():
                        walk(item.path, prefix + name + "/")
                elif name.endswith((".yaml", ".yml")):
                    try:
                        st = item.stat()
                        key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                    except OSError:
                        key = None
                    out.append((prefix + name, key))

    walk(os.fspath(root), "")
    out.sort()
    return out


def read_entry(root: Path, relpath: str) -> FileEntry:
    if relpath.endswith(".yml"):
        return FileEntry(relpath, None, None, [warning(
            relpath, "wrong-extension", "record files end in .yaml; this file is ignored",
            hint=f"git mv {relpath} {relpath[:-4]}.yaml")])
    kind, hint = layout.classify(relpath)
    if kind is None:
        return FileEntry(relpath, None, None, [error(
            relpath, "wrong-folder", "this file is not where any kind of record belongs",
            hint=hint)])
    try:
        raw = (root / relpath).read_bytes()
    except OSError as exc:
        return FileEntry(relpath, kind, None, [error(relpath, "unreadable", exc.strerror or str(exc))])
    return check_bytes(raw, relpath, kind)


def check_bytes(raw: bytes, relpath: str, kind: str) -> FileEntry:
    """Parse, normalise and check one file's content (also used before writes)."""
    parsed = yamlread.load(raw, relpath)
    if parsed.findings:
        return FileEntry(relpath, kind, None, parsed.findings)
    data, naive = parsed.data, parsed.naive
    found = [error(relpath, "naive-timestamp",
                   f"timestamp '{'.'.join(map(str, where))}' has no UTC offset",
                   field=".".join(map(str, where)),
                   hint="add the offset, e.g. 2026-11-24T09:12:00+08:00")
             for where in naive]
    name = layout.schema_name(kind, relpath)
    if name not in schemas.available():
        found.append(error(relpath, "unknown-policy" if kind == "policy" else "unknown-kind",
                           f"there is no schema for '{name}'",
                           hint="known policies: " + ", ".join(
                               sorted(n[7:] for n in schemas.available() if n.startswith("policy-")))))
    else:
        found += schemas.check(name, data, relpath, {f.field for f in found})
    if not found:
        found += _identity_findings(kind, data, relpath)
        found += rules.record_findings(name, data, relpath)
    if found:
        positions.fill(found, parsed.text)
    valid = not any(f.level == "error" and f.code not in _LOADABLE for f in found)
    if not valid:
        return FileEntry(relpath, kind, None, found)
    return FileEntry(relpath, kind, data, found, facts_row(data, relpath) if kind == "ticket" else None)


# Codes of findings after which the record is still whole enough to load, so
# cross-record checks and commands can use it.
_LOADABLE = frozenset({"status-mismatch", "severity-below-derived", "event-order",
                       "event-before-opened", "transfer-mismatch", "id-mismatch",
                       "extend-not-later"})


def _identity_findings(kind: str, data, relpath: str) -> list[Finding]:
    if kind in ("customer", "ticket", "provider", "survey"):
        stem = layout.id_from_path(relpath)
        if data.get("id") != stem:
            return [error(relpath, "id-mismatch",
                          f"the id {data.get('id')} does not match the file name {stem}.yaml",
                          field="id", hint="a record's file is named after its id")]
    return []


def load_records(root: Path, *, use_cache: bool = True, now: datetime | None = None,
                 cross_checks: bool = True) -> LoadResult:
    with collector_paused():
        result = _load(Path(root), use_cache, now, cross_checks)
        if len(result.entries) >= FREEZE_MIN:
            # Out of the collector's sight before it resumes: its first pass
            # would walk all of it, and so would every full pass after that.
            gc.freeze()
    return result


# Trees at least this big are moved out of the collector's sight once loaded.
FREEZE_MIN = 10_000


def _load(root: Path, use_cache: bool, now: datetime | None, cross_checks: bool) -> LoadResult:
    from cxctl.store import cache    # the cache is optional plumbing around read_entry

    started = time.time_ns()
    files, entries = cache.read_tree(root, walk_files, read_entry, use_cache=use_cache, started=started)
    records, identities, build_findings = build(entries)
    _fill_defaults(records)
    findings = [f for e in entries.values() for f in e.findings] + build_findings
    if cross_checks:
        # Only `validate` reports these; other commands need each file's own
        # findings (what was left out), and skipping this pass over every
        # record saves about a quarter of a warm load.
        cross = integrity.check_records(records, identities, now=now or datetime.now(timezone.utc))
        positions.fill_from_files(root, cross)
        findings += cross
    findings.sort(key=sort_key)
    keys = {p: key for p, key in files if key is not None and not cache.recent(key, started)} \
        if use_cache else {}
    return LoadResult(root, records, findings, entries, keys)


def build(entries: dict[str, FileEntry]) -> tuple[Records, list, list[Finding]]:
    records = Records()
    identities: list[tuple[str, str, str]] = []
    findings: list[Finding] = []
    ticket_facts: dict[str, TicketFacts] = {}
    for relpath, entry in entries.items():
        kind = entry.kind
        if kind == "ticket":
            # Tickets are built when first asked for (``TicketMap``): their
            # facts, kept next to each file's entry, are enough until then.
            if entry.facts is not None:
                facts = as_facts(entry.facts)
                identities.append(("ticket", facts.id, relpath))
                ticket_facts.setdefault(facts.id, facts)
            continue
        data = entry.data
        if data is None:
            continue
        if kind == "settings":
            records.settings = Settings.from_dict(data)
        elif kind == "staff":
            for person in data:
                identities.append(("staff", person["id"], relpath))
                records.staff.setdefault(person["id"], Staff(**person))
        elif kind == "policy":
            records.policies[layout.id_from_path(relpath)] = data
        elif kind == "calendar":
            records.calendars[data.get("name") or layout.id_from_path(relpath)] = data
        elif kind == "handover":
            records.handovers.append(Handover.from_dict(data, relpath))
        else:
            cls, store = _BUILDERS[kind]
            item = cls.from_dict(data, relpath)
            identities.append((kind, item.id, relpath))
            getattr(records, store).setdefault(item.id, item)
    records.tickets = TicketMap(ticket_facts, lambda f: Ticket.from_dict(entries[f.path].data, f.path))
    records.handovers.sort(key=lambda h: (h.desk, h.date, h.shift != "early"))
    if "settings" not in {e.kind for e in entries.values()}:
        findings.append(error("cxctl.yaml", "missing-settings", "the records root has no cxctl.yaml",
                              hint="run `cxctl init` to create one, or pass --root to the right folder"))
    return records, identities, findings


_BUILDERS = {"customer": (Customer, "customers"), "provider": (Provider, "providers"), "survey": (Survey, "surveys")}


def _fill_defaults(records: Records) -> None:
    """Policies and calendars a root does not define come from the package."""
    for path in sorted((DEFAULTS / "policies").glob("*.yaml")):
        if path.stem not in records.policies:
            entry = check_bytes(path.read_bytes(), f"policies/{path.name}", "policy")
            if entry.data is not None:
                records.policies[path.stem] = entry.data
    for path in sorted((DEFAULTS / "calendars").glob("*.yaml")):
        entry = check_bytes(path.read_bytes(), f"calendars/{path.name}", "calendar")
        if entry.data is not None:
            records.calendars.setdefault(entry.data.get("name") or path.stem, entry.data)
