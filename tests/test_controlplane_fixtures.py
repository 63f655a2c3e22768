"""The control-plane rules against their hand-written fixtures (``tests/fixtures/controlplane/<rule-id>/``).

``fail-<case>.yaml`` marks every line the rule must report with a trailing
``# expect`` comment (``# expect x2`` for two findings there); the column is
that of the line's first key or list item, or ``# expect @N`` names it (flow lists). ``pass-<case>.yaml`` must get no
finding of the rule. A fixture below a directory named ``static-pods`` is a
static pod (SPEC §7), the others are plain Pods (role ``pod``). ``# args: …``
on a line of its own adds command-line options.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FIXTURES, expect_marks, findings, fixture_args, run_json

CP_FIXTURES = FIXTURES / "controlplane"

# The control-plane section of the catalogue (../shared/rules-catalogue.md).
CATALOGUE_IDS = (
    "apiserver-anonymous-auth", "apiserver-authorization-always-allow", "apiserver-authorization-missing-node-rbac",
    "apiserver-profiling-enabled", "apiserver-audit-log-missing", "control-plane-removed-flag",
    "apiserver-kubelet-ca-missing", "apiserver-service-account-lookup-disabled", "apiserver-weak-tls",
    "apiserver-encryption-config-missing", "apiserver-admission-always-admit", "apiserver-node-restriction-missing",
    "etcd-client-cert-auth-disabled", "etcd-peer-client-cert-auth-disabled", "etcd-auto-tls", "etcd-plain-http",
    "controller-manager-sa-credentials-disabled", "controller-manager-profiling-enabled",
    "controller-manager-bind-address", "scheduler-profiling-enabled", "scheduler-bind-address",
)


def _cases() -> list[tuple[str, Path]]:
    out = []
    for rule_dir in sorted(p for p in CP_FIXTURES.iterdir() if p.is_dir()):
        for path in sorted(rule_dir.rglob("*.yaml")):
            if path.name.startswith(("fail-", "pass-")):
                out.append((rule_dir.name, path))
    return out


CASES = _cases()


@pytest.mark.parametrize(("rule", "path"), CASES, ids=[f"{r}/{p.relative_to(CP_FIXTURES / r)}" for r, p in CASES])
def test_fixture(rule: str, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected = expect_marks(text)
    report = run_json(*fixture_args(text), path.name, cwd=path.parent)
    got = findings(report, rule)
    role = "static-pod" if path.parent.name == "static-pods" else "pod"
    assert all(f["object"]["role"] == role for f in got), got
    if path.name.startswith("fail-"):
        assert expected, f"{path}: a fail fixture needs '# expect' marks"
    else:
        assert not expected, f"{path}: a pass fixture has '# expect' marks"
    where = sorted((f["line"], f["column"]) for f in got)
    assert where == expected, "\n".join(f"{f['line']}:{f['column']} {f['message']}" for f in got)
    assert not findings(report, "internal-error")


def test_every_catalogue_rule_has_fail_and_pass_fixtures() -> None:
    from kubelint_nodes.engine.registry import builtin_catalogue

    cat = builtin_catalogue()
    for rule in CATALOGUE_IDS:
        assert cat.get(rule) is not None, rule
        names = [p.name for r, p in CASES if r == rule]
        assert any(n.startswith("fail-") for n in names), f"{rule}: no fail fixture"
        assert any(n.startswith("pass-") for n in names), f"{rule}: no pass fixture"


def test_fixture_forms_cover_args_script_and_separate_words() -> None:
    """Across the fixtures, flags appear in args, in sh -c strings and as --flag value pairs."""
    texts = [p.read_text(encoding="utf-8") for _, p in CASES if p.name.startswith("fail-")]
    assert sum("args:" in t for t in texts) >= 10
    assert sum(re.search(r"\b(sh|bash)\b", t) is not None and re.search(r"[\s,]-e?c\b", t) is not None
               for t in texts) >= 8
    assert sum(re.search(r"- --[a-z-]+  # expect\n\s+- [^-]", t) is not None for t in texts) >= 5
