#!/usr/bin/env python3
"""Generate ``docs/rules/<id>.md`` for every rule file in ``rules/``, and ``docs/rules/README.md``.

The rule files are the single source (SPEC §8); the pages are rendered by the
same code as ``kubelint-nodes explain``, so they cannot disagree with it.
Pages of rules that no longer exist are removed. ``--check`` writes nothing
and exits 1 when the docs have drifted (tests/test_docs_sync.py runs it).

    python tools/gen_rule_docs.py                 # regenerate docs/rules/
    python tools/gen_rule_docs.py --check         # exit 1 if docs/rules/ is stale
    python tools/gen_rule_docs.py --out DIR       # write elsewhere

It also refreshes the command outputs shown in README.md between
``<!-- BEGIN kubelint-nodes ... -->`` and ``<!-- END kubelint-nodes ... -->``
markers (``kubelint-nodes rules``, ``kubelint-nodes explain ID``), so the
README never shows a stale catalogue.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def render_all(rules_dir: Path) -> dict[str, str]:
    """File name -> content of every page, from the rule files of ``rules_dir``."""
    from kubelint_nodes.catalogue_view import rule_page, rules_index
    from kubelint_nodes.engine.registry import parse_rule_file

    rules = [parse_rule_file(path) for path in sorted(rules_dir.glob("*.yaml"))]
    pages = {f"{r.id}.md": rule_page(r) for r in rules}
    pages["README.md"] = rules_index(rules)
    return pages


_BLOCK = re.compile(r"(<!-- BEGIN kubelint-nodes (?P<cmd>[a-z][a-z0-9 -]*) -->\n)(?P<body>.*?)"
                    r"(<!-- END kubelint-nodes (?P=cmd) -->)", re.S)


def command_output(cmd: str, rules_dir: Path) -> str | None:
    """What ``kubelint-nodes <cmd>`` prints for the rules of ``rules_dir`` (rules, explain ID)."""
    from kubelint_nodes.catalogue_view import render_explain, render_rules
    from kubelint_nodes.engine.registry import Catalogue, parse_rule_file

    rules = {r.id: r for r in (parse_rule_file(p) for p in sorted(rules_dir.glob("*.yaml")))}
    words = cmd.split()
    if words == ["rules"]:
        return render_rules("text", Catalogue(rules))
    if len(words) == 2 and words[0] == "explain" and words[1] in rules:
        return render_explain(rules[words[1]])
    return None


def refresh_readme(text: str, rules_dir: Path) -> str:
    """README.md with every marked command block re-rendered (unknown commands left as they are)."""

    def repl(m: re.Match[str]) -> str:
        out = command_output(m.group("cmd"), rules_dir)
        if out is None:
            return m.group(0)
        return f"{m.group(1)}```text\n$ kubelint-nodes {m.group('cmd')}\n{out.rstrip()}\n```\n{m.group(4)}"

    return _BLOCK.sub(repl, text)


def drift(pages: dict[str, str], out: Path) -> list[str]:
    """Names of pages that are missing, different or stale in ``out``."""
    problems = []
    for name, text in sorted(pages.items()):
        path = out / name
        if not path.is_file():
            problems.append(f"missing {name}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"outdated {name}")
    if out.is_dir():
        for path in sorted(out.glob("*.md")):
            if path.name not in pages:
                problems.append(f"stale {path.name} (no rule file)")
    return problems


def write(pages: dict[str, str], out: Path) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in sorted(pages.items()):
        path = out / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="\n")
            changed.append(name)
    for path in sorted(out.glob("*.md")):
        if path.name not in pages:
            path.unlink()
            changed.append(f"{path.name} (removed)")
    return changed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules", type=Path, default=ROOT / "rules", help="rule files (default: rules/)")
    ap.add_argument("--out", type=Path, default=None, help="output (default: docs/rules/)")
    ap.add_argument("--readme", type=Path, default=None,
                    help="README whose marked command outputs to refresh (default: README.md unless --out is given)")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if the docs are not current")
    args = ap.parse_args(argv)
    readme = args.readme
    if readme is None and args.out is None:
        readme = ROOT / "README.md"
    if args.out is None:
        args.out = ROOT / "docs" / "rules"
    from kubelint_nodes.engine.registry import RuleFileError

    try:
        pages = render_all(args.rules)
    except RuleFileError as exc:
        print(f"gen_rule_docs: {exc}", file=sys.stderr)
        return 2
    readme_text = readme.read_text(encoding="utf-8") if readme is not None and readme.is_file() else None
    fresh_readme = refresh_readme(readme_text, args.rules) if readme_text is not None else None
    if args.check:
        problems = drift(pages, args.out)
        if fresh_readme != readme_text:
            problems.append(f"outdated command output in {readme}")
        for p in problems:
            print(f"docs/rules: {p}", file=sys.stderr)
        if problems:
            print("run: python tools/gen_rule_docs.py", file=sys.stderr)
        return 1 if problems else 0
    changed = write(pages, args.out)
    if readme is not None and fresh_readme is not None and fresh_readme != readme_text:
        readme.write_text(fresh_readme, encoding="utf-8", newline="\n")
        changed.append(str(readme))
    print(f"{len(pages) - 1} rule pages in {args.out}; {len(changed)} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
