"""Reporters assembled by hand for speed must stay byte-identical to the library they stand in for."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from kubelint_nodes.findings import Finding
from kubelint_nodes.lint import LintResult
from kubelint_nodes.reporters import json_report

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
OBJECT = st.none() | st.fixed_dictionaries({
    "apiVersion": st.none() | TEXT, "kind": st.none() | TEXT, "name": st.none() | TEXT,
    "namespace": st.none() | TEXT, "role": TEXT})
EXTRA = st.none() | st.dictionaries(TEXT, st.none() | TEXT | st.integers(), max_size=3)
FINDING = st.builds(
    Finding, rule=TEXT, severity=st.sampled_from(["error", "warning", "info"]), message=TEXT, file=TEXT,
    line=st.integers(1, 10**6), column=st.integers(1, 10**4), object=OBJECT, path=st.none() | TEXT,
    related=st.none() | st.lists(st.dictionaries(TEXT, TEXT | st.integers(), max_size=3), max_size=2),
    source=EXTRA, suppressed=EXTRA)


def _expected(report: dict) -> str:
    enc = json.JSONEncoder(ensure_ascii=False).encode
    body = ",\n    ".join(enc(f) for f in report["findings"])
    return ("{\n" f'  "tool": {enc(report["tool"])},\n'
            f'  "findings": [{chr(10) + "    " + body + chr(10) + "  " if body else ""}],\n'
            f'  "summary": {enc(report["summary"])}\n' "}\n")


@settings(max_examples=300, deadline=None)
@given(st.lists(FINDING, max_size=6))
def test_each_finding_line_is_what_the_json_encoder_writes(findings: list[Finding]) -> None:
    pieces = json_report._Pieces()
    for f in findings:
        assert pieces.finding(f) == json.dumps(f.to_json(), ensure_ascii=False)


def test_shared_strings_and_objects_are_encoded_once_and_stay_correct() -> None:
    obj = {"apiVersion": "v1", "kind": "Pod", "name": "p\u2028\"q", "namespace": None, "role": "pod"}
    findings = [Finding("r", "error", f"m{i} é \x00", "a.yaml", i + 1, 1, obj, "spec.x") for i in range(3)]
    findings.append(Finding("r", "info", "other", "b.yaml", 1, 1, dict(obj, name="z"), None,
                            related=[{"file": "a.yaml", "line": 1}], suppressed={"by": "comment", "reason": None}))
    result = LintResult(findings[:3], findings[3:], 2, 2)
    text = json_report.render(result, None)  # type: ignore[arg-type]
    assert text == _expected(result.report())
    parsed = json.loads(text)
    assert [f["object"]["name"] for f in parsed["findings"]] == ["p\u2028\"q"] * 3 + ["z"]
    assert parsed["findings"][3]["suppressed"] == {"by": "comment", "reason": None}


def test_empty_report_keeps_its_shape() -> None:
    result = LintResult([], [], 0, 0)
    assert json_report.render(result, None) == _expected(result.report())  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**12), min_size=7, max_size=7))
def test_text_summary_table_matches_tabulate_simple(values: list[int]) -> None:
    from tabulate import tabulate

    from kubelint_nodes.reporters.text import SUMMARY_HEADERS, summary_table

    counts = dict(zip(SUMMARY_HEADERS, values, strict=True))
    assert summary_table(counts) == tabulate([values], headers=list(SUMMARY_HEADERS), tablefmt="simple")
