#!/usr/bin/env python3
"""Time each phase of ``kubelint-nodes place`` in one process, and optionally profile one of them.

``bench/run.py`` times whole processes; when a target is missed this script says which phase to blame:
inventory loading, reading the workloads, the placement engine, the JSON writer and the text report.
The inputs are ``bench/run.py``'s own (``gen_place_inputs``), generated under ``--out`` when absent.

Usage: python bench/place_profile.py [--nodes 5000] [--workloads 200] [--inventory FILE] [--repeat 1]
                                     [--profile PHASE] [--top 25]
PHASE is one of: inventory, workloads, place, json, text.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PHASES = ("inventory", "workloads", "place", "json", "text")


class _Sink(io.TextIOBase):
    """Counts what the JSON writer produces without keeping it (the output size is part of the cost)."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, s: str) -> int:
        self.size += len(s)
        return len(s)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--workloads", type=int, default=200)
    ap.add_argument("--inventory", type=Path, help="an inventory of your own instead of the generated one")
    ap.add_argument("--paths", type=Path, nargs="*", help="workload paths to go with --inventory")
    ap.add_argument("--repeat", type=int, default=1, help="best of N for every phase")
    ap.add_argument("--profile", choices=PHASES, help="print a cProfile of this phase")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "kubelint-nodes-bench")
    args = ap.parse_args()

    from run import gen_place_inputs

    from kubelint_nodes.inventory.load import load_inventory
    from kubelint_nodes.lint import safe_load
    from kubelint_nodes.loader.files import discover
    from kubelint_nodes.placement.collect import collect_placement
    from kubelint_nodes.placement.report import iter_json
    from kubelint_nodes.placement.text import render_text
    from kubelint_nodes.settings import Settings

    if args.inventory:
        inv, paths = args.inventory, list(args.paths or [])
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        inv, wl = gen_place_inputs(args.out, args.nodes, args.workloads)
        paths = [wl]
    settings = Settings(paths=[str(p) for p in paths], inventory=str(inv), fmt="json",
                        whole_repo=not paths, cwd=os.getcwd())

    state: dict = {}

    def phase_inventory() -> None:
        state["inventory"] = load_inventory(settings.inventory, settings)

    def phase_workloads() -> None:
        state["loaded"] = [safe_load(f, settings) for f in discover(settings).files]

    def phase_place() -> None:
        state["result"] = collect_placement(state["inventory"], state["loaded"], settings).result

    def phase_json() -> None:
        sink = _Sink()
        for chunk in iter_json(state["result"]):
            sink.write(chunk)
        state["json_size"] = sink.size

    def phase_text() -> None:
        state["text_size"] = len(render_text(state["result"]))

    funcs = {"inventory": phase_inventory, "workloads": phase_workloads, "place": phase_place,
             "json": phase_json, "text": phase_text}
    total = 0.0
    for name in PHASES:
        best = float("inf")
        for _ in range(max(1, args.repeat)):
            gc.collect()
            if name == args.profile:
                prof = cProfile.Profile()
                t0 = time.perf_counter()
                prof.runcall(funcs[name])
                best = min(best, time.perf_counter() - t0)
                buf = io.StringIO()
                pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(args.top)
                pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(args.top)
                print(buf.getvalue(), file=sys.stderr)
            else:
                t0 = time.perf_counter()
                funcs[name]()
                best = min(best, time.perf_counter() - t0)
        total += best
        print(f"{name:10s} {best:7.2f} s", flush=True)
    result = state["result"]
    print(f"{'total':10s} {total:7.2f} s   ({len(result.nodes)} nodes, {len(result.groups)} groups, "
          f"{len(result.workloads)} workloads; JSON {state['json_size'] / 1e6:.0f} MB, "
          f"text {state['text_size'] / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
