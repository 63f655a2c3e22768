#!/usr/bin/env python3
"""Time each phase of ``kubelint-nodes place`` in one process, and optionally profile one of them.

``bench/run.py`` times whole processes; when a target is missed this script says which phase to blame:
inventory loading, reading the workloads, the placement engine, the JSON writer and the text report.
The inputs are ``bench/run.py``'s own (``gen_place_inputs``), generated under ``--out`` when absent.

Usage: python bench/place_profile.py [--nodes 5000] [--workloads 200] [--form distinct|pools|kubectl]
                                     [--inventory FILE [--paths P...]] [--repeat 1] [--profile PHASE] [--top 25]
PHASE is one of: inventory, workloads, place, json, text.  ``--form pools`` spreads ``--nodes`` over four
pools (the case of "a 50,000-node pool costs what one node costs"); ``--form kubectl`` writes the distinct
nodes as a ``kubectl get nodes -o yaml`` dump, with the fields a real one carries, and also times the bare
YAML parse of it (the floor of kubectl-form loading).
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


POOLS = (
    ("control-plane", "{node-role.kubernetes.io/control-plane: \"\"}",
     "[{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]", "{cpu: \"4\", memory: 16Gi, pods: \"110\"}"),
    ("general", "{node.kubernetes.io/instance-type: m6i.2xlarge}", "[]", "{cpu: \"8\", memory: 32Gi, pods: \"110\"}"),
    ("gpu", "{nvidia.com/gpu.present: \"true\", tier: t0}", "[{key: dedicated, value: gpu, effect: NoSchedule}]",
     "{cpu: \"16\", memory: 64Gi, pods: \"110\", nvidia.com/gpu: \"1\"}"),
    ("edge", "{topology.kubernetes.io/zone: edge, tier: t1}", "[]", "{cpu: \"2\", memory: 4Gi, pods: \"30\"}"),
)


def gen_pool_inventory(out: Path, nodes: int) -> Path:
    """``nodes`` spread over four pools: every member of a pool is the same node but for its name."""
    path = out / f"pools-{nodes}.yaml"
    if not path.is_file():
        lines = ["apiVersion: kubelint-nodes.io/v1alpha1", "kind: NodeInventory", "pools:"]
        for i, (name, labels, taints, alloc) in enumerate(POOLS):
            count = nodes // len(POOLS) + (1 if i < nodes % len(POOLS) else 0)
            lines.append(f"- name: {name}\n  count: {count}\n  labels: {labels}\n  taints: {taints}\n"
                         f"  allocatable: {alloc}")
        path.write_text("\n".join(lines) + "\n")
    return path


def gen_kubectl_dump(out: Path, nodes: int) -> Path:
    """The distinct nodes of ``gen_place_inputs`` as ``kubectl get nodes -o yaml`` prints them, with the
    fields placement skips (addresses, images, managedFields, nodeInfo) at a realistic size."""
    path = out / f"kubectl-{nodes}.yaml"
    if path.is_file():
        return path
    zones = ["a", "b", "c"]
    parts = ["apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: \"\"\nitems:\n"]
    for i in range(nodes):
        name = f"node-{i:05d}"
        taint = ("\n    taints:\n    - effect: NoSchedule\n      key: dedicated\n      value: gpu" if i % 10 == 0
                 else "")
        images = "".join(f"\n    - names:\n      - registry.example.com/img-{k}@sha256:{k:064x}\n"
                         f"      - registry.example.com/img-{k}:v{k}.0\n      sizeBytes: {100000 + k * 977}"
                         for k in range(8))
        parts.append(
            f"- apiVersion: v1\n  kind: Node\n  metadata:\n    annotations:\n"
            f"      node.alpha.kubernetes.io/ttl: \"0\"\n"
            f"      volumes.kubernetes.io/controller-managed-attach-detach: \"true\"\n"
            f"    creationTimestamp: \"2024-05-01T10:00:00Z\"\n    labels:\n"
            f"      beta.kubernetes.io/arch: amd64\n      beta.kubernetes.io/os: linux\n"
            f"      kubernetes.io/arch: amd64\n      kubernetes.io/hostname: {name}\n"
            f"      kubernetes.io/os: linux\n      rack: r{i % 97}\n      tier: t{i % 5}\n"
            f"      topology.kubernetes.io/zone: zone-{zones[i % 3]}\n"
            f"    managedFields:\n    - apiVersion: v1\n      fieldsType: FieldsV1\n      fieldsV1:\n"
            f"        f:metadata:\n          f:labels:\n            f:rack: {{}}\n            f:tier: {{}}\n"
            f"      manager: kubelet\n      operation: Update\n      time: \"2024-05-01T10:00:00Z\"\n"
            f"    name: {name}\n    resourceVersion: \"{1000 + i}\"\n    uid: 00000000-0000-0000-0000-{i:012d}\n"
            f"  spec:\n    podCIDR: 10.{i // 256 % 256}.{i % 256}.0/24\n    podCIDRs:\n"
            f"    - 10.{i // 256 % 256}.{i % 256}.0/24\n    providerID: aws:///zone-{zones[i % 3]}/i-{i:017x}{taint}\n"
            f"  status:\n    addresses:\n    - address: 10.1.{i // 256 % 256}.{i % 256}\n      type: InternalIP\n"
            f"    - address: {name}\n      type: Hostname\n"
            f"    allocatable:\n      cpu: \"{8 + i % 24}\"\n      ephemeral-storage: \"95491281146\"\n"
            f"      memory: {16 + i % 48}Gi\n      pods: \"110\"\n"
            f"    capacity:\n      cpu: \"{8 + i % 24}\"\n      ephemeral-storage: 103609Mi\n"
            f"      memory: {17 + i % 48}Gi\n      pods: \"110\"\n"
            f"    conditions:\n    - lastHeartbeatTime: \"2024-05-01T10:00:00Z\"\n"
            f"      lastTransitionTime: \"2024-05-01T10:00:00Z\"\n      message: kubelet is posting ready status\n"
            f"      reason: KubeletReady\n      status: \"True\"\n      type: Ready\n"
            f"    - lastHeartbeatTime: \"2024-05-01T10:00:00Z\"\n"
            f"      lastTransitionTime: \"2024-05-01T10:00:00Z\"\n"
            f"      message: kubelet has no disk pressure\n      reason: KubeletHasNoDiskPressure\n"
            f"      status: \"False\"\n      type: DiskPressure\n"
            f"    daemonEndpoints:\n      kubeletEndpoint:\n        Port: 10250\n    images:{images}\n"
            f"    nodeInfo:\n      architecture: amd64\n      bootID: {i:08x}-aaaa-bbbb-cccc-dddddddddddd\n"
            f"      containerRuntimeVersion: containerd://1.7.13\n      kernelVersion: 6.1.0\n"
            f"      kubeProxyVersion: v1.30.0\n      kubeletVersion: v1.30.0\n"
            f"      machineID: {i:032x}\n      operatingSystem: linux\n"
            f"      osImage: Ubuntu 22.04.4 LTS\n      systemUUID: {i:032x}\n")
    path.write_text("".join(parts))
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--workloads", type=int, default=200)
    ap.add_argument("--form", choices=("distinct", "pools", "kubectl"), default="distinct")
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
        if args.form == "pools":
            inv = gen_pool_inventory(args.out, args.nodes)
        elif args.form == "kubectl":
            inv = gen_kubectl_dump(args.out, args.nodes)
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

    if args.form == "kubectl":
        from kubelint_nodes.inventory.source import inventory_limits, no_gc
        from kubelint_nodes.loader.yamlparse import parse_yaml

        text = Path(inv).read_text(encoding="utf-8")
        best = float("inf")
        for _ in range(max(1, args.repeat)):
            gc.collect()
            t0 = time.perf_counter()
            with no_gc():
                parse_yaml(text, inventory_limits(settings.limits, len(text)))
            best = min(best, time.perf_counter() - t0)
        print(f"{'yaml-parse':10s} {best:7.2f} s   (the floor of kubectl-form loading; {len(text) / 1e6:.0f} MB)")

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
