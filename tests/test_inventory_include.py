"""``!include`` in an inventory (SPEC §5): pyyaml-include, wrapped so that it never reads outside the
inventory's directory tree and never writes.  Every attack must be a one-line error (exit 2) AND leave the
file tree exactly as it was (a checksum of every file, link and directory before and after)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from conftest import run_cli

from kubelint_nodes.inventory import include as include_mod
from kubelint_nodes.inventory.load import InventoryError, load_inventory
from kubelint_nodes.settings import Settings

HEAD = "apiVersion: kubelint-nodes.io/v1alpha1\nkind: NodeInventory\n"
VICTIM = "name: victim\ncount: 1\n"


def tree_digest(root: Path) -> str:
    """Names, types, sizes, modes, link targets and contents of everything under ``root``."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            h.update(f"{os.path.relpath(p, root)}\0{st.st_mode}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
            if os.path.islink(p):
                h.update(os.readlink(p).encode())
            elif os.path.isfile(p) and not name.endswith(".fifo"):
                with open(p, "rb") as fh:
                    h.update(fh.read())
    return h.hexdigest()


@pytest.fixture
def world(tmp_path: Path) -> Path:
    """tmp/outside/victim.yaml; tmp/repo (a git repo) with secret.yaml and inv/ holding the inventory."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "victim.yaml").write_text(VICTIM, encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "secret.yaml").write_text(VICTIM, encoding="utf-8")
    inv = repo / "inv"
    (inv / "pools").mkdir(parents=True)
    (inv / "pools" / "a.yaml").write_text("name: a\ncount: 2\n", encoding="utf-8")
    (inv / "pools" / "b.yaml").write_text("name: b\ncount: 1\ntaints: !include pools/taints.yaml\n",
                                          encoding="utf-8")
    (inv / "pools" / "taints.yaml").write_text("- {key: dedicated, effect: NoSchedule}\n", encoding="utf-8")
    (inv / "pools" / "bad.yaml").write_text("name: bad\ncount: 1\ntaints: [{key: k, effect: Never}]\n",
                                            encoding="utf-8")
    os.symlink(os.path.join("..", "..", "..", "outside", "victim.yaml"), inv / "pools" / "link.yaml")
    os.symlink(os.path.join("a.yaml"), inv / "pools" / "alias.yaml")  # a symlink that stays inside
    (inv / "loop").mkdir()
    (inv / "loop" / "one.yaml").write_text("!include loop/two.yaml\n", encoding="utf-8")
    (inv / "loop" / "two.yaml").write_text("!include loop/one.yaml\n", encoding="utf-8")
    return tmp_path


def _inventory(world: Path, pools: str) -> None:
    (world / "repo" / "inv" / "inventory.yaml").write_text(HEAD + "pools:\n" + pools, encoding="utf-8")


def _load(world: Path):
    return load_inventory("inv/inventory.yaml", Settings(cwd=str(world / "repo")))


# -- includes that work ----------------------------------------------------------------------------------

def test_include_and_nested_include(world: Path) -> None:
    # pools/alias.yaml is a symlink to a.yaml inside the tree: allowed, and read (the duplicate pool says so).
    _inventory(world, "- !include pools/a.yaml\n- !include {urlpath: pools/alias.yaml, mode: rb}\n")
    with pytest.raises(InventoryError) as info:
        _load(world)
    assert "pool 'a' is defined twice" in info.value.problem
    _inventory(world, "- !include pools/a.yaml\n- !include [pools/b.yaml]\n")
    inv = _load(world)
    assert [n.name for n in inv.nodes] == ["a-1", "a-2", "b-1"]
    assert [str(t) for t in inv.nodes[2].taints] == ["dedicated:NoSchedule"]
    assert inv.nodes[2].source is not None and inv.nodes[2].source.file == "inv/pools/b.yaml"


def test_error_inside_an_included_file_names_it(world: Path) -> None:
    _inventory(world, "- !include pools/bad.yaml\n")
    with pytest.raises(InventoryError) as info:
        _load(world)
    err = info.value
    assert (err.file, err.line, err.column, err.field) == ("inv/pools/bad.yaml", 3, 19, "pools[0].taints[0].effect")


def test_pyyaml_include_does_the_including(world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml_include

    calls: list[str] = []
    original = yaml_include.Constructor.load

    def spy(self, loader_type, data):
        calls.append(data.urlpath)
        return original(self, loader_type, data)

    monkeypatch.setattr(yaml_include.Constructor, "load", spy)
    _inventory(world, "- !include pools/b.yaml\n")
    _load(world)
    assert calls == ["pools/b.yaml", "pools/taints.yaml"]


# -- attacks ---------------------------------------------------------------------------------------------

ATTACKS = [
    ("dotdot", "!include ../secret.yaml", "'..' is not allowed"),
    ("dotdot-inner", "!include pools/../../secret.yaml", "'..' is not allowed"),
    ("absolute", "!include {outside}/victim.yaml", "absolute paths are not allowed"),
    ("file-url", "!include file://{outside}/victim.yaml", "URLs are not allowed"),
    ("fsspec-url", "!include memory://victim.yaml", "URLs are not allowed"),
    ("fsspec-chain", "!include simplecache::file://{outside}/victim.yaml", "URLs are not allowed"),
    ("http-url", "!include http://127.0.0.1:9/victim.yaml", "URLs are not allowed"),
    ("symlink-out", "!include pools/link.yaml", "outside the inventory's directory tree"),
    ("glob", "!include pools/*.yaml", "globs are not allowed"),
    ("glob-mapping", "!include {urlpath: 'pools/[ab].yaml', flatten: true}", "globs"),
    ("write-mode-mapping", "!include {urlpath: pools/a.yaml, mode: wb}", "mode 'wb' is not allowed"),
    ("write-mode-sequence", "!include [pools/a.yaml, wb]", "mode 'wb' is not allowed"),
    ("append-mode", "!include {urlpath: pools/a.yaml, mode: a}", "mode 'a' is not allowed"),
    ("update-mode", "!include [pools/a.yaml, r+]", "mode 'r+' is not allowed"),
    ("open-option", "!include {urlpath: pools/a.yaml, compression: gzip}", "option 'compression' is not allowed"),
    ("self", "!include inventory.yaml", "include loop: inv/inventory.yaml -> inv/inventory.yaml"),
    ("home", "!include ~/victim.yaml", "home-relative paths are not allowed"),
    ("missing", "!include pools/none.yaml", "file does not exist"),
    ("directory", "!include pools", "is a directory"),
]


@pytest.mark.parametrize(("statement", "expected"), [(s, e) for _, s, e in ATTACKS],
                         ids=[i for i, _, _ in ATTACKS])
def test_attack_refused_and_nothing_changes(world: Path, statement: str, expected: str) -> None:
    _inventory(world, "- " + statement.replace("{outside}", str(world / "outside")) + "\n")
    before = tree_digest(world)
    with pytest.raises(InventoryError) as info:
        _load(world)
    err = info.value
    assert (err.file, err.line, err.column, err.field) == ("inv/inventory.yaml", 4, 3, "pools[0]")
    assert expected in err.problem
    assert "\n" not in str(err)
    assert tree_digest(world) == before


def test_include_loop(world: Path) -> None:
    # inventory -> loop/one.yaml -> loop/two.yaml -> loop/one.yaml: refused at the statement closing the loop.
    _inventory(world, "- !include loop/one.yaml\n")
    before = tree_digest(world)
    with pytest.raises(InventoryError) as info:
        _load(world)
    err = info.value
    assert (err.file, err.line, err.column, err.field) == ("inv/loop/two.yaml", 1, 1, None)
    assert err.problem == ("!include 'loop/one.yaml': include loop: inv/loop/one.yaml -> inv/loop/two.yaml -> "
                           "inv/loop/one.yaml")
    assert tree_digest(world) == before


@pytest.mark.parametrize("statement", ["!include {urlpath: pools/a.yaml, mode: wb}", "!include ../secret.yaml"])
def test_attack_through_the_cli(world: Path, statement: str) -> None:
    _inventory(world, "- " + statement + "\n")
    before = tree_digest(world)
    res = run_cli("lint", "-i", "inv/inventory.yaml", "inv/pools/a.yaml", cwd=world / "repo")
    assert res.exit_code == 2
    [line] = res.stderr.strip().splitlines()
    assert line.startswith("kubelint-nodes: error: inv/inventory.yaml:4:3: pools[0]: !include ")
    assert tree_digest(world) == before
    assert (world / "repo" / "inv" / "pools" / "a.yaml").read_text(encoding="utf-8") == "name: a\ncount: 2\n"


def test_fifo_is_not_opened(world: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(world / "repo" / "inv" / "pools" / "pipe.fifo")
    _inventory(world, "- !include pools/pipe.fifo\n")
    before = tree_digest(world)
    with pytest.raises(InventoryError) as info:
        _load(world)  # would block forever if the FIFO were opened for a blocking read
    assert "not a regular file" in info.value.problem
    assert tree_digest(world) == before


def test_include_count_cap(world: Path) -> None:
    n = include_mod.MAX_INCLUDES + 1
    (world / "repo" / "inv" / "pools" / "one.yaml").write_text("{name: x, count: 0}\n", encoding="utf-8")
    _inventory(world, "".join("- !include pools/one.yaml\n" for _ in range(n)))
    before = tree_digest(world)
    with pytest.raises(InventoryError) as info:
        _load(world)
    assert f"more than {include_mod.MAX_INCLUDES} includes" in info.value.problem
    assert info.value.line == 3 + n
    assert tree_digest(world) == before


def test_include_size_cap(world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(include_mod, "MAX_INCLUDE_BYTES", 30)
    (world / "repo" / "inv" / "pools" / "big.yaml").write_text("name: big\ncount: 1\n" + "#" * 40 + "\n",
                                                              encoding="utf-8")
    _inventory(world, "- !include pools/a.yaml\n- !include pools/big.yaml\n")
    before = tree_digest(world)
    with pytest.raises(InventoryError) as info:
        _load(world)
    assert (info.value.line, "more than 30 bytes") == (5, "more than 30 bytes")
    assert "the included files total more than 30 bytes" in info.value.problem
    assert tree_digest(world) == before


def test_sandbox_refuses_without_the_statement_check(world: Path) -> None:
    """Defence in depth: even a path that skipped parse_statement cannot leave the tree through the sandbox."""
    inv = world / "repo" / "inv" / "inventory.yaml"
    inv.write_text(HEAD, encoding="utf-8")
    from kubelint_nodes.loader.yamlparse import Limits

    resolver = include_mod.Includes(str(inv), "inv/inventory.yaml", Limits())
    problems: list[str] = []

    def problem(msg: str) -> None:
        problems.append(msg)
        raise RuntimeError(msg)

    sandbox = include_mod._Sandbox(resolver, problem)
    for path, args in (("../secret.yaml", ()), ("pools/link.yaml", ()), ("pools/a.yaml", ("wb",)),
                       (str(world / "outside" / "victim.yaml"), ())):
        with pytest.raises(RuntimeError):
            sandbox.open(path, *args)
    with pytest.raises(RuntimeError):
        sandbox.glob("pools/*.yaml")
    assert len(problems) == 5
    assert sandbox.open("pools/a.yaml").read() == b"name: a\ncount: 2\n"


@pytest.mark.parametrize(("value", "fragment"), [
    ("pools/a.yaml", None),
    (["pools/a.yaml"], None),
    (["pools/a.yaml", "r"], None),
    ({"urlpath": "pools/a.yaml"}, None),
    ({"urlpath": "pools/a.yaml", "mode": "w+b"}, "read-only"),
    ({"path": "pools/a.yaml"}, "needs 'urlpath'"),
    ([], "empty"),
    (42, "is a path"),
    ("", "non-empty"),
    ("s3://bucket/pools.yaml", "URLs"),
    ("C:\\pools.yaml", "URLs"),
    ("pools\\..\\..\\x.yaml", "'..'"),
])
def test_parse_statement(value: object, fragment: str | None) -> None:
    if fragment is None:
        assert include_mod.parse_statement(value) == "pools/a.yaml"
    else:
        with pytest.raises(include_mod.StatementProblem) as info:
            include_mod.parse_statement(value)
        assert fragment in str(info.value)


def test_included_list_error_names_the_fragment(world: Path) -> None:
    inv = world / "repo" / "inv"
    (inv / "nodes.yaml").write_text("- name: edge-1\n- name: edge-2\n  unschedulable: maybe\n", encoding="utf-8")
    (inv / "inventory.yaml").write_text(HEAD + "nodes: !include nodes.yaml\n", encoding="utf-8")
    with pytest.raises(InventoryError) as info:
        _load(world)
    err = info.value
    assert (err.file, err.line, err.column, err.field) == ("inv/nodes.yaml", 3, 3, "nodes[1].unschedulable")
    (inv / "nodes.yaml").write_text("- name: edge-1\n", encoding="utf-8")
    assert [n.name for n in _load(world).nodes] == ["edge-1"]


def test_no_include_in_nodes_from(world: Path) -> None:
    inv = world / "repo" / "inv"
    (inv / "dump.yaml").write_text("apiVersion: v1\nkind: Node\nmetadata: !include pools/a.yaml\n",
                                   encoding="utf-8")
    (inv / "inventory.yaml").write_text(HEAD + "nodesFrom: [dump.yaml]\n", encoding="utf-8")
    with pytest.raises(InventoryError) as info:
        _load(world)
    assert (info.value.file, info.value.line, info.value.field) == ("inv/dump.yaml", 3, "metadata")
