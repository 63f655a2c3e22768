"""`pip install .` must give a working tool: rules and schemas inside the package, never top-level."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT


def test_wheel_maps_rules_and_schemas_inside_the_package(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                           "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("kubelint_nodes-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    rule_files = sorted(p.name for p in (ROOT / "rules").glob("*.yaml"))
    packaged = sorted(Path(n).name for n in names if n.startswith("kubelint_nodes/data/rules/"))
    assert packaged == rule_files
    assert "kubelint_nodes/data/schemas/rule.schema.json" in names
    assert not [n for n in names if n.startswith(("rules/", "schemas/"))]
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "kubelint_nodes").rglob("*.py"))
    missing = [s for s in sources if s not in names]
    assert not missing, f"modules not packaged (add their package to pyproject.toml): {missing}"
    schema_files = sorted(str(p.relative_to(ROOT / "schemas")) for p in (ROOT / "schemas").rglob("*")
                          if p.is_file() and p.suffix in (".json", ".md", ".txt"))
    packaged_schemas = sorted(n[len("kubelint_nodes/data/schemas/"):] for n in names
                              if n.startswith("kubelint_nodes/data/schemas/"))
    assert packaged_schemas == schema_files


def test_packaged_data_dir_is_found() -> None:
    from kubelint_nodes.packaged import data_dir

    assert (data_dir("rules") / "privileged-container.yaml").is_file()
    assert (data_dir("schemas") / "rule.schema.json").is_file()


def test_module_entry_point() -> None:
    proc = subprocess.run([sys.executable, "-m", "kubelint_nodes", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and "kubelint-nodes" in proc.stdout
