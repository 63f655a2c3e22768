"""Suppression (SPEC §7): annotations, comments, per-path ignores, and unknown ids in them."""

from __future__ import annotations

import shutil

from conftest import FIXTURES, findings, run_cli, run_json
from conftest import only_rules as only

SUP = FIXTURES / "suppression"


RULES = ("privileged-container", "image-tag-latest", "suppression-unknown-rule")


def lint(*args: str, cwd=SUP) -> dict:
    return run_json(*only(*RULES), *args, cwd=cwd)


def lines(report: dict, rule: str) -> list[int]:
    return [f["line"] for f in findings(report, rule)]


def suppressed_of(report: dict, rule: str) -> list[tuple[int, dict]]:
    return [(f["line"], f["suppressed"]) for f in findings(report, rule) if "suppressed" in f]


def test_annotation_on_a_pod_with_reason():
    report = lint("pod-annotation.yaml")
    # The annotated Pod's finding is gone; the second Pod in the same file is still reported.
    assert [(f["line"], f["object"]["name"]) for f in findings(report, "privileged-container")] == [(26, "unrelated")]
    assert report["summary"]["suppressed"] == 1
    assert report["summary"]["findings"] == 1

    shown = lint("--show-suppressed", "pod-annotation.yaml")
    assert suppressed_of(shown, "privileged-container") == [
        (14, {"by": "annotation", "reason": "reads SMART data from raw block devices"})]
    # Shown suppressed findings do not count as findings.
    assert shown["summary"]["findings"] == 1
    assert shown["summary"]["suppressed"] == 1


def test_annotation_without_reason_and_with_two_ids():
    report = lint("--show-suppressed", "pod-annotation-no-reason.yaml")
    assert suppressed_of(report, "privileged-container") == [(12, {"by": "annotation", "reason": None})]
    assert suppressed_of(report, "image-tag-latest") == [(10, {"by": "annotation", "reason": None})]
    assert report["summary"]["findings"] == 0
    assert report["summary"]["suppressed"] == 2


def test_annotation_on_daemonset_pod_template():
    report = lint("--show-suppressed", "daemonset-template.yaml")
    assert suppressed_of(report, "privileged-container") == [
        (22, {"by": "annotation", "reason": "CSI node plugins must mount volumes on the host"})]
    # Only the listed rule: the registrar's untagged image is still reported.
    kept = [f for f in findings(report, "image-tag-latest") if "suppressed" not in f]
    assert [(f["line"], f["path"]) for f in kept] == [(24, "spec.template.spec.containers[1].image")]


def test_suppressing_the_only_error_changes_the_exit_code():
    args = (*only("privileged-container"), "pod-annotation-no-reason.yaml")
    assert run_cli("lint", *args, cwd=SUP).exit_code == 0
    assert run_cli("lint", *only("privileged-container"), "pod-annotation.yaml", cwd=SUP).exit_code == 1


def test_comment_on_the_offending_line():
    report = lint("--show-suppressed", "comment-same-line.yaml")
    assert suppressed_of(report, "privileged-container") == [(10, {"by": "comment", "reason": None})]
    assert suppressed_of(report, "image-tag-latest") == [
        (12, {"by": "comment", "reason": "mirrored, tag set by the mirror job"})]
    # The second container's privileged flag has no comment.
    assert [f["line"] for f in findings(report, "privileged-container") if "suppressed" not in f] == [14]


def test_comment_on_the_line_above():
    report = lint("--show-suppressed", "comment-line-above.yaml")
    assert suppressed_of(report, "image-tag-latest") == [(9, {"by": "comment", "reason": None})]
    # A comment line between the suppression and the key does not break it; the reason is kept.
    assert suppressed_of(report, "privileged-container") == [
        (13, {"by": "comment", "reason": "break-glass tool, deployed by hand"})]
    kept = {r: [f["line"] for f in findings(report, r) if "suppressed" not in f]
            for r in ("image-tag-latest", "privileged-container")}
    # A blank line between comment and key: not "the line above". A '#' inside a quoted value: not a comment.
    assert kept == {"image-tag-latest": [17], "privileged-container": [22]}
    assert report["summary"]["suppressed"] == 2


def test_unknown_ids_warn_with_did_you_mean():
    report = lint("unknown-ids.yaml")
    unknown = findings(report, "suppression-unknown-rule")
    assert [(f["line"], f["column"]) for f in unknown] == [(6, 5), (12, 50), (12, 66)]
    assert "'privileged-containers'" in unknown[0]["message"]
    assert "did you mean 'privileged-container'" in unknown[0]["message"]
    assert unknown[0]["object"]["name"] == "typo"
    assert unknown[0]["path"] == "metadata.annotations.kubelint-nodes.io/ignore"
    assert "did you mean 'image-tag-latest'" in unknown[1]["message"]
    assert "'xyzzy'" in unknown[2]["message"] and "did you mean" not in unknown[2]["message"]
    assert all(f["severity"] == "warning" for f in unknown)
    # The known id of the annotation still works; the misspelt ones suppress nothing.
    assert lines(report, "image-tag-latest") == []
    assert lines(report, "privileged-container") == [12]


def test_unknown_rule_warning_follows_disable_and_severity(tmp_path):
    shutil.copy(SUP / "unknown-ids.yaml", tmp_path / "p.yaml")
    (tmp_path / ".kubelint-nodes.yaml").write_text("rules:\n  severity:\n    suppression-unknown-rule: error\n")
    report = lint("p.yaml", cwd=tmp_path)
    assert {f["severity"] for f in findings(report, "suppression-unknown-rule")} == {"error"}
    report = lint("--disable", "suppression-unknown-rule", "p.yaml", cwd=tmp_path)
    assert findings(report, "suppression-unknown-rule") == []


def test_per_path_ignores(tmp_path):
    shutil.copytree(SUP / "per-path", tmp_path / "repo")
    repo = tmp_path / "repo"
    report = lint("--show-suppressed", ".", cwd=repo)
    got = sorted((f["file"], f["rule"], f.get("suppressed", {}).get("reason")) for f in findings(report)
                 if f["rule"] in ("privileged-container", "image-tag-latest"))
    assert got == [
        ("generated/deep/agent.yaml", "image-tag-latest", None),
        ("generated/deep/agent.yaml", "privileged-container", "per-path-ignores 'generated/'"),
        ("manifests/agent-debug.yaml", "image-tag-latest", "per-path-ignores '*-debug.yaml'"),
        ("manifests/agent-debug.yaml", "privileged-container", "per-path-ignores '*-debug.yaml'"),
        ("manifests/agent.yaml", "image-tag-latest", None),
        ("manifests/agent.yaml", "privileged-container", None),
    ]
    assert {f["suppressed"]["by"] for f in findings(report) if "suppressed" in f} == {"config"}
    assert report["summary"]["suppressed"] == 3
    # Globs match repository-relative paths whatever the cwd: run from a subdirectory.
    sub = lint("agent-debug.yaml", "agent.yaml", cwd=repo / "manifests")
    assert sorted((f["file"], f["rule"]) for f in findings(sub) if f["rule"] != "suppression-unknown-rule") == [
        ("agent.yaml", "image-tag-latest"), ("agent.yaml", "privileged-container")]
    assert sub["summary"]["suppressed"] == 2


def test_per_path_ignores_unknown_id_is_a_config_error(tmp_path):
    (tmp_path / ".kubelint-nodes.yaml").write_text("per-path-ignores:\n  'x/': [privileged-containr]\n")
    (tmp_path / "p.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
    res = run_cli("lint", "p.yaml", cwd=tmp_path)
    assert res.exit_code == 2
    assert ".kubelint-nodes.yaml:2:10: per-path-ignores.x/: unknown rule id 'privileged-containr'" in res.stderr
    assert "did you mean 'privileged-container'" in res.stderr


def test_suppression_from_stdin_comment():
    text = (SUP / "comment-same-line.yaml").read_text()
    report = run_json(*only(*RULES), "-", "--stdin-filename", "pod.yaml", stdin=text)
    assert lines(report, "privileged-container") == [14]
    assert report["summary"]["suppressed"] == 2


def test_text_report_shows_suppressed_with_reason():
    res = run_cli("lint", *only(*RULES), "--show-suppressed", "pod-annotation.yaml", cwd=SUP)
    assert ("pod-annotation.yaml:14:7: error privileged-container" in res.stdout
            and "[suppressed by annotation: reads SMART data from raw block devices]" in res.stdout)


def test_parallel_run_suppresses_the_same():
    one = run_cli("lint", "--format", "json", "--show-suppressed", ".", cwd=SUP)
    two = run_cli("lint", "--format", "json", "--show-suppressed", "--jobs", "2", ".", cwd=SUP)
    assert one.stdout == two.stdout
    assert one.json["summary"]["suppressed"] == 9


def test_an_escaped_annotation_key_silences_in_serial_and_parallel_runs(tmp_path):
    """The key is matched on the parsed data: written with a YAML escape it still silences, and --jobs
    workers, which decide what to send back, must see it too."""
    (tmp_path / "a.yaml").write_text(
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  annotations:\n'
        '    "kubelint\\x2dnodes.io/ignore": privileged-container\nspec:\n  containers:\n'
        '  - name: c\n    image: busybox:1.36\n    securityContext:\n      privileged: true\n')
    (tmp_path / "b.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\nspec:\n  containers:\n"
        "  - name: c\n    image: busybox:1.36\n    securityContext:\n      privileged: true\n")
    one = run_cli("lint", "--format", "json", "--jobs", "1", ".", cwd=tmp_path)
    assert [(f["file"], f["line"]) for f in one.json["findings"] if f["rule"] == "privileged-container"] == [
        ("b.yaml", 10)]
    assert one.json["summary"]["suppressed"] == 1
    # What a worker keeps for the parent (which of the two files a worker gets is up to timing).
    from kubelint_nodes.lint import _needed_after_per_file_rules
    from kubelint_nodes.loader.files import InputFile
    from kubelint_nodes.loader.read import load_file
    from kubelint_nodes.settings import Settings

    settings = Settings()
    kept = {name: _needed_after_per_file_rules(
        load_file(InputFile(display=name, abspath=str(tmp_path / name)), settings.limits), settings, frozenset())
        for name in ("a.yaml", "b.yaml")}
    assert kept == {"a.yaml": True, "b.yaml": False}
