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

# Every JSON lint report produced through run_json() is checked against both schemas at the end.
_REPORTS: list[dict] = []


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


def run_json(*args: str, cwd: str | Path | None = None, stdin: str | bytes | None = None) -> dict:
    """``lint --format json``; asserts a parseable report and records it for schema validation."""
    res = run_cli("lint", "--format", "json", *args, cwd=cwd, stdin=stdin)
    assert res.exit_code in (0, 1), (res.exit_code, res.stderr, res.stdout[:2000])
    report = res.json
    _REPORTS.append(report)
    return report


def findings(report: dict, rule: str | None = None) -> list[dict]:
    return [f for f in report["findings"] if rule is None or f["rule"] == rule]


def where(report: dict, rule: str) -> list[tuple[str, int, int]]:
    """(file, line, column) of every finding of ``rule``."""
    return [(f["file"], f["line"], f["column"]) for f in findings(report, rule)]


def recorded_reports() -> list[dict]:
    return _REPORTS
