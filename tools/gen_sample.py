#!/usr/bin/env python3
"""Regenerate the sample records tree of 晨光商业广场's service desk.

    python tools/gen_sample.py [--out records] [--seed N] [--scale F]

The same seed always gives a byte-identical tree (no wall clock, one seeded
random stream per part).  Policies and calendars are copied from
cxctl/defaults/ so the sample uses the shipped defaults.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample.build import build, write_tree  # noqa: E402

DEFAULT_SEED = 20261120


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="records", type=Path, help="records root to (re)write")
    parser.add_argument("--seed", default=DEFAULT_SEED, type=int)
    parser.add_argument("--scale", default=1.0, type=float, help="multiplies the number of everyday tickets")
    parser.add_argument("--quiet", action="store_true", help="do not list the notable records")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    files, facts = build(args.seed, args.scale)
    write_tree(args.out, files)
    if not args.quiet:
        kinds = {}
        for rel in files:
            kinds[rel.split("/")[0]] = kinds.get(rel.split("/")[0], 0) + 1
        print(f"wrote {len(files)} files to {args.out}: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
        for label, ref in {**facts["planted"], **facts["notable"]}.items():
            print(f"  {ref}  {label}")
        print(f"  {facts['rank_violation']}  tier 1 owned by a supervisor (rank rule warning)")
        print(f"  {facts['override']}  tier override")
        print(f"  {' '.join(facts['missing_input'])}  rating input missing")
        print(f"  {' '.join(facts['no_contact_2026'])}  no formal contact in 2026")
    return 0


if __name__ == "__main__":
    sys.exit(main())
