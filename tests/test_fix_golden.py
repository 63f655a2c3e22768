"""Golden files for ``kubelint-nodes fix``: one directory per fixable rule under tests/fixtures/fix/.

Each case is ``before.yaml`` -> ``after.yaml`` (byte for byte), with a
``case.yaml`` saying where the file goes (a static pod directory, say), the
extra arguments, and how many lines the fix removes and adds: the diff is
exactly those lines and every other byte is unchanged. The same cases run with
CRLF line endings and with a UTF-8 BOM, which must survive; a second run
changes nothing; and linting the result shows the fixed findings gone and
nothing new but what the fix declares as intended.
"""

from __future__ import annotations

import difflib
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, run_cli

FIX = FIXTURES / "fix"
CASES = sorted(p.parent for p in FIX.rglob("before.yaml"))


def _id(case: Path) -> str:
    return str(case.relative_to(FIX))


def _meta(case: Path) -> dict:
    p = case / "case.yaml"
    return yaml.safe_load(p.read_text(encoding="utf-8")) if p.exists() else {}


def _rule(case: Path) -> str:
    return case.relative_to(FIX).parts[0]


def _setup(case: Path, tmp: Path, transform=lambda b: b) -> tuple[Path, str, list[str], list[str]]:
    meta = _meta(case)
    rel = meta.get("file", f"{_rule(case)}.yaml")
    target = tmp / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(transform((case / "before.yaml").read_bytes()))
    for name in meta.get("files", []):
        shutil.copy(case / name, tmp / name)
    if meta.get("config"):
        (tmp / ".kubelint-nodes.yaml").write_text(yaml.safe_dump(meta["config"]), encoding="utf-8")
    args = [a.replace("{file}", rel) for a in meta.get("args", [])]
    paths = [] if "--kubelet-config" in args else [rel]
    return target, rel, args, paths


def _fix(case: Path, tmp: Path, transform=lambda b: b, *extra: str):
    target, rel, args, paths = _setup(case, tmp, transform)
    res = run_cli("fix", "--rule", _rule(case), *args, *extra, *paths, cwd=tmp)
    assert res.exit_code in (0, 1), (res.exit_code, res.stdout, res.stderr)
    return res, target, rel, args, paths


def _keys(report: dict) -> Counter:
    """Findings without position or message (an insertion above moves them), objects by identity."""
    out: Counter = Counter()
    for f in report["findings"]:
        obj = f["object"] or {}
        out[(f["rule"], f["file"], obj.get("kind"), obj.get("namespace"), obj.get("name"), f["path"])] += 1
    return out


def _lint(tmp: Path, args: list[str], paths: list[str]) -> dict:
    lint_args = [a for a in args if a != "--unsafe"]
    res = run_cli("lint", "--format", "json", *lint_args, *paths, cwd=tmp)
    assert res.exit_code in (0, 1), (res.exit_code, res.stderr)
    return json.loads(res.stdout)


def test_every_fixable_rule_has_a_golden_case():
    from kubelint_nodes.engine.registry import builtin_catalogue
    from kubelint_nodes.fix.declarations import catalogue_fixes

    fixable = set(catalogue_fixes(builtin_catalogue()))
    assert fixable >= {"schema-invalid", "kubelet-unknown-field", "yaml-duplicate-key"}
    assert fixable <= {_rule(c) for c in CASES}, sorted(fixable - {_rule(c) for c in CASES})


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_golden(case: Path, tmp_path: Path):
    before = (case / "before.yaml").read_bytes()
    after = (case / "after.yaml").read_bytes()
    meta = _meta(case)
    _res, target, _rel, args, paths = _fix(case, tmp_path)
    assert target.read_bytes() == after
    # Exactly the intended lines changed; every other line is byte-identical.
    diff = list(difflib.unified_diff(before.decode().splitlines(), after.decode().splitlines(), lineterm="", n=0))
    removed = [ln for ln in diff if ln.startswith("-") and not ln.startswith("---")]
    added = [ln for ln in diff if ln.startswith("+") and not ln.startswith("+++")]
    assert (len(removed), len(added)) == (meta["removed"], meta["added"]), diff


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_relint_shows_the_finding_gone_and_nothing_new(case: Path, tmp_path: Path):
    meta = _meta(case)
    target, _rel, args, paths = _setup(case, tmp_path)
    old = _keys(_lint(tmp_path, args, paths))
    assert any(k[0] == _rule(case) for k in old), "the before file must have a finding to fix"
    res = run_cli("fix", "--rule", _rule(case), *args, *paths, cwd=tmp_path)
    assert res.exit_code in (0, 1), res.stderr
    new = _keys(_lint(tmp_path, args, paths))
    remaining = sum(n for k, n in new.items() if k[0] == _rule(case))
    assert remaining == meta.get("remaining", 0), new
    appeared = {k[0] for k in new - old}
    assert appeared <= set(meta.get("intended", [])), new - old


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_second_run_changes_nothing(case: Path, tmp_path: Path):
    _res, target, _rel, args, paths = _fix(case, tmp_path)
    once = target.read_bytes()
    res = run_cli("fix", "--rule", _rule(case), *args, *paths, cwd=tmp_path)
    assert res.exit_code in (0, 1)
    assert target.read_bytes() == once
    assert "0 fixes applied" in res.stdout


def _crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def _bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


@pytest.mark.parametrize("case", CASES, ids=_id)
@pytest.mark.parametrize("transform", [_crlf, _bom], ids=["crlf", "bom"])
def test_line_endings_and_bom_survive(case: Path, tmp_path: Path, transform):
    _res, target, _rel, _args, _paths = _fix(case, tmp_path, transform)
    assert target.read_bytes() == transform((case / "after.yaml").read_bytes())


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_diff_writes_nothing_and_shows_the_same_change(case: Path, tmp_path: Path):
    before = (case / "before.yaml").read_bytes()
    res, target, rel, _args, _paths = _fix(case, tmp_path, lambda b: b, "--diff")
    assert target.read_bytes() == before
    expected = "".join(difflib.unified_diff(before.decode().splitlines(True),
                                            (case / "after.yaml").read_text().splitlines(True),
                                            f"a/{rel}", f"b/{rel}"))
    assert res.stdout == expected
    assert "would fix:" in res.stderr
