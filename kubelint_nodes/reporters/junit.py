"""``--format junit``: JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure).

One ``<testsuite>`` per file with findings and one ``<testcase>`` per rule and
file (``classname`` = file, ``name`` = rule), failing with every finding of
that rule in that file, so a rule that fires on ten containers is one failed
test, not ten. ``internal-error`` is an ``<error>`` (the tool failed), the rest
are ``<failure>``s whose ``type`` is the severity. No ``time`` or
``timestamp`` attributes: the output is deterministic (SPEC §4).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .locations import finding_repo_path

if TYPE_CHECKING:
    from ..findings import Finding
    from ..lint import LintResult
    from ..settings import Settings

# Characters XML 1.0 cannot carry even escaped; a finding may quote them from a broken input file.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _clean(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def render(result: LintResult, settings: Settings) -> str:
    import xml.etree.ElementTree as ET

    findings = [f for f in result.shown() if f.suppressed is None]
    by_file: dict[str, dict[str, list[Finding]]] = {}
    for f in findings:
        by_file.setdefault(finding_repo_path(f, settings), {}).setdefault(f.rule, []).append(f)

    root = ET.Element("testsuites", name="kubelint-nodes")
    total = failures = errors = 0
    for path in sorted(by_file):
        rules = by_file[path]
        suite = ET.SubElement(root, "testsuite", name=_clean(path))
        s_fail = s_err = 0
        for rule in sorted(rules):
            hits = rules[rule]
            case = ET.SubElement(suite, "testcase", classname=_clean(path), name=rule,
                                 file=_clean(path), line=str(hits[0].line))
            worst = min((f.severity for f in hits), key=lambda s: _SEVERITY_ORDER.get(s, 3))
            tag = "error" if rule == "internal-error" else "failure"
            head = hits[0].message if len(hits) == 1 else f"{len(hits)} findings: {hits[0].message}"
            node = ET.SubElement(case, tag, message=_clean(head), type=worst)
            node.text = _clean("\n".join(_detail(f) for f in hits))
            if tag == "error":
                s_err += 1
            else:
                s_fail += 1
        suite.set("tests", str(len(rules)))
        suite.set("failures", str(s_fail))
        suite.set("errors", str(s_err))
        suite.set("skipped", "0")
        total += len(rules)
        failures += s_fail
        errors += s_err
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _detail(f: Finding) -> str:
    text = f"{f.file}:{f.line}:{f.column}: {f.severity} {f.message}"
    if f.path:
        text += f" [{f.path}]"
    if f.source:
        text += f" (rendered from Helm template {f.source.get('file')})"
    for rel in f.related or ():
        text += f"\n    related: {rel.get('file')}:{rel.get('line')}:{rel.get('column')}: {rel.get('message')}"
    return text
