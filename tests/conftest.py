"""Shared test helpers: run the CLI in-process, find ../shared, validate reports."""

from __future__ import annotations

import json
import os
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


_VALIDATORS: list = []


def report_validators() -> list:
    """Validators of the lint report: the project's own schema, and the shared one when present."""
    if not _VALIDATORS:
        import jsonschema

        paths = [ROOT / "schemas" / "lint-report.schema.json"]
        if SHARED.is_dir():
            paths.append(SHARED / "schemas" / "lint-report.schema.json")
        for p in paths:
            schema = json.loads(p.read_text(encoding="utf-8"))
            _VALIDATORS.append(jsonschema.validators.validator_for(schema)(schema))
    return _VALIDATORS


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
