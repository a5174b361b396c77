#!/usr/bin/env python3
"""Benchmark of the three heavy commands at a given scale: wall time and peak memory (not a test).

Runs, in order, each in its own process:

    kpr synth  --out WORK/extract --scale SCALE --seed 1        (issue target at scale 1.0: <= 120 s, <= 6 GiB)
    kpr tables WORK/extract --year YEAR --out WORK/tables        (<= 60 s, <= 4 GiB)
    kpr build  WORK/extract --year YEAR --out WORK/site          (<= 5 min, excluding data generation)

and prints one line per command with wall seconds and peak resident memory (the child's maximum RSS, from
``getrusage``). Usage: ``.venv/bin/python scripts/benchmark.py [--scale 1.0] [--year 2024] [--work work/benchmark]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

KPR = str(Path(sys.executable).with_name("kpr"))


def run(label: str, command: list[str]) -> tuple[float, float, int]:
    """Run ``command`` in a fresh process; return wall seconds, peak RSS in GiB and the exit code."""
    pid_start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - pid_start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        error = process.stderr.read() if process.stderr else ""
        print(f"{label}: failed with exit code {code}\n{error[-2000:]}", file=sys.stderr)
    return wall, usage.ru_maxrss / 1024**2, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--work", type=Path, default=Path("work/benchmark"))
    parser.add_argument("--only", choices=["synth", "tables", "build"], action="append")
    args = parser.parse_args()
    extract, tables, site = args.work / "extract", args.work / "tables", args.work / "site"
    steps = {
        "synth": [KPR, "synth", "--out", str(extract), "--scale", str(args.scale), "--seed", "1"],
        "tables": [KPR, "tables", str(extract), "--year", str(args.year), "--out", str(tables)],
        "build": [KPR, "build", str(extract), "--year", str(args.year), "--out", str(site)],
    }
    selected = args.only or list(steps)
    if "synth" in selected:
        shutil.rmtree(extract, ignore_errors=True)
    print(f"benchmark at --scale {args.scale}, year {args.year}, {os.cpu_count()} cores")
    failed = False
    for name in selected:
        wall, peak_gib, code = run(name, steps[name])
        failed |= code != 0
        print(f"kpr {name:<6}  wall {wall:7.1f} s   peak RSS {peak_gib:5.2f} GiB   exit {code}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
