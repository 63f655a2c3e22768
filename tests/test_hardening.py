"""Hostile and broken input: never a crash, never an internal error, never a lost file."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, assert_valid_report, run_cli, run_json
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HOSTILE = FIXTURES / "hostile"


def _expected() -> list[tuple[str, str]]:
    rows = []
    for line in (HOSTILE / "EXPECTED.tsv").read_text().splitlines():
        if line and not line.startswith("#"):
            name, exp = line.split("\t")
            rows.append((name, exp))
    return rows


@pytest.mark.parametrize(("name", "expected"), _expected())
def test_hostile_fixture(name: str, expected: str) -> None:
    rep = run_json(str(HOSTILE / name), cwd=ROOT)
    rules = {f["rule"] for f in rep["findings"]}
    assert rep["summary"]["files"] == 1
    if expected == "skip":
        assert rep["findings"] == [], rep["findings"]
    elif expected != "any":
        assert expected in rules, rep["findings"]


def test_every_hostile_fixture_has_an_expectation() -> None:
    names = {n for n, _ in _expected()}
    present = {p.name for p in HOSTILE.iterdir() if p.name != "EXPECTED.tsv"}
    assert names == present


def test_hostile_directory_in_one_run() -> None:
    rep = run_json(str(HOSTILE), cwd=ROOT)
    assert rep["summary"]["files"] == len(_expected())


def test_unknown_tag_never_security_finding() -> None:
    """Non-Kubernetes YAML is never mistaken for a workload (no false security finding)."""
    rep = run_json(str(HOSTILE / "docker-compose.yml"), cwd=ROOT)
    assert rep["findings"] == []


def test_scalar_length_limit(tmp_path: Path) -> None:
    (tmp_path / "big.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata:\n  a: " + "x" * 1_100_000 + "\n")
    rep = run_json("big.yaml", cwd=tmp_path)
    assert [(f["rule"], f["line"]) for f in rep["findings"]] == [("yaml-limits-exceeded", 4)]


def test_file_size_limit_from_config(tmp_path: Path) -> None:
    (tmp_path / ".kubelint-nodes.yaml").write_text("limits:\n  max-file-size: 100\n")
    (tmp_path / "p.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n" + "#" * 200 + "\n")
    rep = run_json("p.yaml", cwd=tmp_path)
    assert [f["rule"] for f in rep["findings"]] == ["yaml-limits-exceeded"]


def test_document_count_limit(tmp_path: Path) -> None:
    (tmp_path / ".kubelint-nodes.yaml").write_text("limits:\n  max-documents: 3\n")
    (tmp_path / "m.yaml").write_text("---\na: 1\n" * 5)
    rep = run_json("m.yaml", cwd=tmp_path)
    assert [(f["rule"], f["line"]) for f in rep["findings"]] == [("yaml-limits-exceeded", 7)]


def test_non_utf8_file_name(tmp_path: Path) -> None:
    name = os.fsdecode(b"bad-\xff.yaml")
    with open(os.path.join(os.fsencode(str(tmp_path)), b"bad-\xff.yaml"), "wb") as fh:
        fh.write(b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: c\n"
                 b"    image: a:1\n    securityContext: {privileged: true}\n")
    rep = run_json(".", cwd=tmp_path)
    assert rep["summary"]["files"] == 1
    assert [f["file"] for f in rep["findings"] if f["rule"] == "privileged-container"] == ["bad-\\xff.yaml"]
    del name


def test_directory_given_as_kubelet_config_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    res = run_cli("lint", "--kubelet-config", "d", ".", cwd=tmp_path)
    assert res.exit_code == 2


def test_internal_error_becomes_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(ctx):  # noqa: ANN001, ANN202
        raise RuntimeError("synthetic failure")

    from kubelint_nodes.engine import registry

    registry.builtin_catalogue()  # import every check module first, so ours replaces the real one
    monkeypatch.setitem(registry._PYTHON_CHECKS, "image-tag-latest", ("document", boom))
    (tmp_path / "p.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n"
                                     "  - name: c\n    image: a\n")
    res = run_cli("lint", "--format", "json", "p.yaml", cwd=tmp_path)
    assert res.exit_code == 2
    rep = res.json
    (f,) = [f for f in rep["findings"] if f["rule"] == "internal-error"]
    assert "image-tag-latest" in f["message"] and "synthetic failure" in f["message"] and f["file"] == "p.yaml"
    res = run_cli("lint", "--debug", "p.yaml", cwd=tmp_path)
    assert "Traceback" in res.stderr and "synthetic failure" in res.stderr


# --- property-based tests (fixed seed, bounded budget: CI stays fast and reproducible) ---------------------

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.text(max_size=12),
                         st.sampled_from(["on", "yes", "0777", "~", "Exists", "NoSchedule", "latest", "/", "ALL"]))
json_values = st.recursive(json_scalars, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                                 st.dictionaries(st.text(max_size=8), kids,
                                                                                 max_size=4)), max_leaves=20)

POD_FIELDS = ["containers", "initContainers", "ephemeralContainers", "volumes", "tolerations", "nodeSelector",
              "affinity", "hostPID", "hostIPC", "hostNetwork", "securityContext", "priorityClassName",
              "nodeName", "restartPolicy", "overhead", "resources"]
CONTAINER_FIELDS = ["name", "image", "securityContext", "resources", "ports", "volumeMounts", "livenessProbe",
                    "command", "args"]


@st.composite
def workloads(draw: st.DrawFn) -> dict:
    """A Pod or DaemonSet skeleton whose fields hold random values of random types."""
    kind = draw(st.sampled_from(["Pod", "DaemonSet", "Deployment", "CronJob", "KubeletConfiguration", "Node"]))
    container = {k: draw(json_values) for k in draw(st.lists(st.sampled_from(CONTAINER_FIELDS), max_size=5))}
    container.setdefault("name", "c")
    spec = {k: draw(json_values) for k in draw(st.lists(st.sampled_from(POD_FIELDS), max_size=6))}
    spec["containers"] = draw(st.one_of(st.just([container]), json_values))
    meta = {"name": draw(st.one_of(st.text(max_size=5), json_values)), "annotations": draw(json_values)}
    if kind == "Pod":
        return {"apiVersion": "v1", "kind": kind, "metadata": meta, "spec": spec}
    if kind == "KubeletConfiguration":
        return {"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": kind, **draw(
            st.dictionaries(st.sampled_from(["authentication", "authorization", "readOnlyPort", "staticPodPath",
                                             "evictionHard", "tlsCipherSuites", "enableServer", "featureGates"]),
                            json_values, max_size=5))}
    if kind == "Node":
        return {"apiVersion": "v1", "kind": "Node", "metadata": meta, "spec": draw(json_values),
                "status": draw(json_values)}
    tpl = {"metadata": {"labels": draw(json_values)}, "spec": spec}
    body = {"selector": draw(json_values), "template": tpl}
    if kind == "CronJob":
        body = {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": tpl}}}
    return {"apiVersion": "apps/v1" if kind != "CronJob" else "batch/v1", "kind": kind, "metadata": meta,
            "spec": body}


def _check_invariants(directory: Path, nfiles: int) -> None:
    a = run_cli("lint", "--format", "json", ".", cwd=directory)
    assert a.exit_code in (0, 1), (a.exit_code, a.stderr)
    assert "Traceback" not in a.stderr
    rep = a.json
    assert_valid_report(rep)
    assert rep["summary"]["files"] == nfiles
    assert not [f for f in rep["findings"] if f["rule"] == "internal-error"], rep["findings"]
    b = run_cli("lint", "--format", "json", ".", cwd=directory)
    assert a.stdout == b.stdout


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.lists(workloads(), min_size=1, max_size=3), st.booleans())
def test_random_workloads_keep_invariants(docs: list[dict], static: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / ("static-pods" if static else "manifests")
        d.mkdir()
        (d / "a.yaml").write_text("\n---\n".join(json.dumps(x) for x in docs))
        (d / "b.json").write_text(json.dumps(docs[0]))
        _check_invariants(Path(tmp), 2)


def _seed_files() -> list[Path]:
    files = sorted(p for p in (FIXTURES).rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".json"))
    corpus = ROOT.parent / "shared" / "corpus"
    if corpus.is_dir():
        files += sorted(p for p in corpus.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    return [p for p in files if p.stat().st_size < 200_000]


SEEDS = _seed_files()


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(SEEDS[draw(st.integers(0, len(SEEDS) - 1))].read_bytes())
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "dup-line", "indent"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.sampled_from([b":", b"- ", b"\t", b"&a ", b"*a", b"!!python/name:x ", b"{", b"'",
                                                  b"\n", b"\xff", b"<<: ", b"---\n", b"on", b"0777"]))
        elif op == "delete" and data:
            del data[pos:pos + draw(st.integers(1, 40))]
        elif op == "dup-line":
            start = data.rfind(b"\n", 0, pos) + 1
            end = data.find(b"\n", pos)
            end = len(data) if end == -1 else end + 1
            data[end:end] = data[start:end]
        elif op == "indent":
            start = data.rfind(b"\n", 0, pos) + 1
            data[start:start] = b"  "
    return bytes(data)


@pytest.mark.skipif(not SEEDS, reason="no seed files")
@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.lists(mutated(), min_size=1, max_size=3))
def test_mutated_manifests_keep_invariants(blobs: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "etc/kubernetes/manifests").mkdir(parents=True)
        for i, blob in enumerate(blobs):
            target = base / ("etc/kubernetes/manifests" if i % 2 else ".") / f"m{i}.yaml"
            target.write_bytes(blob)
        _check_invariants(base, len(blobs))


def test_many_mutations_in_one_process(tmp_path: Path) -> None:
    """500 mutated real manifests plus the pathological files, linted by one process."""
    rng = random.Random(1234)
    seeds = SEEDS or [HOSTILE / "wrong-types-pod.yaml"]
    out = tmp_path / "m"
    out.mkdir()
    for i in range(500):
        data = bytearray(rng.choice(seeds).read_bytes())
        for _ in range(rng.randint(1, 5)):
            if not data:
                break
            pos = rng.randrange(len(data))
            choice = rng.random()
            if choice < 0.4:
                data[pos] = rng.randrange(256)
            elif choice < 0.7:
                del data[pos:pos + rng.randint(1, 30)]
            else:
                data[pos:pos] = rng.choice([b":", b"- ", b"\n  ", b"&x ", b"*x", b"{", b"]"])
        (out / f"m{i:03d}.yaml").write_bytes(bytes(data))
    shutil.copytree(HOSTILE, out / "hostile")
    (out / "deep.yaml").write_text("[" * 100_000 + "]" * 100_000)
    (out / "bomb.yaml").write_text("a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True)))
    proc = subprocess.run([sys.executable, "-m", "kubelint_nodes", "lint", "--format", "json", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    rep = json.loads(proc.stdout)
    expected_files = sum(1 for p in out.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".json"))
    assert rep["summary"]["files"] == expected_files
    assert not [f for f in rep["findings"] if f["rule"] == "internal-error"]


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_parallel_run_is_byte_identical(tmp_path: Path, start_method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """--jobs: the same report as a serial run, suppression comments and static pod rules included, whether
    workers are forked (Linux) or spawned (Windows, macOS: they know only what the parent sends them)."""
    import multiprocessing

    if start_method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{start_method} is not available here")
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: [start_method])
    rng = random.Random(7)
    seeds = [p for p in SEEDS if "static-pods" not in str(p)][:200] or [HOSTILE / "wrong-types-pod.yaml"]
    for i in range(60):
        (tmp_path / f"f{i:02d}.yaml").write_bytes(rng.choice(seeds).read_bytes())
    sp = tmp_path / "etc/kubernetes/manifests"
    sp.mkdir(parents=True)
    (sp / "p.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
                               "  - name: c\n    image: a  # kubelint-nodes: ignore=image-tag-latest\n")
    (sp / "p.yaml.bak").write_text((sp / "p.yaml").read_text())
    serial = run_cli("lint", "--format", "json", "--jobs", "1", ".", cwd=tmp_path)
    parallel = run_cli("lint", "--format", "json", "--jobs", "2", ".", cwd=tmp_path)
    assert serial.exit_code == parallel.exit_code
    assert serial.stdout == parallel.stdout
    assert '"static-pod-duplicate"' in serial.stdout and '"suppressed": 2' in serial.stdout


def test_findings_survive_the_trip_from_a_worker_whole() -> None:
    """--jobs sends findings through pickle with a compact reduce: every field, the uncompared ones too."""
    import pickle

    from kubelint_nodes.findings import Finding

    shared = {"apiVersion": "v1", "kind": "Pod", "name": "p", "namespace": None, "role": "pod"}
    sent = [Finding("r", "error", "m", "a.yaml", 3, 4, shared, "spec.x", [{"file": "b.yaml"}], {"file": "t.yaml"},
                    {"by": "comment", "reason": None}, end_column=9, repo_file="a.yaml"),
            Finding("s", "info", "n", "a.yaml", 5, 1, shared)]
    got = pickle.loads(pickle.dumps(sent, protocol=pickle.HIGHEST_PROTOCOL))
    assert got == sent
    assert [(f.end_column, f.repo_file) for f in got] == [(9, "a.yaml"), (None, None)]
    assert got[0].object is got[1].object  # one object reference per resource, as in the worker


def test_console_entry_flushes_everything_and_keeps_exit_codes(tmp_path: Path) -> None:
    """The console entry leaves with os._exit after flushing: the report must be whole, the code kept."""
    import json
    import subprocess
    import sys

    run = [sys.executable, "-m", "kubelint_nodes"]
    proc = subprocess.run([*run, "lint", "--format", "json", str(ROOT / "examples")], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)  # complete, not cut at a buffer boundary
    assert report["summary"]["findings"] == len(report["findings"]) > 50
    assert subprocess.run([*run, "--version"], capture_output=True).returncode == 0
    bad = subprocess.run([*run, "lint", "--no-such-option"], capture_output=True, text=True)
    assert bad.returncode == 2 and "No such option" in bad.stderr
    missing = subprocess.run([*run, "lint", str(tmp_path / "absent")], capture_output=True, text=True)
    assert missing.returncode == 2 and missing.stderr.startswith("kubelint-nodes: error: path does not exist")
    # A reader that stops early (| head) while far more than a pipe buffer is still to come: no traceback.
    pod = ("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\nspec:\n  containers:\n"
           "  - name: c\n    image: busybox\n    securityContext:\n      privileged: true\n")
    pods = "".join(pod.format(i=i) for i in range(300))
    (tmp_path / "many.yaml").write_text(pods)
    head = subprocess.Popen([*run, "lint", str(tmp_path / "many.yaml")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert head.stdout is not None and head.stderr is not None
    head.stdout.read(10)
    head.stdout.close()
    head.wait(timeout=60)
    assert "Traceback" not in head.stderr.read().decode()


def test_a_worker_that_dies_costs_nothing_but_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--jobs: chunks a dead worker took are linted by the parent; the report is the serial one."""
    import multiprocessing
    import os

    from kubelint_nodes import lint

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("needs fork to hand the worker a replacement function")
    for i in range(40):
        (tmp_path / f"p{i:02d}.yaml").write_text(
            f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\nspec:\n  containers:\n  - name: c\n"
            "    image: busybox\n    securityContext:\n      privileged: true\n")
    serial = run_cli("lint", "--format", "json", "--jobs", "1", ".", cwd=tmp_path)

    def dies_after_taking_a_chunk(settings, catalogue, chunks, next_chunk, results):  # noqa: ANN001
        next(lint._take(next_chunk, len(chunks)), None)
        os._exit(3)

    monkeypatch.setattr(lint, "_worker", dies_after_taking_a_chunk)
    parallel = run_cli("lint", "--format", "json", "--jobs", "3", ".", cwd=tmp_path)
    assert (parallel.exit_code, parallel.stdout) == (serial.exit_code, serial.stdout)
    assert '"privileged-container"' in serial.stdout


@pytest.mark.parametrize(("nfiles", "jobs"), [(1, 2), (7, 2), (200, 2), (1000, 2), (529, 4)])
def test_parallel_chunks_cover_every_file_once_in_order_and_shrink(nfiles: int, jobs: int) -> None:
    from kubelint_nodes.lint import _chunks

    files = list(range(nfiles))
    chunks = _chunks(files, jobs)  # type: ignore[arg-type]
    assert [f for c in chunks for f in c] == files
    sizes = [len(c) for c in chunks]
    assert all(a >= b for a, b in zip(sizes[:-2], sizes[1:-1], strict=True))  # the last one takes the rest
    assert all(s >= 8 for s in sizes[:-1])
    assert sizes[0] == max(8, nfiles // (2 * jobs)) or nfiles < 8


def _sleeping_worker() -> None:
    import time

    from kubelint_nodes import lint

    lint._exit_with_parent()
    time.sleep(60)


def _parent_that_dies(pids) -> None:  # noqa: ANN001
    import multiprocessing
    import os

    worker = multiprocessing.get_context("fork").Process(target=_sleeping_worker)
    worker.start()
    pids.put(worker.pid)
    pids.close()
    pids.join_thread()  # the pid reaches the test before this process vanishes
    os._exit(0)


def test_a_worker_does_not_outlive_its_parent() -> None:
    """A killed lint must not leave --jobs workers behind, waiting forever to hand over their results."""
    import multiprocessing
    import time

    if "fork" not in multiprocessing.get_all_start_methods() or not Path("/proc/self/status").is_file():
        pytest.skip("needs fork and /proc")
    ctx = multiprocessing.get_context("fork")
    pids = ctx.Queue()
    ctx.Process(target=_parent_that_dies, args=(pids,)).start()
    pid = pids.get(timeout=20)

    def alive() -> bool:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return False
        return "State:\tZ" not in status

    deadline = time.monotonic() + 20
    while alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive()
