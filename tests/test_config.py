"""The config file (SPEC §7): discovery, every key, paths relative to it, globs, and exit 2 on errors."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import fields
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, findings, run_cli, run_json
from conftest import only_rules as only

CFG = FIXTURES / "config"
POD = FIXTURES / "suppression" / "pod-annotation.yaml"  # one privileged Pod 'unrelated' at line 26


def repo(tmp_path: Path, config: str | None, files: dict[str, str] | None = None) -> Path:
    """A throw-away repository (``.git`` makes it the repository root) with a config and manifests."""
    (tmp_path / ".git").mkdir()
    if config is not None:
        (tmp_path / ".kubelint-nodes.yaml").write_text(config)
    for name, text in (files or {}).items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


def privileged_pod(name: str = "agent") -> str:
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: c\n"
            "    image: registry.example.com/agent:1.0.0\n    securityContext:\n      privileged: true\n")


def settings_for(tmp_path: Path, cwd: Path | None = None, **kw):
    """Settings as the CLI builds them, from ``cwd`` (the process works there too, as the CLI does)."""
    from kubelint_nodes.config import apply_config
    from kubelint_nodes.settings import Settings

    old = os.getcwd()
    os.chdir(cwd or tmp_path)
    try:
        s = Settings(cwd=str(cwd or tmp_path), **kw)
        apply_config(s)
    finally:
        os.chdir(old)
    return s


# -- errors: exit 2 with file, line and "did you mean" -----------------------------------------------


@pytest.mark.parametrize("config, where, expected", [
    ("exlude: [x]\n", "1:1", "unknown key 'exlude' (did you mean 'exclude'?)"),
    ("rules:\n  disabel: [image-tag-latest]\n", "2:3", "unknown key 'disabel' in rules (did you mean 'disable'?)"),
    ("limits:\n  max-dept: 10\n", "2:3", "unknown key 'max-dept' in limits (did you mean 'max-depth'?)"),
    ("rules:\n  severity:\n    image-tag-latest: warn\n", "3:5",
     "rules.severity.image-tag-latest: 'warn' is not one of error, warning, info (did you mean 'warning'?)"),
    ("rules:\n  severity:\n    image-tag-latest: fatal\n", "3:5",
     "rules.severity.image-tag-latest: 'fatal' is not one of error, warning, info"),
    ("fail-on: errors\n", "1:1", "fail-on: 'errors' is not one of error, warning, info, never (did you mean 'error'?)"),
    ("rules:\n  disable: [image-tag-lates]\n", "2:13",
     "rules.disable: unknown rule id 'image-tag-lates' (did you mean 'image-tag-latest'?)"),
    ("rules:\n  severity:\n    privileged-containr: info\n", "3:5",
     "rules.severity: unknown rule id 'privileged-containr' (did you mean 'privileged-container'?)"),
    ("exclude: generated/\n", "1:1", "exclude: expected a list, got a string ('generated/')"),
    ("limits: {max-depth: 0}\n", "1:10", "limits.max-depth: 0 is less than the minimum of 1"),
    ("kubernetes-version: 1.30\n", "1:1", "kubernetes-version: Kubernetes 1.30 is not supported"),
    ("kubernetes-version: latest\n", "1:1", "kubernetes-version: 'latest' is not a Kubernetes version X.Y"),
    ("rules: [a]\n", "1:1", "rules: expected a mapping, got a list"),
    ("- a\n", "1:1", "the config file must be a mapping of keys"),
    ("exclude: [a]\nexclude: [b]\n", "2:1", "duplicate"),
    ("exclude: [a\n", "2:1", ""),
])
def test_invalid_config_is_exit_2_with_position(tmp_path, config, where, expected):
    repo(tmp_path, config, {"p.yaml": privileged_pod()})
    res = run_cli("lint", "p.yaml", cwd=tmp_path)
    assert res.exit_code == 2, res.stdout
    assert res.stdout == ""
    assert f"kubelint-nodes: error: .kubelint-nodes.yaml:{where}: " in res.stderr
    assert expected in res.stderr
    assert "Traceback" not in res.stderr


def test_explicit_config_missing_is_exit_2(tmp_path):
    res = run_cli("lint", "--config", "nope.yaml", str(POD), cwd=tmp_path)
    assert res.exit_code == 2
    assert "nope.yaml: config file does not exist" in res.stderr


def test_unknown_rule_parameter_and_wrong_type(tmp_path):
    rules = tmp_path / "policy"
    rules.mkdir()
    shutil.copy(CFG / "rules-dir" / "no-host-network.yaml", rules)
    base = "rules-dirs: [policy]\nrules:\n  params:\n    no-host-network:\n"
    repo(tmp_path, base + "      allowed-namespace: [kube-system]\n", {"p.yaml": privileged_pod()})
    res = run_cli("lint", "p.yaml", cwd=tmp_path)
    assert res.exit_code == 2
    assert (".kubelint-nodes.yaml:5:7: rules.params.no-host-network.allowed-namespace: rule 'no-host-network' "
            "has no parameter 'allowed-namespace' (did you mean 'allowed-namespaces'?)") in res.stderr
    (tmp_path / ".kubelint-nodes.yaml").write_text(base + "      allowed-namespaces: kube-system\n")
    res = run_cli("lint", "p.yaml", cwd=tmp_path)
    assert res.exit_code == 2
    assert "rules.params.no-host-network.allowed-namespaces: expected a list, got a string" in res.stderr
    (tmp_path / ".kubelint-nodes.yaml").write_text(base + "      allowed-namespaces: [kube-system, 7]\n")
    res = run_cli("lint", "p.yaml", cwd=tmp_path)
    assert res.exit_code == 2
    assert ".kubelint-nodes.yaml:5:41: rules.params.no-host-network.allowed-namespaces[1]: expected a string" \
        in res.stderr
    (tmp_path / ".kubelint-nodes.yaml").write_text(base + "      allowed-namespaces: [kube-system, monitoring]\n")
    assert run_cli("lint", "p.yaml", cwd=tmp_path).exit_code in (0, 1)


def test_rules_dirs_refuse_python_with_file_and_line(tmp_path):
    rules = tmp_path / "policy"
    rules.mkdir()
    (rules / "sneaky.yaml").write_text((CFG / "rules-dir-python" / "sneaky.yaml").read_text())
    repo(tmp_path, "rules-dirs: [policy]\n", {"p.yaml": privileged_pod()})
    res = run_cli("lint", "p.yaml", cwd=tmp_path)
    assert res.exit_code == 2
    assert "policy/sneaky.yaml:8:3: user rules must have a declarative `check`" in res.stderr
    (tmp_path / ".kubelint-nodes.yaml").write_text("rules-dirs: [missing]\n")
    res = run_cli("lint", "p.yaml", cwd=tmp_path)
    assert res.exit_code == 2
    assert ".kubelint-nodes.yaml:1:14: rules-dirs[0]: directory 'missing' does not exist" in res.stderr


def test_user_rule_from_rules_dirs_runs_and_can_be_configured(tmp_path):
    rules = tmp_path / "policy"
    rules.mkdir()
    shutil.copy(CFG / "rules-dir" / "no-host-network.yaml", rules)
    pod = privileged_pod().replace("spec:\n", "spec:\n  hostNetwork: true\n")
    repo(tmp_path, "rules-dirs: [policy]\nrules:\n  severity: {no-host-network: error}\n", {"p.yaml": pod})
    report = run_json(*only("no-host-network"), "p.yaml", cwd=tmp_path)
    assert [(f["line"], f["severity"], f["path"]) for f in findings(report, "no-host-network")] == [
        (6, "error", "spec.hostNetwork")]


# -- severity, enable/disable, fail-on ------------------------------------------------------------


def test_severity_override_changes_the_exit_code(tmp_path):
    repo(tmp_path, None, {"p.yaml": privileged_pod()})
    assert run_cli("lint", *only("privileged-container"), "p.yaml", cwd=tmp_path).exit_code == 1
    (tmp_path / ".kubelint-nodes.yaml").write_text("rules:\n  severity:\n    privileged-container: warning\n")
    res = run_cli("lint", *only("privileged-container"), "--format", "json", "p.yaml", cwd=tmp_path)
    assert res.exit_code == 0
    assert [f["severity"] for f in findings(res.json, "privileged-container")] == ["warning"]
    assert res.json["summary"]["warning"] == 1 and res.json["summary"]["error"] == 0
    # fail-on from the file makes the warning fail the run; --fail-on on the command line wins over it.
    (tmp_path / ".kubelint-nodes.yaml").write_text(
        "fail-on: warning\nrules:\n  severity:\n    privileged-container: warning\n")
    assert run_cli("lint", *only("privileged-container"), "p.yaml", cwd=tmp_path).exit_code == 1
    assert run_cli("lint", *only("privileged-container"), "--fail-on", "error", "p.yaml",
                   cwd=tmp_path).exit_code == 0


def test_info_override_never_fails_by_default(tmp_path):
    repo(tmp_path, "rules:\n  severity:\n    privileged-container: info\n", {"p.yaml": privileged_pod()})
    report = run_json(*only("privileged-container"), "p.yaml", cwd=tmp_path)
    assert [f["severity"] for f in findings(report, "privileged-container")] == ["info"]
    assert run_cli("lint", *only("privileged-container"), "p.yaml", cwd=tmp_path).exit_code == 0


def test_disable_in_config_and_enable_on_command_line(tmp_path):
    repo(tmp_path, "rules:\n  disable: [privileged-container]\n", {"p.yaml": privileged_pod()})
    assert findings(run_json("p.yaml", cwd=tmp_path), "privileged-container") == []
    report = run_json("--enable", "privileged-container", "p.yaml", cwd=tmp_path)
    assert [f["line"] for f in findings(report, "privileged-container")] == [10]


def test_config_found_upward_from_the_cwd_and_not_above_the_repository(tmp_path):
    outer = tmp_path / "outer"
    outer.mkdir()
    (tmp_path / ".kubelint-nodes.yaml").write_text("rules:\n  disable: [privileged-container]\n")
    repo(outer, "rules:\n  severity: {privileged-container: warning}\n", {"deep/er/p.yaml": privileged_pod()})
    report = run_json("p.yaml", cwd=outer / "deep" / "er")
    assert [f["severity"] for f in findings(report, "privileged-container")] == ["warning"]
    (outer / ".kubelint-nodes.yaml").unlink()
    # The file above the repository root (outer/.git) is not read.
    report = run_json("p.yaml", cwd=outer / "deep" / "er")
    assert [f["severity"] for f in findings(report, "privileged-container")] == ["error"]


# -- paths relative to the config file ------------------------------------------------------------


def test_paths_are_relative_to_the_config_file(tmp_path):
    shutil.copytree(CFG / "relative", tmp_path / "repo")
    root = tmp_path / "repo"
    (root / ".git").mkdir()
    sub = root / "clusters" / "prod"
    s = settings_for(root, cwd=sub, config_file="../../config/kubelint.yaml")
    assert s.config_file == str(root / "config" / "kubelint.yaml")
    assert s.repo_root == str(root.resolve())
    cfgdir = root / "config"
    resolved = lambda p: os.path.normpath(os.path.join(sub, p))  # noqa: E731
    assert [resolved(p) for p in s.static_pod_dirs] == [str(cfgdir / "nodes" / "cp" / "pods")]
    assert resolved(s.inventory) == str(cfgdir / "inventory.yaml")
    assert [resolved(p) for p in s.kubelet_configs] == [str(cfgdir / "kubelet" / "default.yaml")]
    assert [(resolved(d), resolved(k)) for d, k in s.kubelet_config_dirs] == [
        (str(cfgdir / "kubelet" / "default.conf.d"), str(cfgdir / "kubelet" / "default.yaml"))]
    assert [resolved(p) for p in s.rules_dirs] == [str(cfgdir / "policy")]
    # Shown relative to the cwd, so reports do not depend on where the checkout lives.
    assert s.inventory == "../../config/inventory.yaml"
    assert s.kubernetes_version == "1.36"
    assert s.fail_on == "warning"
    assert s.limits.max_depth == 64 and s.limits.max_file_size == 2048
    assert s.exclude == ["generated/", "!generated/keep.yaml"]
    assert s.per_path_ignores == {"clusters/*/debug/": ["privileged-container"]}
    assert s.severity_overrides == {"image-tag-latest": "error"}
    assert s.rule_params == {"no-host-network": {"allowed-namespaces": ["kube-system"]}}


def test_command_line_wins_over_the_config(tmp_path):
    shutil.copytree(CFG / "relative", tmp_path / "repo")
    root = tmp_path / "repo"
    s = settings_for(root, cwd=root, config_file="config/kubelint.yaml", inventory="mine.yaml",
                     kubelet_configs=["k.yaml"], kubernetes_version="1.35", static_pod_dirs=["extra"])
    assert s.inventory == "mine.yaml"
    assert s.kubelet_configs == ["k.yaml"]
    assert s.kubelet_config_dirs == []
    assert s.kubernetes_version == "1.35"
    # Static pod directories are declarations about the repository: both count.
    assert s.static_pod_dirs == ["config/nodes/cp/pods", "extra"]


def test_static_pod_dir_from_config_gives_the_role(tmp_path):
    repo(tmp_path, "static-pod-dirs: [hosts/cp1/pods]\n", {"hosts/cp1/pods/etcd.yaml": privileged_pod("etcd"),
                                                           "other/etcd.yaml": privileged_pod("etcd")})
    report = run_json(".", cwd=tmp_path)
    roles = {f["file"]: f["object"]["role"] for f in findings(report) if f["object"]}
    assert roles["hosts/cp1/pods/etcd.yaml"] == "static-pod"
    assert roles["other/etcd.yaml"] == "pod"


def test_limits_apply(tmp_path):
    repo(tmp_path, "limits:\n  max-file-size: 64\n", {"p.yaml": privileged_pod()})
    report = run_json("p.yaml", cwd=tmp_path)
    assert [(f["line"], f["column"]) for f in findings(report, "yaml-limits-exceeded")] == [(1, 1)]


def test_every_limit_has_a_config_key():
    from kubelint_nodes.config_schema import config_schema
    from kubelint_nodes.loader.yamlparse import Limits

    keys = set(config_schema()["properties"]["limits"]["properties"])
    assert keys == {f.name.replace("_", "-") for f in fields(Limits)}


# -- exclude and --force-exclude ------------------------------------------------------------------


def test_exclude_is_gitignore_style_and_force_exclude_covers_named_files(tmp_path):
    files = {name: privileged_pod() for name in (
        "apps/a.yaml", "generated/x.yaml", "generated/keep.yaml", "apps/generated/y.yaml",
        "apps/b.tmpl.yaml", "top.tmpl.yaml", "apps/deep/c.yaml")}
    repo(tmp_path, "exclude:\n  - generated/\n  - '*.tmpl.yaml'\n  - /apps/deep\n", files)
    walked = sorted({f["file"] for f in findings(run_json(".", cwd=tmp_path))})
    assert walked == ["apps/a.yaml"]
    # Files named on the command line are linted unless --force-exclude (pre-commit passes them by name).
    named = ["generated/x.yaml", "apps/b.tmpl.yaml", "apps/a.yaml"]
    assert sorted({f["file"] for f in findings(run_json(*named, cwd=tmp_path))}) == sorted(named)
    forced = run_json("--force-exclude", *named, cwd=tmp_path)
    assert sorted({f["file"] for f in findings(forced)}) == ["apps/a.yaml"]
    # Globs are repository-relative even when the cwd is a subdirectory.
    forced_sub = run_json("--force-exclude", "generated/y.yaml", "a.yaml", cwd=tmp_path / "apps")
    assert sorted({f["file"] for f in findings(forced_sub)}) == ["a.yaml"]


def test_exclude_negation_cannot_reinclude_below_an_excluded_directory(tmp_path):
    files = {"gen/keep.yaml": privileged_pod(), "gen/x.yaml": privileged_pod(),
             "a/keep.yaml": privileged_pod(), "a/drop.yaml": privileged_pod()}
    repo(tmp_path, "exclude: ['gen/', '!gen/keep.yaml', '*.yaml', '!keep.yaml']\n", files)
    assert sorted({f["file"] for f in findings(run_json(".", cwd=tmp_path))}) == ["a/keep.yaml"]


@pytest.mark.parametrize("path, pattern, hit", [
    ("a/b/c.yaml", "*.yaml", True), ("a/b.yml", "*.yaml", False),
    ("generated/x.yaml", "generated/", True), ("generated", "generated/", False),
    ("a/generated/x.yaml", "generated/", True), ("a/generated/x.yaml", "/generated/", False),
    ("a/c.yaml", "a/**/c.yaml", True), ("a/x/y/c.yaml", "a/**/c.yaml", True),
    ("x/a/c.yaml", "a/*.yaml", False), ("a/b/c.yaml", "a/*.yaml", False),
    ("a/b/c.yaml", "a/**", True), ("foo/bar", "**/bar", True), ("bar", "**/bar", True),
    ("x/tests/y/z.yaml", "tests", True), ("axc", "a[!b]c", True), ("abc", "a[!b]c", False),
    ("a*b", "a\\*b", True), ("axb", "a\\*b", False), ("a/c.yaml", "./a/c.yaml", True),
    ("b/a/c.yaml", "./a/c.yaml", False), ("ab/c", "a**/c", True), ("a/b/c", "a**/c", False),
])
def test_glob_semantics(path, pattern, hit):
    from kubelint_nodes.loader.globs import matches

    assert matches(path, pattern) is hit


# -- the documentation names every key ------------------------------------------------------------


def test_configuration_doc_covers_every_key():
    from kubelint_nodes.config_schema import config_schema

    doc = (ROOT / "docs" / "configuration.md").read_text()
    props = config_schema()["properties"]
    keys = [*props, *(f"rules.{k}" for k in props["rules"]["properties"]),
            *(f"limits.{k}" for k in props["limits"]["properties"])]
    for key in keys:
        leaf = key.split(".")[-1]
        assert f"`{leaf}`" in doc, f"docs/configuration.md does not document `{key}`"
    # Its examples are valid configs.
    blocks = doc.split("```yaml\n")[1:]
    assert blocks
    from kubelint_nodes.config_schema import validate_config, validate_rule_refs
    from kubelint_nodes.engine.registry import builtin_catalogue
    from kubelint_nodes.loader.yamlparse import parse_yaml

    checked = 0
    for block in blocks:
        text = block.split("```", 1)[0]
        if "# config" not in text.splitlines()[0]:
            continue
        doc_ = parse_yaml(text).documents[0]
        validate_config(doc_.data, doc_, "docs/configuration.md")
        validate_rule_refs(doc_.data, doc_, "docs/configuration.md", builtin_catalogue())
        checked += 1
    assert checked >= len(props)


def test_schema_file_is_valid_json_schema():
    import jsonschema

    schema = json.loads((ROOT / "schemas" / "config.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)


CONFIGS = [
    {}, {"rules": {"enable": ["a", "a"]}}, {"rules": {"severity": {"x": "warn"}}}, {"rules": {"params": {"x": 1}}},
    {"exclude": ["", "b"]}, {"exclude": "a"}, {"per-path-ignores": {"a/": "x"}}, {"per-path-ignores": {"": ["x"]}},
    {"inventory": 3}, {"inventory": ""}, {"kubernetes-version": "1.37"}, {"kubernetes-version": "v1.37.2"},
    {"kubernetes-version": 1.37}, {"kubernetes-version": "latest"}, {"kubernetes-version": True},
    {"fail-on": "never"}, {"fail-on": "Error"}, {"limits": {"max-depth": 0}}, {"limits": {"max-depth": True}},
    {"limits": {"max-depth": 1.5}}, {"limits": {"max-depth": 10, "max-nodes": 5}}, {"rules": None},
    {"static-pod-dirs": [1]}, {"rules-dirs": [None]}, {"rules": {"disable": ["a"], "enable": []}},
]


@pytest.mark.parametrize("data", CONFIGS)
def test_builtin_validator_agrees_with_jsonschema(data):
    import jsonschema

    from kubelint_nodes.config_schema import config_schema, schema_errors

    schema = config_schema()
    ours = {(e.validator, e.path) for e in schema_errors(data, schema, schema, ())}
    theirs = {(e.validator, tuple(e.absolute_path))
              for e in jsonschema.Draft202012Validator(schema).iter_errors(data)}
    # Ours places a bad property name at the key itself (a line to report), jsonschema at its mapping.
    ours = {(v, p[:-1] if v == "minLength" and p[:1] == ("per-path-ignores",) and len(p) == 2 else p)
            for v, p in ours}
    assert ours == theirs
