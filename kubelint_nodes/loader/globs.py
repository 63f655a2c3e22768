"""gitignore-style globs on repository-relative POSIX paths (SPEC §7).

The semantics are git's (gitignore(5)), so that an ``exclude`` list reads like
the ``.gitignore`` beside it:

* a pattern without a ``/`` (a trailing one aside) matches a name at any
  depth; one with a ``/`` at the start or in the middle is anchored at the
  repository root (a leading ``./`` is read as ``/``);
* ``*`` and ``?`` never cross ``/``; ``[a-z]`` and ``[!a-z]`` are classes;
  ``\\`` escapes the next character;
* ``**`` as a whole segment spans directories (``**/x``, ``a/**``,
  ``a/**/b``); elsewhere it is a plain ``*``;
* a trailing ``/`` matches directories only;
* in a list, ``!pattern`` re-includes, the last matching pattern wins, and a
  path inside an excluded directory stays excluded ("it is not possible to
  re-include a file if a parent directory of that file is excluded").

Callers mark a directory by a trailing ``/`` on the path.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> tuple[re.Pattern[str], bool]:
    """(regex for the whole path, pattern matches directories only)."""
    pat = pattern
    dir_only = pat.endswith("/") and not pat.endswith("\\/")
    pat = pat.rstrip("/") if dir_only else pat
    while pat.startswith("./"):
        pat = "/" + pat[2:]
    anchored = "/" in pat
    pat = pat.lstrip("/")
    segments = pat.split("/")
    out: list[str] = []
    for n, seg in enumerate(segments):
        last = n == len(segments) - 1
        if seg == "**":
            # "a/**" matches everything inside a; "**/b" and "a/**/b" span zero or more directories.
            out.append(".*" if last else "(?:[^/]*/)*")
            continue
        out.append(_segment(seg) + ("" if last else "/"))
    body = "".join(out)
    prefix = "" if anchored else "(?:[^/]*/)*"
    return re.compile("^" + prefix + body + "$"), dir_only


def _segment(seg: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(seg):
        c = seg[i]
        if c == "\\" and i + 1 < len(seg):
            out.append(re.escape(seg[i + 1]))
            i += 2
            continue
        if c == "*":
            while i + 1 < len(seg) and seg[i + 1] == "*":
                i += 1
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = seg.find("]", i + 2 if seg[i + 1 : i + 2] in ("!", "^", "]") else i + 1)
            if j == -1:
                out.append(re.escape(c))
            else:
                body = seg[i + 1 : j]
                neg = body[:1] in ("!", "^")
                body = body[1:] if neg else body
                body = body.replace("\\", "\\\\")
                out.append("[" + ("^" if neg else "") + body + "]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def _strip(path: str) -> tuple[str, bool]:
    is_dir = path.endswith("/")
    path = path.rstrip("/")
    while path.startswith("./"):
        path = path[2:]
    return path, is_dir


def _hit(path: str, is_dir: bool, pattern: str) -> bool:
    regex, dir_only = _compile(pattern)
    if dir_only and not is_dir:
        return False
    return bool(regex.match(path))


def _verdict(path: str, is_dir: bool, patterns: list[str]) -> bool:
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        pat = pattern[1:] if negated else pattern
        if pat.startswith("\\!") or pat.startswith("\\#"):
            pat = pat[1:]
        if not pat or pat.startswith("#"):
            continue
        if excluded == negated and _hit(path, is_dir, pat):
            excluded = not negated
    return excluded


def matches_any(path: str, patterns: list[str]) -> bool:
    """Whether ``path`` (``dir/`` for a directory) is excluded by the gitignore-style ``patterns``."""
    if not patterns:
        return False
    path, is_dir = _strip(path)
    parts = path.split("/")
    for i in range(1, len(parts)):
        if _verdict("/".join(parts[:i]), True, patterns):
            return True
    return _verdict(path, is_dir, patterns)


def matches(path: str, pattern: str) -> bool:
    """Whether one pattern covers ``path``: the path itself or a directory above it."""
    return matches_any(path, [pattern])
