"""Benchmark cxctl on a generated tree of 20 000 customers and 200 000 tickets.

    python bench/run.py --scale 0.02      # what `make bench` runs (CI-sized)
    python bench/run.py --scale 1.0       # full size, by hand: 10+ minutes

One run measures, at the given scale and at a tenth of it, each as the median
of several runs of a fresh `python -m cxctl` process: the floor (a bare
single-process parse of every file with PyYAML's C loader), `validate` cold
(--no-cache) and warm (cache hit), `validate` after one file changed, and
`sla check`, `kpi summary`, `tier run` warm (those that exist in this cxctl).
Measurements are interleaved round by round so a noisy machine affects all of
them alike, and costs are reported as ratios to the floor of the same run.
Peak memory is the largest process's maximum RSS (wait4) and, for commands
that fork workers, the sampled sum over the process tree.  Prints a table,
writes JSON to bench/out/, and states the machine it ran on.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen  # noqa: E402  (bench/ is not a package)

REPO = HERE.parent
AS_OF = "2026-11-20T15:00:00+08:00"
MONTH = "2026-10"
PERIOD = "2027-01"        # a January run: every active customer is scored
MIB = 1024 * 1024

# name, cxctl arguments (None: the floor), command group that must exist, target ratio to the floor
MEASURES = [
    ("floor", None, None, None),
    ("validate cold", ["--no-cache", "validate"], None, 0.75),
    ("validate warm", ["validate"], None, 0.10),
    ("one file changed", ["validate"], None, 0.12),
    # As a cron job runs it (SPEC §2's example): JSON, every clock of every ticket.
    ("sla check warm", ["sla", "check", "--as-of", AS_OF, "--format", "json"], "sla", 0.10),
    ("kpi summary warm", ["kpi", "summary", "--month", MONTH], "kpi", 0.10),
    ("tier run warm", ["tier", "run", "--period", PERIOD], "tier", 0.10),
]
MEMORY_TARGET_MIB = 2048
GROWTH_TARGET = 11.0


# --- running one process -------------------------------------------------------

def _tree_rss(pid: int) -> int:
    """Resident memory of a process and its descendants, in bytes (an upper
    bound: pages shared after fork are counted in each process)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError):
            pass
        todo += children.get(p, [])
    return total


def timed_run(argv: list[str], env: dict) -> dict:
    """Wall time, exit code, max RSS and sampled process-tree RSS of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if sys.platform.startswith("linux"):
        sampler.start()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    proc.returncode = os.waitstatus_to_exitcode(status)
    max_rss = usage.ru_maxrss * 1024 if sys.platform.startswith("linux") else usage.ru_maxrss
    return {"seconds": elapsed, "exit": proc.returncode, "max_rss": max_rss,
            "tree_rss": max(peak[0], max_rss), "stderr": stderr.decode("utf-8", "replace")[-600:]}


def cxctl_argv(python: str, root: Path, args: list[str]) -> list[str]:
    return [python, "-m", "cxctl", "--root", str(root), *args]


def has_group(python: str, env: dict, group: str | None) -> bool:
    if group is None:
        return True
    return subprocess.run([python, "-m", "cxctl", group, "--help"], env=env, cwd=REPO,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


# --- the trees -----------------------------------------------------------------

def tree_for(scale: float, seed: int, base: Path) -> tuple[Path, float]:
    """Generate the tree, or reuse one made by the same generator, scale and seed."""
    root = base / f"scale-{scale:g}"
    stamp = f"{scale}|{seed}|{hashlib.sha256((HERE / 'gen.py').read_bytes()).hexdigest()}"
    stamp_file = base / f"scale-{scale:g}.stamp"
    started = time.perf_counter()
    if not (root.is_dir() and stamp_file.is_file() and stamp_file.read_text() == stamp):
        base.mkdir(parents=True, exist_ok=True)
        gen.generate(root, scale, seed)
        stamp_file.write_text(stamp)
        if hasattr(os, "sync"):
            os.sync()       # so writing the new files back does not slow the first runs
    shutil.rmtree(root / ".cxctl-cache", ignore_errors=True)
    return root, time.perf_counter() - started


def change_one_file(root: Path, round_: int) -> None:
    """An edit like a person's: one ticket's summary, a different text each round."""
    path = min((root / "tickets").rglob("T-*.yaml"))
    lines = path.read_text("utf-8").splitlines(keepends=True)
    lines = [f"summary: 改动第{round_}次 {'x' * (round_ % 3)}\n" if line.startswith("summary:") else line
             for line in lines]
    path.write_text("".join(lines), "utf-8")


def count_files(root: Path) -> int:
    return sum(1 for p in root.rglob("*.yaml") if ".cxctl-cache" not in p.parts)


# --- measuring -------------------------------------------------------------------

def measure_size(scale: float, args, env: dict, log) -> dict:
    root, gen_seconds = tree_for(scale, args.seed, args.trees)
    files = count_files(root)
    log(f"scale {scale:g}: {files} files in {root} (ready in {gen_seconds:.1f}s)")
    python = args.python
    active = [m for m in MEASURES if has_group(python, env, m[2])]
    skipped = [m[0] for m in MEASURES if m not in active]
    first = timed_run(cxctl_argv(python, root, ["validate"]), env)      # builds the cache
    log(f"  first run (builds the cache): {first['seconds']:.2f}s, exit {first['exit']}")
    sla = next((m for m in active if m[0] == "sla check warm"), None)
    first_sla = timed_run(cxctl_argv(python, root, sla[1]), env) if sla else None
    if first_sla:     # fills the clocks cache: settled tickets' clocks are kept from here on
        log(f"  first sla check (fills the clocks cache): {first_sla['seconds']:.2f}s, "
            f"exit {first_sla['exit']}")
    runs: dict[str, list[dict]] = {m[0]: [] for m in active}
    for round_ in range(1, args.runs + 1):
        for name, cx_args, _group, _target in active:
            if name == "floor":
                argv = [python, str(HERE / "floor.py"), str(root)]
            else:
                if name == "one file changed":
                    change_one_file(root, round_)
                argv = cxctl_argv(python, root, cx_args)
            result = timed_run(argv, env)
            runs[name].append(result)
            log(f"  round {round_} {name:<18} {result['seconds']:8.2f}s  exit {result['exit']}  "
                f"max RSS {result['max_rss'] / MIB:7.0f} MiB")
    out = {"scale": scale, "files": files, "root": str(root), "first_run": _summary([first]),
           "first_sla_check": _summary([first_sla]) if first_sla else None,
           "cache_mib": _cache_mib(root), "skipped": skipped, "measures": {}}
    for name, results in runs.items():
        out["measures"][name] = _summary(results)
    floor = out["measures"]["floor"]["median"]
    for name, m in out["measures"].items():
        m["ratio"] = m["median"] / floor if floor else None
    for first_of in (out["first_run"], out["first_sla_check"]):
        if first_of:
            first_of["ratio"] = first_of["median"] / floor if floor else None
    return out


def _cache_mib(root: Path) -> float:
    folder = root / ".cxctl-cache"
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) / MIB if folder.is_dir() else 0.0


def _summary(results: list[dict]) -> dict:
    failed = [r for r in results if r["exit"] not in (0, 1)]
    return {"median": statistics.median(r["seconds"] for r in results),
            "runs": [round(r["seconds"], 3) for r in results],
            "max_rss_mib": max(r["max_rss"] for r in results) / MIB,
            "tree_rss_mib": max(r["tree_rss"] for r in results) / MIB,
            "exit_codes": sorted({r["exit"] for r in results}),
            "error": failed[0]["stderr"] if failed else None}


# --- machine and report -------------------------------------------------------

def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "usable_cpus": len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity") else os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        info.setdefault("cpu", platform.processor())
    return info


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def table(full: dict, tenth: dict) -> str:
    head = ["measure", "median s", "× floor", "target", "max RSS MiB", "tree RSS MiB",
            "tenth s", "full/tenth", "growth ok"]
    rows = []
    for name, _args, _group, target in MEASURES:
        m = full["measures"].get(name)
        if m is None:
            rows.append([name, "not in this cxctl", "", "", "", "", "", "", ""])
            continue
        t = tenth["measures"].get(name)
        growth = m["median"] / t["median"] if t and t["median"] else None
        ratio_ok = "" if target is None else ("ok" if m["ratio"] <= target else "MISS")
        rows.append([name + (" (FAILED)" if m["error"] else ""), f"{m['median']:.2f}",
                     f"{m['ratio']:.3f}", f"≤ {target} {ratio_ok}" if target else "",
                     f"{m['max_rss_mib']:.0f}", f"{m['tree_rss_mib']:.0f}",
                     f"{t['median']:.2f}" if t else "", f"{growth:.1f}" if growth else "",
                     ("ok" if growth <= GROWTH_TARGET else "MISS") if growth else ""])
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths))   # noqa: E731
    return "\n".join([line(head), line(["-" * w for w in widths])] + [line(r) for r in rows])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=float(os.environ.get("SCALE", 0.02)),
                    help="1.0 = 20 000 customers and 200 000 tickets (default 0.02, or $SCALE)")
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (median taken)")
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--trees", type=Path, default=HERE / "out" / "trees",
                    help="where the generated trees are kept between runs")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--python", default=sys.executable, help="the Python that runs cxctl")
    ap.add_argument("--code", type=Path, default=REPO,
                    help="checkout whose cxctl is measured (default: this one)")
    args = ap.parse_args(argv)
    env = {**os.environ, "PYTHONPATH": str(args.code.resolve()), "NO_COLOR": "1", "CXCTL_ROOT": ""}
    log = lambda text: print(text, file=sys.stderr, flush=True)   # noqa: E731
    info = machine()
    log(f"machine: {info.get('cpu')}, {info['usable_cpus']} usable of {info['cpus']} CPUs, "
        f"{info.get('ram_gib')} GiB RAM, Python {info['python']}; load average {load_average()}")
    started = time.time()
    load_before = load_average()
    full = measure_size(args.scale, args, env, log)
    tenth = measure_size(args.scale / 10, args, env, log)
    report = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": info, "load_average": {"before": load_before, "after": load_average()},
              "runs_per_measure": args.runs, "seconds_total": round(time.time() - started, 1),
              "targets": {"ratio_to_floor": {m[0]: m[3] for m in MEASURES if m[3]},
                          "memory_mib_at_full_size": MEMORY_TARGET_MIB, "full_over_tenth": GROWTH_TARGET},
              "full": full, "tenth": tenth}
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench-scale-{args.scale:g}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False), "utf-8")
    print(f"cxctl benchmark, scale {args.scale:g} ({full['files']} files) and {args.scale / 10:g} "
          f"({tenth['files']} files), median of {args.runs} runs")
    print(f"machine: {info.get('cpu')}, {info['usable_cpus']} CPUs, {info.get('ram_gib')} GiB RAM, "
          f"Python {info['python']}; load average before/after {load_before} / {load_average()}")
    print(table(full, tenth))
    print(f"first run (builds the cache): {full['first_run']['median']:.2f}s "
          f"({full['first_run']['ratio']:.3f} × floor)")
    if full["first_sla_check"]:
        print(f"first sla check (fills the clocks cache): {full['first_sla_check']['median']:.2f}s "
              f"({full['first_sla_check']['ratio']:.3f} × floor)")
    print(f"cache on disk: {full['cache_mib']:.0f} MiB (parse cache and clocks)")
    if args.scale < 1.0:
        print("note: the targets are set for full size (SCALE=1.0); on a small tree every "
              "command's fixed start-up (imports, about 0.3 s) outweighs the work measured")
    if args.scale >= 1.0:
        worst = max(m["tree_rss_mib"] for m in full["measures"].values())
        print(f"peak memory at full size: {worst:.0f} MiB (target ≤ {MEMORY_TARGET_MIB} MiB): "
              f"{'ok' if worst <= MEMORY_TARGET_MIB else 'MISS'}")
    for name in full["skipped"]:
        print(f"skipped: {name} (no such command in this cxctl yet)")
    for name, m in full["measures"].items():
        if m["error"]:
            print(f"FAILED: {name}: {m['error'].strip()}")
    print(f"JSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
