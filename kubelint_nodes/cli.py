"""Command line: ``kubelint-nodes lint|place|rules|explain|fix`` (SPEC §3).

The CLI only turns arguments into :class:`Settings` and a result into output
and an exit code; the work happens in the pipeline modules.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from . import __version__
from .settings import FAIL_ON, Settings

FORMATS = ("text", "json", "sarif", "github", "codeclimate", "junit")


def _fail(message: str) -> None:
    click.echo(f"kubelint-nodes: error: {message}", err=True)
    sys.exit(2)


def _internal_failure(exc: BaseException, debug: bool | None) -> None:
    if debug:
        import traceback

        click.echo(traceback.format_exc(), err=True)
    cause = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    _fail(f"internal error: {cause} (run with --debug for the traceback, and please report it)")


def did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _common(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                     help="Report format written to stdout (or --output). Default: text."),
        click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE."),
        click.option("--report", "reports", multiple=True, metavar="FORMAT:FILE",
                     help="Also write FORMAT to FILE from the same run (repeatable), e.g. sarif:out.sarif."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False),
                     help="Config file (default: .kubelint-nodes.yaml found upward from the cwd)."),
        click.option("-i", "--inventory", type=click.Path(), help="Node inventory: enables node-aware rules."),
        click.option("--kubelet-config", "kubelet_configs", multiple=True, type=click.Path(),
                     help="A KubeletConfiguration file to lint (repeatable)."),
        click.option("--kubelet-config-dir", "kubelet_config_dirs", multiple=True, type=click.Path(),
                     help="Kubelet drop-in directory (*.conf) merged over the --kubelet-config before it."),
        click.option("--static-pod-dir", "static_pod_dirs", multiple=True, type=click.Path(),
                     help="Treat DIR as a kubelet static pod directory (repeatable)."),
        click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
                     help="Lowest severity that makes the exit code 1 (default: error)."),
        click.option("--enable", multiple=True, metavar="RULE", help="Enable a rule (repeatable)."),
        click.option("--disable", multiple=True, metavar="RULE", help="Disable a rule (repeatable)."),
        click.option("--stdin-filename", help="Name to report for input read from '-'."),
        click.option("--baseline", type=click.Path(dir_okay=False), help="Report only findings not in FILE."),
        click.option("--write-baseline", type=click.Path(dir_okay=False), help="Record current findings to FILE."),
        click.option("--kubernetes-version", metavar="X.Y", help="Kubernetes version for schemas and semantics."),
        click.option("--all", "whole_repo", is_flag=True,
                     help="The PATHS given are every workload: enables whole-repository rules."),
        click.option("--show-suppressed", is_flag=True, help="List suppressed findings with their reason."),
        click.option("--force-exclude", is_flag=True, help="Apply excludes to explicitly passed files too."),
        click.option("--strict-kinds", is_flag=True, help="Report kinds that have no shipped schema."),
        click.option("--jobs", "-j", type=click.IntRange(min=0), default=0,
                     help="Processes linting in parallel, this one included (1: serial); 0 (default) uses the "
                          "CPUs, at most 4, for trees of 200 files or more. The output is the same either way."),
        click.option("--debug", is_flag=True, help="Show tracebacks of internal errors."),
    ]
    for opt in reversed(options):
        fn = opt(fn)
    return fn


def _kubelet_dir_pairs(configs: tuple[str, ...], dirs: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """Pair each --kubelet-config-dir with the --kubelet-config given before it on the command line."""
    argv = sys.argv[1:]
    pairs: list[tuple[str, str | None]] = []
    last: str | None = None
    for i, tok in enumerate(argv):
        for opt, is_dir in (("--kubelet-config", False), ("--kubelet-config-dir", True)):
            value = None
            if tok == opt and i + 1 < len(argv):
                value = argv[i + 1]
            elif tok.startswith(opt + "="):
                value = tok[len(opt) + 1:]
            if value is None:
                continue
            if is_dir:
                pairs.append((value, last))
            else:
                last = value
    if sorted(p[0] for p in pairs) != sorted(dirs):  # not invoked from the command line (tests, API)
        pairs = [(d, configs[-1] if configs else None) for d in dirs]
    return pairs


def build_settings(paths: tuple[str, ...], kw: dict[str, Any]) -> Settings:
    from .config import apply_config

    settings = Settings(
        paths=list(paths),
        fmt=kw.get("fmt") or "text",
        output=kw.get("output"),
        config_file=kw.get("config_file"),
        inventory=kw.get("inventory"),
        kubelet_configs=list(kw.get("kubelet_configs") or ()),
        kubelet_config_dirs=_kubelet_dir_pairs(tuple(kw.get("kubelet_configs") or ()),
                                               tuple(kw.get("kubelet_config_dirs") or ())),
        static_pod_dirs=list(kw.get("static_pod_dirs") or ()),
        enable=list(kw.get("enable") or ()),
        disable=list(kw.get("disable") or ()),
        stdin_filename=kw.get("stdin_filename"),
        baseline=kw.get("baseline"),
        write_baseline=kw.get("write_baseline"),
        kubernetes_version=kw.get("kubernetes_version"),
        whole_repo=bool(kw.get("whole_repo")) or not paths,
        show_suppressed=bool(kw.get("show_suppressed")),
        force_exclude=bool(kw.get("force_exclude")),
        strict_kinds=bool(kw.get("strict_kinds")),
        jobs=kw.get("jobs") or 0,
        debug=bool(kw.get("debug")),
    )
    for spec in kw.get("reports") or ():
        fmt, sep, path = spec.partition(":")
        if not sep or fmt not in FORMATS or not path:
            raise click.UsageError(f"--report takes FORMAT:FILE with FORMAT one of {', '.join(FORMATS)}: {spec!r}")
        settings.reports.append((fmt, path))
    apply_config(settings, explicit_fail_on=kw.get("fail_on"))
    if settings.kubernetes_version is not None:  # schema helper (issue 4): one of the shipped releases
        from .schema import resolve_version

        try:
            settings.kubernetes_version = resolve_version(settings.kubernetes_version)
        except ValueError as exc:
            raise click.UsageError(f"--kubernetes-version: {exc}") from None
    if kw.get("fail_on"):
        settings.fail_on = kw["fail_on"]
    return settings


def _check_rule_ids(settings: Settings, ids: list[str]) -> None:
    for opt, values in (("--enable", settings.enable), ("--disable", settings.disable)):
        for rid in values:
            if rid not in ids:
                _fail(f"{opt}: unknown rule id '{rid}'{did_you_mean(rid, ids)}")


def _write(text: str | bytes, path: str | None) -> None:
    if isinstance(text, bytes):  # already UTF-8 with \n line ends
        if path:
            with open(path, "wb") as fh:
                fh.write(text)
        else:
            click.echo(text, nl=False)
    elif path:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    else:
        click.echo(text, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="kubelint-nodes")
def main() -> None:
    """Lint Kubernetes node-level workloads and predict where they run.

    \b
    kubelint-nodes lint [PATHS]...            lint manifests (default: .)
    kubelint-nodes place -i INVENTORY [PATHS] predict per-node placement
    kubelint-nodes rules                      list the rule catalogue
    kubelint-nodes explain RULE_ID            rationale, examples and fix of a rule
    kubelint-nodes fix [PATHS]                apply safe automatic fixes

    Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or tool error.
    """


@main.command()
@click.argument("paths", nargs=-1)
@_common
def lint(paths: tuple[str, ...], **kw: Any) -> None:
    """Lint files and directories (default: the current directory; '-' reads stdin).

    Directory walks read *.yaml, *.yml and *.json, and every file not starting
    with '.' inside static pod directories (any directory ending in
    etc/kubernetes/manifests or named static-pods, plus --static-pod-dir).
    """
    from .gcpause import gc_paused

    # One pause for the run and the report: re-enabling the collector in between made its next allocation
    # walk everything the run had built (0.13 s on a 1,000-file tree).
    with gc_paused():
        code = _lint(paths, kw)
    sys.exit(code)


def _lint(paths: tuple[str, ...], kw: dict[str, Any]) -> int:
    from .engine.registry import RuleFileError, load_catalogue
    from .lint import UsageError, run_lint
    from .reporters import renderer

    try:
        settings = build_settings(paths, kw)
        settings.color = settings.output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        catalogue = load_catalogue(settings.rules_dirs)
        _check_rule_ids(settings, catalogue.ids())
        result = run_lint(settings, catalogue)
    except (UsageError, RuleFileError) as exc:
        _fail(str(exc))
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug outside the per-file guard: one line, exit 2, never a traceback
        _internal_failure(exc, kw.get("debug"))
        return 2
    code = result.exit_code(settings.fail_on)
    for fmt, path in settings.reports:
        _write(renderer(fmt)(result, settings), path)
    _write(renderer(settings.fmt)(result, settings), settings.output)
    for trace in result.debug_traces:
        click.echo(trace, err=True)
    return code


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--workload", help="Explain the verdicts of one workload (name or namespace/name).")
@click.option("--node", help="Explain the verdicts on one node.")
@_common
def place(paths: tuple[str, ...], workload: str | None, node: str | None, **kw: Any) -> None:
    """Predict on which nodes of the inventory each workload runs, and why not elsewhere."""
    from .lint import UsageError

    try:
        settings = build_settings(paths, kw)
        if not settings.inventory:
            raise UsageError("place needs an inventory: -i FILE")
        from .placement.command import run_place
    except UsageError as exc:
        _fail(str(exc))
        return
    except ImportError:
        _fail("the placement engine is not available in this build")
        return
    from .gcpause import gc_paused

    with gc_paused():  # one pause over loading, placing and writing (see lint)
        code = run_place(settings, workload, node)
    sys.exit(code)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(("text", "json", "markdown")), default="text")
def rules_cmd(fmt: str) -> None:
    """List the rule catalogue."""
    from .catalogue_view import render_rules
    from .engine.registry import RuleFileError

    try:
        click.echo(render_rules(fmt), nl=False)
    except RuleFileError as exc:
        _fail(str(exc))


@main.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Show a rule's rationale, examples, fix, tags and parameters."""
    from .catalogue_view import render_explain
    from .engine.registry import RuleFileError, builtin_catalogue

    try:
        cat = builtin_catalogue()
    except RuleFileError as exc:
        _fail(str(exc))
        return
    if cat.get(rule_id) is None:
        _fail(f"unknown rule id '{rule_id}'{did_you_mean(rule_id, cat.ids())}")
    click.echo(render_explain(cat.rules[rule_id]), nl=False)


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--unsafe", is_flag=True, help="Also apply suggested fixes (they change behaviour: review them).")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of the fixes; write nothing.")
@click.option("--rule", "fix_rules", multiple=True, metavar="ID", help="Only fix findings of this rule (repeatable).")
@_common
def fix(paths: tuple[str, ...], unsafe: bool, show_diff: bool, fix_rules: tuple[str, ...], **kw: Any) -> None:
    """Apply automatic fixes in place (safe ones; --unsafe adds suggested ones). See docs/fix.md.

    Only the fixed lines change; comments, quoting, indentation, line endings
    and the BOM are kept, and writes are atomic. The result is linted again in
    memory: a fix that leaves its finding or adds an undeclared one is rolled
    back. Exit codes as for lint, on the findings that remain.
    """
    from .engine.registry import RuleFileError, load_catalogue
    from .lint import UsageError
    from .reporters import renderer

    try:
        settings = build_settings(paths, kw)
        if "-" in settings.paths:
            raise UsageError("fix edits files in place; standard input ('-') cannot be fixed")
        if show_diff and kw.get("fmt") and not settings.output:
            raise UsageError("--diff prints the diff on stdout; write the --format report with --output FILE")
        catalogue = load_catalogue(settings.rules_dirs)
        _check_rule_ids(settings, catalogue.ids())
        for rid in fix_rules:
            if rid not in catalogue.ids():
                _fail(f"--rule: unknown rule id '{rid}'{did_you_mean(rid, catalogue.ids())}")
        from .fix.report import diff, log_lines, summary
        from .fix.run import FixOptions, run_fix, write_changes

        result = run_fix(settings, catalogue, FixOptions(unsafe=unsafe, rules=tuple(fix_rules)))
        if not show_diff:
            write_changes(result)
        if settings.write_baseline:
            from dataclasses import replace

            from .lint import run_lint

            run_lint(replace(result.after_settings or settings, write_baseline=settings.write_baseline), catalogue)
    except (UsageError, RuleFileError) as exc:
        _fail(str(exc))
        return
    except OSError as exc:
        _fail(f"cannot write {getattr(exc, 'filename', None) or 'a file'}: {exc.strerror or exc}")
        return
    after, after_settings = result.after, result.after_settings or settings
    after_settings.fmt, after_settings.output = settings.fmt, settings.output
    log = log_lines(result, show_diff) + [summary(result, show_diff)]
    report_to_stdout = bool(kw.get("fmt")) and not settings.output and not show_diff
    if show_diff:
        click.echo(diff(result), nl=False)
    click.echo("\n".join(log), err=show_diff or report_to_stdout)
    for fmt, path in settings.reports:
        _write(renderer(fmt)(after, after_settings), path)
    if settings.output or report_to_stdout:
        _write(renderer(settings.fmt)(after, after_settings), settings.output)
    for trace in after.debug_traces:
        click.echo(trace, err=True)
    sys.exit(after.exit_code(settings.fail_on))


def entry() -> None:
    """The console script and ``python -m``: run, flush, and leave at once.

    Everything is written and flushed by then; skipping the interpreter's teardown (freeing every object
    a large run built, one last collection) is the last measurable cost of a big tree. In-process callers
    (tests, ``CliRunner``) call :func:`main` and keep the usual ``SystemExit``.
    """
    try:
        main()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:  # sys.exit("message") prints it and exits 1, as Python does
            print(exc.code, file=sys.stderr)
            code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (| head): nothing left to say
        pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
