"""gitignore-style globs on repository-relative POSIX paths (SPEC §7).

A pattern without ``/`` matches a name at any depth; one with ``/`` is
anchored at the repository root; ``**`` spans directories; a trailing ``/``
matches directories only (and so everything below them).
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
    dir_only = pattern.endswith("/")
    pat = pattern.rstrip("/")
    anchored = "/" in pat
    pat = pat.lstrip("/")
    out = []
    i = 0
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pat.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pat.find("]", i + 1)
            if j == -1:
                out.append(re.escape(c))
            else:
                out.append("[" + pat[i + 1 : j].replace("!", "^", 1) + "]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    # A match on a directory covers everything below it.
    suffix = "/.*" if dir_only else "(?:/.*)?"
    return re.compile("^" + prefix + body + suffix + "$")


def matches(path: str, pattern: str) -> bool:
    while path.startswith("./"):
        path = path[2:]
    return bool(_compile(pattern).match(path))


def matches_any(path: str, patterns: list[str]) -> bool:
    return any(matches(path, p) for p in patterns)
