"""ruamel.yaml's round-trip composer as a map of the source: nodes with exact start and end indexes.

The composer builds the node graph without constructing anything (so tags and
duplicate keys do not stop it) and keeps each node's marks, which is all the
editor needs to splice text in place. Keys are identified the way the
project's loader (go-yaml v2 semantics) identifies them, so a path from a
finding finds the same entry; where a key repeats, the last one counts, as for
every other rule.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..loader.yamlparse import key_text, resolve_plain
from .model import CannotFix


def compose_all(text: str) -> list[Any]:
    """Every document's root node (None for an empty document); ``CannotFix`` if ruamel cannot read it."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="rt")
    try:
        return list(yaml.compose_all(text))
    except (YAMLError, ValueError, TypeError) as exc:
        first = " ".join(str(exc).split())[:160]
        raise CannotFix(f"ruamel.yaml cannot read the file for editing: {first}") from None


def document_span(text: str, index: int) -> tuple[int, int, int]:
    """The text of document ``index`` (start, end, 0-based first line).

    From the line where it starts (its ``---``, if any) to the line where the
    next one starts. Composing only that slice keeps edits of big
    multi-document files cheap; columns are unchanged because the slice starts
    at a line start.
    """
    import yaml
    from yaml._yaml import CParser

    starts: list[int] = []
    parser = CParser(text)
    try:
        while True:
            ev = parser.get_event()
            if isinstance(ev, yaml.DocumentStartEvent):
                starts.append(ev.start_mark.line)
            elif isinstance(ev, yaml.StreamEndEvent):
                break
    except yaml.YAMLError:
        raise CannotFix("the file is not valid YAML") from None
    finally:
        parser.dispose()
    if not 0 <= index < len(starts):
        raise CannotFix("the document is missing")
    offsets = _line_offsets(text)
    begin = offsets[starts[index]] if starts[index] < len(offsets) else len(text)
    if index + 1 < len(starts):
        nxt = starts[index + 1]
        end = offsets[nxt] if nxt < len(offsets) else len(text)
    else:
        end = len(text)
    if end <= begin:
        raise CannotFix("two documents share a line")
    return begin, end, starts[index]


def _line_offsets(text: str) -> list[int]:
    out = [0]
    i = text.find("\n")
    while i >= 0:
        out.append(i + 1)
        i = text.find("\n", i + 1)
    return out


def kind(node: Any) -> str:
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    if isinstance(node, MappingNode):
        return "map"
    if isinstance(node, SequenceNode):
        return "seq"
    if isinstance(node, ScalarNode):
        return "scalar"
    return "other"


def is_plain(node: Any) -> bool:
    return kind(node) == "scalar" and node.style is None


def plain_value(node: Any) -> Any:
    """A scalar as the Kubernetes decoder reads it: plain scalars resolved as YAML 1.1, quoted ones strings."""
    if is_plain(node):
        return resolve_plain(node.value) if node.value else None
    return node.value


def key_of(node: Any) -> str | None:
    if kind(node) != "scalar":
        return None
    value = plain_value(node)
    return value if isinstance(value, str) else key_text(value)


def to_plain(node: Any, depth: int = 0) -> Any:
    """The decoded value of a subtree (for comparing two values of a duplicate key)."""
    if depth > 200:
        raise CannotFix("nesting too deep to compare")
    k = kind(node)
    if k == "map":
        return {key_of(kn): to_plain(vn, depth + 1) for kn, vn in node.value}
    if k == "seq":
        return [to_plain(v, depth + 1) for v in node.value]
    return plain_value(node)


def entry(node: Any, key: Any) -> tuple[Any, Any] | None:
    """(key node, value node) of ``key`` in a mapping node: the last occurrence, as the loader keeps it."""
    found = None
    merged = False
    for kn, vn in node.value:
        k = key_of(kn)
        if k == key:
            found = (kn, vn)
        elif k == "<<":
            merged = True
    if found is None and merged:
        raise CannotFix(f"'{key}' may come from a YAML merge key (<<); edit its anchor by hand")
    return found


def walk(root: Any, path: tuple) -> list[Any]:
    """The nodes along ``path`` that exist: ``[root, child, …]``; stops at the first missing part."""
    nodes = [root]
    node = root
    for part in path:
        k = kind(node)
        if isinstance(part, int):
            if k != "seq" or not 0 <= part < len(node.value):
                break
            node = node.value[part]
        else:
            if k != "map":
                break
            found = entry(node, part)
            if found is None:
                break
            node = found[1]
        nodes.append(node)
    return nodes


def json_like(root: Any) -> bool:
    """A JSON document: a flow mapping whose keys are double-quoted."""
    if kind(root) != "map" or not root.flow_style:
        return False
    return all(getattr(kn, "style", None) == '"' for kn, _ in root.value[:1])


def has_anchor(node: Any, depth: int = 0) -> bool:
    """Whether a subtree defines an anchor (editing it would also change every alias of it)."""
    if getattr(node, "anchor", None):
        return True
    if depth > 200:
        return True
    k = kind(node)
    if k == "map":
        return any(has_anchor(kn, depth + 1) or has_anchor(vn, depth + 1) for kn, vn in node.value)
    if k == "seq":
        return any(has_anchor(v, depth + 1) for v in node.value)
    return False


def refuse_shared(nodes: list[Any]) -> None:
    for n in nodes:
        if getattr(n, "anchor", None):
            raise CannotFix("the value is a YAML anchor or alias, shared with other places; edit it by hand")


def end_index(node: Any, text: str) -> int:
    """Index just after the node's last character of content (trailing comments and blank lines excluded)."""
    k = kind(node)
    if k == "map" and not node.flow_style:
        return max((max(end_index(kn, text), end_index(vn, text)) for kn, vn in node.value),
                   default=node.start_mark.index)
    if k == "seq" and not node.flow_style:
        return max((end_index(v, text) for v in node.value), default=node.start_mark.index)
    end = node.end_mark.index
    if k == "scalar" and node.style in ("|", ">"):
        header = text[node.start_mark.index:text.find("\n", node.start_mark.index)]
        if "+" not in header.split("#", 1)[0]:  # keep-chomping: trailing blank lines are content
            while end > node.start_mark.index and text[end - 1] in " \n":
                end -= 1
    return end


def dash_column(node: Any, text: str) -> int:
    """Column of the ``-`` that introduces a block sequence item."""
    i = node.start_mark.index - 1
    while i >= 0 and text[i] == " ":
        i -= 1
    if i < 0 or text[i] != "-":
        raise CannotFix("unusual sequence layout (item not on its dash line)")
    return i - (text.rfind("\n", 0, i) + 1)


def line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def starts_line(node: Any, text: str) -> bool:
    """Whether only spaces precede the node on its line (a block mapping key not on a ``-`` line)."""
    start = node.start_mark.index
    return not text[line_start(text, start):start].strip(" ")


def layout(root: Any, text: str) -> tuple[int, int]:
    """(mapping indent step, sequence dash offset) most used in the document; (2, 0) when it has none."""
    steps: Counter = Counter()
    offsets: Counter = Counter()
    stack = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        k = kind(node)
        if k == "map":
            for kn, vn in node.value:
                vk = kind(vn)
                if vk == "map" and not vn.flow_style and vn.value and \
                        vn.value[0][0].start_mark.line != kn.start_mark.line:
                    steps[vn.value[0][0].start_mark.column - kn.start_mark.column] += 1
                elif vk == "seq" and not vn.flow_style and vn.value:
                    try:
                        offsets[dash_column(vn.value[0], text) - kn.start_mark.column] += 1
                    except CannotFix:
                        pass
                stack.append(vn)
        elif k == "seq":
            stack.extend(node.value)
    return _most_common(steps, 2, lambda s: s > 0), _most_common(offsets, 0, lambda o: o >= 0)


def _most_common(counter: Counter, default: int, valid: Any) -> int:
    """The most frequent valid value; the smallest one on a tie."""
    items = [(n, v) for v, n in counter.items() if valid(v)]
    if not items:
        return default
    best = max(n for n, _ in items)
    return min(v for n, v in items if n == best)
