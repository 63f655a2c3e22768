"""Every rule of the pod-spec, DaemonSet and static pod catalogue against its fixtures.

Layout (``tests/fixtures/rules/<rule-id>/``):

* ``fail-<case>.<ext>`` / ``pass-<case>.<ext>`` — one input file, linted from
  its own directory (a fixture under a directory named ``static-pods`` is a
  static pod, as SPEC §7 says). A fail file marks each line the rule must
  report with a trailing ``# expect`` comment; the column is that of the
  line's first key (after any ``- ``), or ``# expect @N`` names it, and
  ``# expect xN`` asks for N findings there. ``# args: …`` on a line of its
  own adds command-line options. A pass file must get no finding of the rule.
* ``fail-<case>/`` / ``pass-<case>/`` holding ``case.yaml`` — a directory case
  (``args`` run from that directory, ``expect``: file, line, column and
  optionally ``related``), for rules about directories.

Expectations are written by hand next to the offending key, never generated
from the tool's output.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, expect_marks, findings, fixture_args, run_json

RULE_FIXTURES = FIXTURES / "rules"


def _cases() -> list[tuple[str, Path]]:
    out = []
    for rule_dir in sorted(p for p in RULE_FIXTURES.iterdir() if p.is_dir()):
        for path in sorted(rule_dir.rglob("*")):
            if not path.name.startswith(("fail-", "pass-")):
                continue
            if any(parent.name.startswith(("fail-", "pass-")) for parent in path.relative_to(rule_dir).parents
                   if parent.name):
                continue  # a file inside a directory case
            if path.is_dir() and not (path / "case.yaml").is_file():
                continue
            out.append((rule_dir.name, path))
    return out


CASES = _cases()


def _file_case(rule: str, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected = expect_marks(text)
    report = run_json(*fixture_args(text), path.name, cwd=path.parent)
    got = findings(report, rule)
    assert all(f["file"] == path.name for f in got), got
    where = sorted((f["line"], f["column"]) for f in got)
    if path.name.startswith("fail-"):
        assert expected, f"{path}: a fail fixture needs '# expect' marks"
    else:
        assert not expected, f"{path}: a pass fixture has '# expect' marks"
    assert where == expected, "\n".join(f"{f['line']}:{f['column']} {f['message']}" for f in got)


def _dir_case(rule: str, path: Path) -> None:
    case = yaml.safe_load((path / "case.yaml").read_text(encoding="utf-8")) or {}
    report = run_json(*[str(a) for a in case.get("args") or ["."]], cwd=path)
    got = findings(report, rule)
    expected = case.get("expect") or []
    if path.name.startswith("fail-"):
        assert expected, f"{path}: a fail case needs an 'expect' list"
    else:
        assert not expected, f"{path}: a pass case expects nothing"
    seen = sorted((f["file"], f["line"], f["column"]) for f in got)
    want = sorted((e["file"], e["line"], e["column"]) for e in expected)
    assert seen == want, "\n".join(f"{f['file']}:{f['line']}:{f['column']} {f['message']}" for f in got)
    for e in expected:
        if "related" not in e:
            continue
        match = [f for f in got if (f["file"], f["line"], f["column"]) == (e["file"], e["line"], e["column"])]
        assert [r["file"] for r in match[0].get("related") or []] == [e["related"]], match


@pytest.mark.parametrize(("rule", "path"), CASES, ids=[f"{r}/{p.name}" for r, p in CASES])
def test_rule_fixture(rule: str, path: Path) -> None:
    from kubelint_nodes.engine.registry import builtin_catalogue

    assert builtin_catalogue().get(rule) is not None, f"fixtures for an unknown rule {rule}"
    if path.is_dir():
        _dir_case(rule, path)
    else:
        _file_case(rule, path)
