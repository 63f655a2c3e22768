"""``kubelint-nodes place -i INVENTORY [PATHS...]``: read the inputs, place, print, and pick the exit code.

Exit codes (SPEC §3): 0 prediction printed; 1 some workload runs on no node (a DaemonSet, static pod or pinned
Pod running nowhere, a Pod feasible nowhere); 2 usage errors, a missing path, an invalid inventory, an
unknown ``--workload``/``--node``.  Files that cannot be parsed place nothing and are named on stderr (``lint``
reports them); the prediction is still printed.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterable

from ..settings import Settings

PLACE_FORMATS = ("text", "json")
_LOAD_PROBLEMS = ("yaml-syntax", "file-unreadable", "yaml-limits-exceeded", "internal-error")


def _error(message: str) -> int:
    print(f"kubelint-nodes: error: {message}", file=sys.stderr)
    return 2


def _internal(exc: Exception, settings: Settings) -> int:
    """An unexpected failure: one line and exit 2 (SPEC §3, §9); ``--debug`` adds the traceback."""
    if settings.debug:
        traceback.print_exc()
    cause = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    return _error(f"internal error while placing: {cause} (run with --debug for the traceback)")


def _write(chunks: Iterable[str], path: str | None) -> None:
    if path:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            for chunk in chunks:
                fh.write(chunk)
    else:
        out = sys.stdout
        for chunk in chunks:
            out.write(chunk)
        out.flush()


def filtered_report(result, workload: str | None, node: str | None) -> dict:
    """The JSON report narrowed to the drill-down's workloads and/or node (still schema-valid)."""
    from .report import build_report
    from .text import find_node, find_workloads

    return build_report(result, workloads=find_workloads(result, workload) if workload is not None else None,
                        node=find_node(result, node) if node is not None else None)


def render(result, fmt: str, workload: str | None, node: str | None) -> Iterable[str]:
    """The report in ``fmt``; raises LookupError for an unknown drill-down name."""
    if fmt == "json":
        if workload is None and node is None:
            from .report import iter_json

            return iter_json(result)
        from .report import iter_indented

        return [*iter_indented(filtered_report(result, workload, node)), "\n"]
    from .text import render_text

    return [render_text(result, workload=workload, node=node)]


def run_place(settings: Settings, workload: str | None = None, node: str | None = None) -> int:
    from ..inventory.load import load_inventory
    from ..lint import UsageError, safe_load
    from ..loader.files import discover
    from .collect import collect_placement

    outputs = [(settings.fmt, settings.output)] + list(settings.reports)
    for fmt, _path in outputs:
        if fmt not in PLACE_FORMATS:
            return _error(f"place writes {' or '.join(PLACE_FORMATS)}, not {fmt!r}")
    if not settings.inventory:
        return _error("place needs an inventory: -i FILE")
    try:
        inventory = load_inventory(settings.inventory, settings)
        discovery = discover(settings)
        if discovery.missing:
            raise UsageError(f"path does not exist: {discovery.missing[0]}")
    except UsageError as exc:
        return _error(str(exc))
    traces: list[str] = []
    loaded = [safe_load(f, settings, traces) for f in discovery.files]
    for lf in loaded:
        for issue in lf.issues:
            if issue.rule in _LOAD_PROBLEMS:
                print(f"kubelint-nodes: warning: {lf.file.display}:{issue.line}:{issue.column}: {issue.message} "
                      "(nothing placed from it; run lint)", file=sys.stderr)
    try:
        result = collect_placement(inventory, loaded, settings).result
        for fmt, path in outputs[1:]:
            _write(render(result, fmt, workload, node), path)
        _write(render(result, settings.fmt, workload, node), settings.output)
    except (KeyError, IndexError) as exc:  # LookupErrors, but bugs rather than an unknown drill-down name
        return _internal(exc, settings)
    except LookupError as exc:
        return _error(str(exc.args[0]) if exc.args else str(exc))
    except OSError as exc:
        return _error(f"cannot write {getattr(exc, 'filename', None) or 'the report'}: {exc.strerror or exc}")
    except Exception as exc:  # noqa: BLE001 - SPEC §9: never a traceback
        return _internal(exc, settings)
    finally:
        for trace in traces:
            print(trace, file=sys.stderr)
    return 1 if result.runs_nowhere() else 0
