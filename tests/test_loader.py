"""The loader end to end: every input class of the foundation issue, with exact rule and line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, findings, run_cli, run_json, where

from kubelint_nodes.loader.yamlparse import parse_yaml, resolve_plain

PRIV_POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
  - name: c
    image: busybox:1.36
    securityContext:
      privileged: true
"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_multi_document_file_positions(tmp_path: Path) -> None:
    write(tmp_path / "m.yaml", PRIV_POD.format(name="a") + "---\n" + PRIV_POD.format(name="b"))
    rep = run_json("m.yaml", cwd=tmp_path)
    assert where(rep, "privileged-container") == [("m.yaml", 10, 7), ("m.yaml", 21, 7)]
    assert [f["object"]["name"] for f in findings(rep, "privileged-container")] == ["a", "b"]
    assert rep["summary"]["documents"] == 2


def test_list_items_have_their_own_positions(tmp_path: Path) -> None:
    items = "apiVersion: v1\nkind: List\nitems:\n"
    for name in ("a", "b"):
        body = PRIV_POD.format(name=name)
        items += "- " + "\n  ".join(body.rstrip("\n").split("\n")) + "\n"
    write(tmp_path / "list.yaml", items)
    rep = run_json("list.yaml", cwd=tmp_path)
    assert where(rep, "privileged-container") == [("list.yaml", 13, 9), ("list.yaml", 23, 9)]
    f = findings(rep, "privileged-container")[0]
    assert f["path"] == "spec.containers[0].securityContext.privileged"
    assert rep["summary"]["documents"] == 1  # a List counts as one document (SPEC §4)


def test_json_input(tmp_path: Path) -> None:
    write(tmp_path / "p.json", '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "j"},\n'
          '  "spec": {"containers": [\n    {"name": "c", "image": "busybox:1",\n'
          '     "securityContext": {"privileged": true}}]}\n}\n')
    rep = run_json("p.json", cwd=tmp_path)
    assert where(rep, "privileged-container") == [("p.json", 7, 26)]


def test_stdin_with_display_name(tmp_path: Path) -> None:
    rep = run_json("-", "--stdin-filename", "./rendered/pod.yaml", cwd=tmp_path, stdin=PRIV_POD.format(name="s"))
    assert where(rep, "privileged-container") == [("rendered/pod.yaml", 10, 7)]
    rep = run_json("-", cwd=tmp_path, stdin=PRIV_POD.format(name="s"))
    assert where(rep, "privileged-container") == [("<stdin>", 10, 7)]


def test_crlf_and_bom(tmp_path: Path) -> None:
    text = PRIV_POD.format(name="w").replace("\n", "\r\n").replace("- name: c\r", "- name: cé\r")
    write(tmp_path / "w.yaml", b"\xef\xbb\xbf" + text.encode("utf-8"))
    rep = run_json("w.yaml", cwd=tmp_path)
    assert where(rep, "privileged-container") == [("w.yaml", 10, 7)]
    assert "cé" in findings(rep, "privileged-container")[0]["message"]


def test_columns_count_code_points(tmp_path: Path) -> None:
    write(tmp_path / "u.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: ü}\nspec:\n  containers:\n"
          "  - {name: ééé, image: 'a:1', securityContext: {privileged: true}}\n")
    rep = run_json("u.yaml", cwd=tmp_path)
    assert where(rep, "privileged-container") == [("u.yaml", 6, 49)]


def test_duplicate_key_reported_at_second_occurrence(tmp_path: Path) -> None:
    write(tmp_path / "d.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: d\nspec:\n  hostNetwork: false\n"
          "  containers: []\n  hostNetwork: true\n")
    rep = run_json("d.yaml", cwd=tmp_path)
    (f,) = findings(rep, "yaml-duplicate-key")
    assert (f["line"], f["column"], f["path"]) == (8, 3, "spec.hostNetwork")
    assert f["object"]["name"] == "d"


def test_tabs_are_a_syntax_error(tmp_path: Path) -> None:
    write(tmp_path / "t.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n")
    write(tmp_path / "ok.yaml", PRIV_POD.format(name="ok"))
    rep = run_json(".", cwd=tmp_path)
    assert where(rep, "yaml-syntax") == [("t.yaml", 4, 1)]
    assert findings(rep, "yaml-syntax")[0]["object"] is None
    assert where(rep, "privileged-container") == [("ok.yaml", 10, 7)]  # the other file is still linted


def test_invalid_utf8(tmp_path: Path) -> None:
    write(tmp_path / "bad.yaml", b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: \xff\xfe\n")
    rep = run_json("bad.yaml", cwd=tmp_path)
    assert where(rep, "yaml-syntax") == [("bad.yaml", 4, 9)]
    assert "UTF-8" in findings(rep, "yaml-syntax")[0]["message"]


def test_binary_file(tmp_path: Path) -> None:
    write(tmp_path / "blob.yaml", bytes(range(256)) * 4)
    rep = run_json("blob.yaml", cwd=tmp_path)
    assert [f["rule"] for f in rep["findings"]] == ["yaml-syntax"]
    assert rep["summary"]["files"] == 1


def test_nul_byte_is_a_syntax_error(tmp_path: Path) -> None:
    write(tmp_path / "nul.yaml", b"a: b\n\x00\n")
    rep = run_json("nul.yaml", cwd=tmp_path)
    assert where(rep, "yaml-syntax") == [("nul.yaml", 2, 1)]


def test_python_tag_constructs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    write(tmp_path / "tag.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n"
          f"  a: !!python/object/apply:os.system ['touch {marker}']\n")
    rep = run_json("tag.yaml", cwd=tmp_path)
    assert where(rep, "yaml-unsupported-tag") == [("tag.yaml", 6, 6)]
    assert not marker.exists()


def test_unknown_custom_tag(tmp_path: Path) -> None:
    write(tmp_path / "c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: !secret x\n")
    rep = run_json("c.yaml", cwd=tmp_path)
    assert where(rep, "yaml-unsupported-tag") == [("c.yaml", 4, 9)]


def test_alias_bomb_is_bounded(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")
    rep = run_json("bomb.yaml", cwd=tmp_path)
    (f,) = findings(rep, "yaml-limits-exceeded")
    assert f["file"] == "bomb.yaml" and f["line"] == 7 and "alias" in f["message"]


def test_deep_nesting_in_a_subprocess(tmp_path: Path) -> None:
    """100,000 levels: the C loaders segfault near 30,000; the process must survive and report."""
    write(tmp_path / "deep.yaml", "[" * 100_000 + "]" * 100_000)
    write(tmp_path / "deep2.yaml", "- " * 100_000 + "x\n")
    proc = subprocess.run([sys.executable, "-m", "kubelint_nodes", "lint", "--format", "json", "."],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    import json

    rep = json.loads(proc.stdout)
    assert sorted((f["file"], f["rule"], f["line"]) for f in rep["findings"]) == [
        ("deep.yaml", "yaml-limits-exceeded", 1), ("deep2.yaml", "yaml-limits-exceeded", 1)]


def test_unquoted_on_is_a_boolean() -> None:
    doc = parse_yaml("a: on\nb: 'on'\nc: y\nd: 0777\ne: 1_000\nf: 08\ng: 2024-01-01\nh: ~\ni: 0x1F\n").documents[0]
    assert doc.data == {"a": True, "b": "on", "c": True, "d": 511, "e": 1000, "f": 8.0, "g": "2024-01-01",
                        "h": None, "i": 31}
    assert resolve_plain("No") is False and resolve_plain("off") is False and resolve_plain("nO") == "nO"


def test_merge_keys_and_aliases() -> None:
    doc = parse_yaml("base: &b {cpu: 1, memory: 2}\nx:\n  <<: *b\n  cpu: 5\n").documents[0]
    assert doc.data["x"] == {"cpu": 5, "memory": 2}


def test_helm_chart_templates_skipped(tmp_path: Path) -> None:
    write(tmp_path / "charts/agent/Chart.yaml", "apiVersion: v2\nname: agent\nversion: 1.0.0\n")
    write(tmp_path / "charts/agent/values.yaml", "image: agent\n")
    write(tmp_path / "charts/agent/templates/ds.yaml", "apiVersion: apps/v1\nkind: DaemonSet\n"
          "metadata:\n  name: {{ .Release.Name }}\n")
    rep = run_json(".", cwd=tmp_path)
    assert [(f["rule"], f["file"], f["line"], f["column"], f["severity"]) for f in rep["findings"]] == [
        ("helm-template-skipped", "charts/agent/templates", 1, 1, "info")]
    assert rep["summary"]["files"] == 2


def test_static_pod_directory_reads_every_non_dot_file(tmp_path: Path) -> None:
    d = tmp_path / "node/etc/kubernetes/manifests"
    write(d / "etcd.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd\nspec:\n  containers: []\n")
    write(d / "etcd.yaml.bak", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd\nspec:\n  containers: []\n")
    write(d / ".etcd.yaml.swp", "garbage: [\n")
    write(d / "notes.txt", "plain text\n")
    rep = run_json("node", cwd=tmp_path)
    assert rep["summary"]["files"] == 3  # etcd.yaml, etcd.yaml.bak, notes.txt; the dot-file is skipped
    roles = {f["file"]: f["object"]["role"] for f in rep["findings"] if f["object"]}
    assert all(r in ("static-pod", "other") for r in roles.values())


def test_static_pod_role_and_default_namespace(tmp_path: Path) -> None:
    write(tmp_path / "static-pods/p.yaml", PRIV_POD.format(name="sp").replace("busybox:1.36", "busybox"))
    rep = run_json(".", cwd=tmp_path)
    assert not findings(rep, "privileged-container")  # static pods get static-pod-privileged instead
    objs = [f["object"] for f in rep["findings"] if f["object"]]
    assert objs and all(o["role"] == "static-pod" and o["namespace"] == "default" for o in objs)


def test_documents_without_identity_are_skipped(tmp_path: Path) -> None:
    write(tmp_path / "compose.yaml", "services:\n  web:\n    image: nginx\n    privileged: true\n")
    write(tmp_path / "scalar.yaml", "just a string\n")
    write(tmp_path / "empty.yaml", "")
    write(tmp_path / "comments.yaml", "# only a comment\n")
    rep = run_json(".", cwd=tmp_path)
    assert rep["findings"] == []
    assert rep["summary"]["files"] == 4 and rep["summary"]["documents"] == 2


def test_unreadable_file(tmp_path: Path) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # root reads anything: use a dangling symlink, which cannot be read either
        os.symlink(tmp_path / "gone.yaml", tmp_path / "link.yaml")
    else:
        p = write(tmp_path / "link.yaml", "a: 1\n")
        p.chmod(0)
    rep = run_json(".", cwd=tmp_path)
    assert where(rep, "file-unreadable") == [("link.yaml", 1, 1)]


def test_symlink_loop_survives(tmp_path: Path) -> None:
    write(tmp_path / "d/p.yaml", PRIV_POD.format(name="l"))
    os.symlink(tmp_path / "d", tmp_path / "d/loop")
    rep = run_json(".", cwd=tmp_path)
    assert where(rep, "privileged-container") == [("d/p.yaml", 10, 7)]


def test_missing_path_is_exit_2(tmp_path: Path) -> None:
    res = run_cli("lint", "nope.yaml", cwd=tmp_path)
    assert res.exit_code == 2 and "nope.yaml" in res.stderr


def test_display_paths_are_normalised(tmp_path: Path) -> None:
    write(tmp_path / "a/b/p.yaml", PRIV_POD.format(name="n"))
    rep = run_json("./a//b/../b", cwd=tmp_path)
    assert where(rep, "privileged-container") == [("a/b/p.yaml", 10, 7)]


def test_exit_codes_and_fail_on(tmp_path: Path) -> None:
    write(tmp_path / "p.yaml", PRIV_POD.format(name="e"))
    assert run_cli("lint", "p.yaml", cwd=tmp_path).exit_code == 1
    assert run_cli("lint", "p.yaml", "--fail-on", "never", cwd=tmp_path).exit_code == 0
    assert run_cli("lint", "p.yaml", "--disable", "privileged-container", "--disable", "image-tag-latest",
                   "--fail-on", "warning", cwd=tmp_path).exit_code in (0, 1)
    bad = run_cli("lint", "p.yaml", "--disable", "privileged-containr", cwd=tmp_path)
    assert bad.exit_code == 2 and "did you mean 'privileged-container'" in bad.stderr


def test_output_and_report_files(tmp_path: Path) -> None:
    write(tmp_path / "p.yaml", PRIV_POD.format(name="o"))
    res = run_cli("lint", "p.yaml", "--report", "json:r.json", "--output", "out.txt", cwd=tmp_path)
    assert res.exit_code == 1 and res.stdout == ""
    import json

    assert json.loads((tmp_path / "r.json").read_text())["summary"]["findings"] >= 1
    assert "p.yaml:10:7: error privileged-container" in (tmp_path / "out.txt").read_text()


def test_output_is_deterministic(tmp_path: Path) -> None:
    for i in range(5):
        write(tmp_path / f"d{i}/p.yaml", PRIV_POD.format(name=f"x{i}"))
    a = run_cli("lint", "--format", "json", ".", cwd=tmp_path).stdout
    b = run_cli("lint", "--format", "json", ".", cwd=tmp_path).stdout
    assert a == b


def test_examples_lint_with_positions() -> None:
    rep = run_json("examples", cwd=ROOT)
    assert ("examples/pods/debug.yaml", 17, 7) in where(rep, "privileged-container")


def _expected_corpus_files(corpus: Path) -> int:
    """Count with find(1), independently of the tool: YAML/JSON anywhere, plus every non-dot file
    directly inside a static pod directory (`static-pods` dirs and `etc/kubernetes/manifests`)."""
    yaml_out = subprocess.run(
        ["find", str(corpus), "-type", "f", "(", "-name", "*.yaml", "-o", "-name", "*.yml", "-o",
         "-name", "*.json", ")"], capture_output=True, text=True, check=True).stdout.split()
    static_out = subprocess.run(
        ["find", str(corpus), "-type", "f", "-not", "-name", ".*", "(", "-path", "*/static-pods/*", "-o",
         "-path", "*/etc/kubernetes/manifests/*", ")"], capture_output=True, text=True, check=True).stdout.split()
    static_direct = {p for p in static_out if Path(p).parent.name == "static-pods"
                     or str(Path(p).parent).endswith("etc/kubernetes/manifests")}
    return len(set(yaml_out) | static_direct)


def test_shared_corpus_no_internal_error_and_file_count(shared_dir: Path) -> None:
    corpus = shared_dir / "corpus"
    rep = run_json(str(corpus), cwd=ROOT)
    assert rep["summary"]["files"] == _expected_corpus_files(corpus)
    assert not findings(rep, "internal-error")


@pytest.mark.parametrize("mode", ["serial"])
def test_no_traceback_on_fixture_tree(mode: str) -> None:
    res = run_cli("lint", "--format", "json", "tests/fixtures", cwd=ROOT)
    assert res.exit_code in (0, 1), res.stderr
    assert "Traceback" not in res.stderr


def test_chart_template_passed_explicitly_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "charts/agent/Chart.yaml", "apiVersion: v2\nname: agent\nversion: 1.0.0\n")
    write(tmp_path / "charts/agent/templates/ds.yaml", "metadata:\n  name: {{ .Release.Name }}\n")
    write(tmp_path / "charts/agent/templates/sub/cm.yaml", "metadata:\n  name: {{ .Release.Name }}\n")
    rep = run_json("charts/agent/templates/ds.yaml", "charts/agent/templates/sub/cm.yaml", cwd=tmp_path)
    assert [(f["rule"], f["file"]) for f in rep["findings"]] == [("helm-template-skipped", "charts/agent/templates")]


def test_read_bytes_sizes_the_read_by_stat_and_still_reads_what_stat_misses(tmp_path: Path) -> None:
    from kubelint_nodes.loader.files import InputFile
    from kubelint_nodes.loader.read import read_bytes
    from kubelint_nodes.loader.yamlparse import Limits

    exact = write(tmp_path / "exact.yaml", "a: 1\n" * 10)
    data, issue = read_bytes(InputFile(display="exact.yaml", abspath=str(exact)), Limits(max_file_size=50))
    assert issue is None and data == b"a: 1\n" * 10
    data, issue = read_bytes(InputFile(display="exact.yaml", abspath=str(exact)), Limits(max_file_size=49))
    assert data is None and issue is not None and issue.rule == "yaml-limits-exceeded"
    proc = Path("/proc/self/status")  # stat says 0 bytes; the content is there
    if not proc.is_file() or proc.stat().st_size:
        pytest.skip("no /proc file reporting size 0 here")
    data, issue = read_bytes(InputFile(display="status", abspath=str(proc)), Limits())
    assert issue is None and data is not None and b"Name:" in data
    data, issue = read_bytes(InputFile(display="status", abspath=str(proc)), Limits(max_file_size=10))
    assert data is None and issue is not None and issue.rule == "yaml-limits-exceeded"
    data, issue = read_bytes(InputFile(display="dir", abspath=str(tmp_path)), Limits())
    assert data is None and issue is not None and issue.message == "is a directory, not a file"
