"""Shared test helpers: run the CLI in-process, find ../shared, validate reports."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"



@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


class Run:
    def __init__(self, exit_code: int, stdout: str, stderr: str):
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)


def run_cli(*args: str, cwd: str | Path | None = None, stdin: str | bytes | None = None) -> Run:
    """Run ``kubelint-nodes ARGS`` in-process (fast) from ``cwd``."""
    from kubelint_nodes.cli import main

    runner = CliRunner()
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        res = runner.invoke(main, list(args), input=stdin, catch_exceptions=True)
    finally:
        os.chdir(old)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return Run(res.exit_code, res.stdout, res.stderr)


_VALIDATORS: dict[str, list] = {}


def schema_validators(name: str) -> list:
    """Validators for ``schemas/<name>``: the project's own schema, and the shared one when present."""
    if name not in _VALIDATORS:
        import jsonschema

        paths = [ROOT / "schemas" / name]
        if SHARED.is_dir():
            paths.append(SHARED / "schemas" / name)
        found = []
        for p in paths:
            schema = json.loads(p.read_text(encoding="utf-8"))
            found.append(jsonschema.validators.validator_for(schema)(schema))
        _VALIDATORS[name] = found
    return _VALIDATORS[name]


def report_validators() -> list:
    """Validators of the lint report."""
    return schema_validators("lint-report.schema.json")


def assert_valid_report(report: dict) -> None:
    for v in report_validators():
        errors = list(v.iter_errors(report))
        assert not errors, errors[0]


def run_json(*args: str, cwd: str | Path | None = None, stdin: str | bytes | None = None,
             codes: tuple[int, ...] = (0, 1)) -> dict:
    """``lint --format json``: asserts the exit code, a report valid against both schemas, no internal error."""
    res = run_cli("lint", "--format", "json", *args, cwd=cwd, stdin=stdin)
    assert res.exit_code in codes, (res.exit_code, res.stderr, res.stdout[:2000])
    report = res.json
    assert_valid_report(report)
    assert not [f for f in report["findings"] if f["rule"] == "internal-error"], report["findings"]
    return report


def findings(report: dict, rule: str | None = None) -> list[dict]:
    return [f for f in report["findings"] if rule is None or f["rule"] == rule]


def where(report: dict, rule: str) -> list[tuple[str, int, int]]:
    """(file, line, column) of every finding of ``rule``."""
    return [(f["file"], f["line"], f["column"]) for f in findings(report, rule)]


def only_rules(*keep: str) -> list[str]:
    """``--disable`` every built-in rule but ``keep``: tests stay exact while other rules are added."""
    from kubelint_nodes.engine.registry import builtin_catalogue

    out: list[str] = []
    for rid in builtin_catalogue().ids():
        if rid not in keep:
            out += ["--disable", rid]
    return out


_EXPECT_MARK = re.compile(r"#\s*expect(?:\s+@(?P<col>\d+))?(?:\s+x(?P<n>\d+))?\s*$")


def expect_marks(text: str) -> list[tuple[int, int]]:
    """Sorted (line, column) a fixture's ``# expect`` comments ask for (hand-written next to the key).

    The column is that of the line's first key or list item (after any ``- ``), unless ``# expect @N``
    names it; ``# expect xN`` asks for N findings there. Comment-only lines never count.
    """
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        m = _EXPECT_MARK.search(line)
        if not m or line.lstrip().startswith("#"):
            continue
        if m.group("col"):
            col = int(m.group("col"))
        else:
            body, col = line, 1
            while body[:1] == " " or body[:2] == "- ":
                step = 1 if body[:1] == " " else 2
                body, col = body[step:], col + step
        out.extend([(n, col)] * int(m.group("n") or 1))
    return sorted(out)


def fixture_args(text: str) -> list[str]:
    """Command-line options a fixture asks for on ``# args: …`` lines of its own."""
    import shlex

    args: list[str] = []
    for line in text.splitlines():
        m = re.match(r"#\s*args:\s*(.*)$", line)
        if m:
            args += shlex.split(m.group(1))
    return args
