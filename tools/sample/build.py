"""Put the sample together and write the records tree."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

from .customers import make_customers, make_surveys
from .factory import Registry, everyday_tickets, finish
from .handovers import make_handovers
from .people import PROVIDERS, provider_record, staff_records
from .scenarios import all_scenarios
from .yamlout import dump

EVERYDAY_TICKETS = 680
GENERATED = ("customers", "tickets", "handovers", "surveys", "providers", "policies", "calendars")
DEFAULTS = Path(__file__).resolve().parents[2] / "cxctl" / "defaults"
SETTINGS = {"organisation": "晨光商业广场", "timezone": "Asia/Shanghai", "calendar": "cn-mainland"}


def build(seed: int, scale: float = 1.0) -> tuple[dict[str, str], dict]:
    """Relative path -> file text, plus notes on what the sample contains."""
    def stream(part: str) -> random.Random:
        return random.Random(f"{seed}:{part}")

    customers = make_customers(stream("customers"))
    reg = Registry(stream("tickets"))
    notable = all_scenarios(reg, customers)
    everyday_tickets(reg, customers, round(EVERYDAY_TICKETS * scale))
    finish(reg.tickets)
    handovers, planted = make_handovers(stream("handovers"), reg.tickets)
    surveys = make_surveys(stream("surveys"), customers)

    files: dict[str, str] = {"cxctl.yaml": dump(SETTINGS), "staff.yaml": dump(staff_records())}
    prov_rng = stream("providers")
    for p in PROVIDERS:
        files[f"providers/{p.id}.yaml"] = dump(provider_record(p, prov_rng))
    for c in customers:
        files[f"customers/{c.id}.yaml"] = dump(c.record())
    for t in reg.tickets:
        files[f"tickets/{t.opened_at:%Y/%m}/{t.id}.yaml"] = dump(t.record())
    for h in handovers:
        files[f"handovers/{h['date']:%Y/%m}/{h['date'].isoformat()}-{h['desk']}-{h['shift']}.yaml"] = dump(h)
    for v in surveys:
        files[f"surveys/{v['date']:%Y}/{v['id']}.yaml"] = dump(v)
    for sub in ("policies", "calendars"):
        for src in sorted((DEFAULTS / sub).glob("*.yaml")):
            files[f"{sub}/{src.name}"] = src.read_text(encoding="utf-8")
    rank_violation = next(c.id for c in customers if c.tier and c.tier["level"] == 1 and c.owner == "S-012")
    facts = {"notable": notable, "planted": planted, "rank_violation": rank_violation,
             "override": next(c.id for c in customers if c.tier and "override" in c.tier),
             "missing_input": [c.id for c in customers if c.status == "active" and c.rating and c.score() is None],
             "no_contact_2026": [c.id for c in customers if c.status == "active" and c.since.year <= 2025
                                 and not any(e["at"].year == 2026 for e in c.contact_log)]}
    return files, facts


def write_tree(out: Path, files: dict[str, str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in GENERATED:                  # regenerate, never leave stale records behind
        shutil.rmtree(out / name, ignore_errors=True)
    for rel, text in sorted(files.items()):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
