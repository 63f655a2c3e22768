"""Turn YAML/JSON text into plain values plus a side table of source positions.

Why not ``yaml.load`` or a composer: PyYAML's C composer recurses in C and
segfaults around 30,000 nesting levels, and its Python constructor is the
slow half of loading. libyaml's *event stream* is iterative and cheap, so we
build plain dicts/lists from events in one Python loop, which also lets us
count depth and alias expansion, catch duplicate keys and refuse tags without
ever constructing an object. Measured on the synthetic benchmark corpus
(4 MB): C ``load_all`` 0.66 s, C ``compose_all`` 1.65 s, this builder 0.30 s.

Scalars are resolved the way Kubernetes resolves them (sigs.k8s.io/yaml on
go-yaml v2, i.e. YAML 1.1): unquoted ``on/off/yes/no/y/n`` are booleans,
``0777`` is an octal int, ``1_000`` is 1000, dates stay strings.

Positions are 1-based (line, column) in Unicode code points, the BOM not
counted, stored per container in ``positions[id(container)]``: a dict
key -> position of the key for mappings, a list of item positions for
sequences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Position = tuple[int, int]

_NULLS = {"", "~", "null", "Null", "NULL"}
# go-yaml v2 resolve.go resolve table (YAML 1.1 booleans, including y/n).
_BOOLS = {
    **{w: True for w in ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")},
    **{w: False for w in ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")},
}
_SPECIAL_FLOATS = {
    **{w: float("inf") for w in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")},
    **{w: float("-inf") for w in ("-.inf", "-.Inf", "-.INF")},
    **{w: float("nan") for w in (".nan", ".NaN", ".NAN")},
}
# go-yaml v2 yamlStyleFloat
_FLOAT_RE = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_INT64_MIN, _UINT64_MAX = -(2**63), 2**64 - 1

_STD_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD_TAG + t for t in ("str", "int", "float", "bool", "null", "binary", "timestamp")}
_CONTAINER_TAGS = {_STD_TAG + "map", _STD_TAG + "seq", _STD_TAG + "omap", _STD_TAG + "set"}


def _parse_go_int(s: str) -> int | None:
    """strconv.ParseInt(s, 0, 64) after go-yaml removed underscores (then ParseUint)."""
    body, sign = s, 1
    if body[:1] in "+-":
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if not body or not (body.isascii() and body.isalnum()):
        return None  # Python's int() would accept "0-1", " 7" or non-ASCII digits; Go's ParseInt does not
    low = body[:2].lower()
    try:
        if low == "0x":
            value = int(body[2:], 16)
        elif low == "0o":
            value = int(body[2:], 8)
        elif low == "0b":
            value = int(body[2:], 2)
        elif body[0] == "0" and len(body) > 1:
            value = int(body[1:], 8)
        elif body.isdigit():
            value = int(body)
        else:
            return None
    except ValueError:
        return None
    if not body[2:] and low in ("0x", "0o", "0b"):
        return None
    value *= sign
    if _INT64_MIN <= value <= _UINT64_MAX:
        return value
    return None


def resolve_plain(text: str) -> Any:
    """Resolve an untagged plain scalar as go-yaml v2 does."""
    if text in _NULLS:
        return None
    b = _BOOLS.get(text)
    if b is not None:
        return b
    first = text[0]
    if first in "0123456789+-.":
        plain = text.replace("_", "")
        if plain:
            iv = _parse_go_int(plain)
            if iv is not None:
                return iv
            if _FLOAT_RE.match(plain):
                try:
                    return float(plain)
                except ValueError:  # pragma: no cover - regex guarantees it parses
                    return text
        f = _SPECIAL_FLOATS.get(text)
        if f is not None:
            return f
    return text


# Resolved plain scalars, shared by every file of a run: keys and common values repeat across files.
_PLAIN_CACHE: dict[str, Any] = {}


def key_text(value: Any) -> str:
    """A mapping key as the JSON conversion in sigs.k8s.io/yaml names it."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


@dataclass
class Limits:
    """Bounds on what one file may cost; defaults follow the rule catalogue."""

    max_file_size: int = 10 * 1024 * 1024
    max_depth: int = 500
    max_nodes: int = 1_000_000
    max_documents: int = 10_000
    max_scalar_length: int = 1024 * 1024  # a ConfigMap is capped at 1 MiB by the API server anyway


@dataclass
class ParseIssue:
    rule: str
    message: str
    line: int
    column: int
    doc_index: int | None = None
    path: tuple = ()


@dataclass
class ParsedDocument:
    index: int
    data: Any
    positions: dict[int, Any]
    start: Position
    tags: list[tuple[str, tuple, Position]] = field(default_factory=list)

    # ``positions`` is keyed by id(container), which does not survive pickling (``--jobs`` sends documents
    # between processes): store the tables in a deterministic walk order instead and re-key on arrival.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["positions"] = [self.positions.get(id(c)) for c in _containers(self.data)]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        tables = state["positions"]
        pairs = zip(_containers(state["data"]), tables, strict=True)
        state["positions"] = {id(c): t for c, t in pairs if t is not None}
        self.__dict__.update(state)


def _containers(root: Any) -> list[Any]:
    """Every dict/list reachable from ``root``, each once, in depth-first order."""
    out: list[Any] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)) and id(node) not in seen:
            seen.add(id(node))
            out.append(node)
            children = node.values() if isinstance(node, dict) else node
            stack.extend(reversed([c for c in children if isinstance(c, (dict, list))]))
    return out


@dataclass
class ParseResult:
    documents: list[ParsedDocument]
    issues: list[ParseIssue]
    skipped: bool = False


class _LimitExceeded(Exception):
    def __init__(self, message: str, pos: Position):
        super().__init__(message)
        self.message = message
        self.pos = pos


class _BadAlias(Exception):
    def __init__(self, message: str, pos: Position):
        super().__init__(message)
        self.message = message
        self.pos = pos


def _error_position(exc: Exception, text: str) -> Position:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return mark.line + 1, mark.column + 1
    pos = getattr(exc, "position", None)
    if isinstance(pos, int):
        before = text[:pos]
        line = before.count("\n") + 1
        return line, pos - (before.rfind("\n") + 1) + 1
    return 1, 1


def _error_message(exc: Exception) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if problem:
        msg = f"{context}: {problem}" if context else str(problem)
    else:
        msg = str(exc).split("\n", 1)[0]
    return " ".join(msg.split())


def parse_yaml(text: str, limits: Limits | None = None) -> ParseResult:
    """Parse every document of ``text``; never raises for bad input."""
    import yaml
    from yaml import events as E
    from yaml._yaml import CParser

    limits = limits or Limits()
    SE, MS, ME = E.ScalarEvent, E.MappingStartEvent, E.MappingEndEvent
    SS, SEnd = E.SequenceStartEvent, E.SequenceEndEvent
    AE, DS, DE, STE = E.AliasEvent, E.DocumentStartEvent, E.DocumentEndEvent, E.StreamEndEvent
    docs: list[ParsedDocument] = []
    issues: list[ParseIssue] = []
    cache = _PLAIN_CACHE
    if len(cache) > 200_000:
        cache.clear()
    max_depth, max_nodes, max_docs = limits.max_depth, limits.max_nodes, limits.max_documents
    max_scalar = limits.max_scalar_length

    parser = CParser(text)
    get = parser.get_event
    doc_index = -1
    try:
        while True:
            ev = get()
            cls = ev.__class__
            if cls is STE:
                break
            if cls is not DS:
                continue
            doc_index += 1
            if doc_index >= max_docs:
                m = ev.start_mark
                raise _LimitExceeded(
                    f"more than {max_docs} documents in one file (limit max_documents)", (m.line + 1, m.column + 1)
                )
            positions: dict[int, Any] = {}
            tags: list[tuple[str, tuple, Position]] = []
            anchors: dict[str, tuple[Any, int]] = {}
            pending: set[str] = set()
            merges: dict[int, list] = {}
            stack: list[tuple] = []
            cur: Any = None
            curpos: Any = None
            key: Any = None
            kpos: Position = (1, 1)
            ismap = False
            anchor_frame: tuple | None = None
            count = 0
            root: Any = None
            root_start: Position = (1, 1)
            have_root = False

            while True:
                ev = get()
                cls = ev.__class__
                if cls is SE:
                    m = ev.start_mark
                    pos = (m.line + 1, m.column + 1)
                    count += 1
                    if len(ev.value) > max_scalar:
                        raise _LimitExceeded(
                            f"a scalar of {len(ev.value)} characters, over the {max_scalar} limit (max_scalar_length)",
                            pos)
                    tag = ev.tag
                    if ev.style == "" and (tag is None or tag == "!"):
                        v = ev.value
                        if tag == "!":
                            value: Any = v
                        else:
                            value = cache.get(v, cache)
                            if value is cache:
                                value = cache[v] = resolve_plain(v) if v else None
                    else:
                        value = ev.value
                        if tag is not None and tag != "!":
                            if tag in _SCALAR_TAGS:
                                if tag != _STD_TAG + "str" and tag != _STD_TAG + "binary":
                                    value = resolve_plain(value) if value else None
                            else:
                                tags.append((tag, _tag_path(stack, cur, ismap, key), pos))
                    if ev.anchor is not None:
                        anchors[ev.anchor] = (value, 1)
                    if count > max_nodes:
                        raise _LimitExceeded(
                            f"more than {max_nodes} nodes in one document after alias expansion (limit max_nodes)",
                            pos,
                        )
                    if not have_root and cur is None:
                        root, root_start, have_root = value, pos, True
                    elif ismap:
                        if key is None:
                            key = key_text(value) if not isinstance(value, str) else value
                            kpos = pos
                            continue
                        if key in cur and key != "<<":
                            issues.append(ParseIssue("yaml-duplicate-key", f"duplicate key '{key}'",
                                                     kpos[0], kpos[1], doc_index, _frame_path(stack, key)))
                        if key == "<<" and isinstance(value, (dict, list)):
                            merges.setdefault(id(cur), []).append((value, kpos))
                        else:
                            cur[key] = value
                            curpos[key] = kpos
                        key = None
                    else:
                        cur.append(value)
                        curpos.append(pos)
                elif cls is MS or cls is SS:
                    m = ev.start_mark
                    pos = (m.line + 1, m.column + 1)
                    count += 1
                    if ev.tag is not None and ev.tag != "!" and ev.tag not in _CONTAINER_TAGS:
                        tags.append((ev.tag, _tag_path(stack, cur, ismap, key), pos))
                    new: Any = {} if cls is MS else []
                    npos: Any = {} if cls is MS else []
                    positions[id(new)] = npos
                    if cur is None:
                        root, root_start, have_root = new, pos, True
                    elif ismap:
                        if key is None:
                            # A collection used as a mapping key: Kubernetes cannot express it.
                            raise _BadAlias("a mapping or sequence used as a mapping key", pos)
                        if key in cur and key != "<<":
                            issues.append(ParseIssue("yaml-duplicate-key", f"duplicate key '{key}'",
                                                     kpos[0], kpos[1], doc_index, _frame_path(stack, key)))
                        if key == "<<":
                            merges.setdefault(id(cur), []).append((new, kpos))
                        else:
                            cur[key] = new
                            curpos[key] = kpos
                    else:
                        cur.append(new)
                        curpos.append(pos)
                    stack.append((cur, curpos, key, ismap, anchor_frame))
                    if len(stack) > max_depth:
                        raise _LimitExceeded(f"nesting deeper than {max_depth} levels (limit max_depth)", pos)
                    anchor_frame = None
                    if ev.anchor is not None:
                        pending.add(ev.anchor)
                        anchor_frame = (ev.anchor, count - 1)
                    cur, curpos, key, ismap = new, npos, None, cls is MS
                    if count > max_nodes:
                        raise _LimitExceeded(
                            f"more than {max_nodes} nodes in one document after alias expansion (limit max_nodes)",
                            pos,
                        )
                elif cls is ME or cls is SEnd:
                    if ismap:
                        srcs = merges.pop(id(cur), None)
                        if srcs:
                            _apply_merges(cur, curpos, srcs)
                    if anchor_frame is not None:
                        name, before = anchor_frame
                        pending.discard(name)
                        anchors[name] = (cur, count - before)
                    done = cur
                    cur, curpos, key, ismap, anchor_frame = stack.pop()
                    if ismap:
                        key = None
                    if cur is None:
                        root = done
                elif cls is AE:
                    m = ev.start_mark
                    pos = (m.line + 1, m.column + 1)
                    name = ev.anchor
                    if name in pending:
                        raise _BadAlias(f"alias '*{name}' refers to a node that contains it", pos)
                    if name not in anchors:
                        raise _BadAlias(f"found undefined alias '*{name}'", pos)
                    value, size = anchors[name]
                    count += size
                    if count > max_nodes:
                        raise _LimitExceeded(
                            f"more than {max_nodes} nodes in one document after alias expansion (limit max_nodes)",
                            pos,
                        )
                    if cur is None:
                        root, root_start, have_root = value, pos, True
                    elif ismap:
                        if key is None:
                            key = key_text(value) if not isinstance(value, (dict, list)) else "<alias>"
                            kpos = pos
                            continue
                        if key == "<<":
                            merges.setdefault(id(cur), []).append((value, kpos))
                        else:
                            if key in cur:
                                issues.append(ParseIssue("yaml-duplicate-key", f"duplicate key '{key}'",
                                                         kpos[0], kpos[1], doc_index,
                                                         _frame_path(stack, key)))
                            cur[key] = value
                            curpos[key] = kpos
                        key = None
                    else:
                        cur.append(value)
                        curpos.append(pos)
                elif cls is DE:
                    docs.append(ParsedDocument(doc_index, root, positions, root_start, tags))
                    break
    except (_LimitExceeded, _BadAlias) as exc:
        rule = "yaml-limits-exceeded" if isinstance(exc, _LimitExceeded) else "yaml-syntax"
        issues.append(ParseIssue(rule, exc.message, exc.pos[0], exc.pos[1]))
        return ParseResult([], [i for i in issues if i.rule != "yaml-duplicate-key"], skipped=True)
    except yaml.YAMLError as exc:
        line, col = _error_position(exc, text)
        issues.append(ParseIssue("yaml-syntax", _error_message(exc), line, col))
    except RecursionError:  # pragma: no cover - the builder is iterative; kept as a last guard
        issues.append(ParseIssue("yaml-limits-exceeded", "nesting too deep", 1, 1))
        return ParseResult([], issues, skipped=True)
    finally:
        parser.dispose()
    return ParseResult(docs, issues)


def _frame_path(stack: list[tuple], key: Any) -> tuple:
    """The path of the current container's ``key`` from the document root, rebuilt from the open frames.

    Frame i (i >= 1) holds the parent container and the key (or, for a
    sequence, the last index) under which the next container was inserted.
    """
    parts: list[Any] = []
    for parent, _pos, pkey, pmap, _anchor in stack[1:]:
        parts.append(pkey if pmap else len(parent) - 1)
    parts.append(key)
    return tuple(parts)


def _tag_path(stack: list[tuple], cur: Any, ismap: bool, key: Any) -> tuple:
    """The path of the node being read (a tagged one): the inventory's ``!include`` needs to know where it is.

    A tagged mapping key gets the path of its mapping.
    """
    if cur is None:
        return ()
    if not ismap:
        return _frame_path(stack, len(cur))
    path = _frame_path(stack, key)
    return path if key is not None else path[:-1]


def _apply_merges(cur: dict, curpos: dict, sources: list) -> None:
    """YAML merge keys (``<<``), which go-yaml v2 honours: explicit keys win, then earlier sources."""
    for src, pos in sources:
        items = src if isinstance(src, list) else [src]
        for item in items:
            if isinstance(item, dict):
                for k, v in item.items():
                    if k not in cur:
                        cur[k] = v
                        curpos[k] = pos
