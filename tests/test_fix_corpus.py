"""``fix --unsafe`` over real-world manifests (../shared/corpus, copied): nothing new, nothing twice."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

from conftest import run_cli

CONFIG = "rules:\n  params:\n    missing-resource-requests:\n      default-requests: {cpu: 100m, memory: 128Mi}\n"


def _keys(cwd: Path) -> Counter:
    res = run_cli("lint", "--format", "json", ".", cwd=cwd)
    assert res.exit_code in (0, 1), res.stderr
    return Counter((f["rule"], f["file"], (f["object"] or {}).get("kind"), (f["object"] or {}).get("name"),
                    f["path"]) for f in json.loads(res.stdout)["findings"])


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_fix_unsafe_on_corpus_adds_nothing_and_is_idempotent(shared_dir: Path, tmp_path: Path):
    work = tmp_path / "corpus"
    for part in ("static-pods", "kubelet-configs", "pods"):
        shutil.copytree(shared_dir / "corpus" / part, work / part)
    (work / ".kubelint-nodes.yaml").write_text(CONFIG)
    original = _tree(work)
    before = _keys(work)
    res = run_cli("fix", "--unsafe", ".", cwd=work)
    assert res.exit_code in (0, 1), res.stderr
    fixed = [ln for ln in res.stdout.splitlines() if ln.startswith("fixed: ")]
    assert len(fixed) >= 100, res.stdout[-2000:]
    assert "internal error" not in res.stdout
    after = _keys(work)
    assert not {k for k in after - before if k[0] != "daemonset-on-delete-updates"}, after - before
    rules = Counter(ln.split(": ")[2].split(" ")[0] for ln in fixed)
    assert {"privilege-escalation-allowed", "missing-resource-requests"} <= set(rules), rules
    for rule, n in rules.items():  # each fix removed its finding
        assert sum(c for k, c in before.items() if k[0] == rule) - sum(c for k, c in after.items() if k[0] == rule) \
            >= n, rule
    changed = [name for name, data in _tree(work).items() if original.get(name) != data]
    assert len(changed) >= 40
    snapshot = _tree(work)
    again = run_cli("fix", "--unsafe", ".", cwd=work)
    assert "0 fixes applied" in again.stdout and _tree(work) == snapshot
