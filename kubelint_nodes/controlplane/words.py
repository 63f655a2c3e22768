"""A container's argv as the process receives it, word by word, each word traced to its list item.

Two expansions happen before a program sees its arguments, and a static tool
must repeat them to read the flags the component really gets:

* the kubelet replaces ``$(VAR)`` in ``command`` and ``args`` with the
  container's environment variables; ``$$`` escapes a dollar; a reference to
  an undefined variable stays as written (Kubernetes
  ``third_party/forked/golang/expansion``, "Container command and arguments"
  in the API reference);
* an ``sh -c`` script is split into words by the shell, which also expands
  ``$VAR`` and strips quotes, redirections and command separators. We split
  with :mod:`shlex` in POSIX mode.

A value that depends on something only known at run time (``valueFrom``,
``envFrom``, a shell variable we cannot resolve) is marked ``unresolved`` so
that rules do not judge it.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    text: str
    key: str  # "command" | "args" | "env"
    index: int  # position of the list item that holds the word
    script: bool = False  # one word of an ``sh -c`` script
    unresolved: bool = False


@dataclass
class Environment:
    """The container's ``env``: literal values (expanded in order), and names only known at run time."""

    values: dict[str, str]
    runtime_names: set[str]
    has_env_from: bool
    items: list[tuple[int, str, str | None]]  # (index, name, literal value or None)

    def unknown(self, name: str) -> bool:
        return name in self.runtime_names or (self.has_env_from and name not in self.values)


def read_env(container: dict) -> Environment:
    values: dict[str, str] = {}
    runtime: set[str] = set()
    items: list[tuple[int, str, str | None]] = []
    env = container.get("env")
    has_env_from = bool(container.get("envFrom"))
    if isinstance(env, list):
        for i, item in enumerate(env):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            name = item["name"]
            raw = item.get("value")
            if item.get("valueFrom") is not None:
                runtime.add(name)
                values.pop(name, None)
                items.append((i, name, None))
                continue
            text = raw if isinstance(raw, str) else ("" if raw is None else None)
            if text is None:  # a non-string value is a schema error; the variable is unknown
                runtime.add(name)
                items.append((i, name, None))
                continue
            current = Environment(values, runtime, has_env_from, items)
            expanded, unresolved = expand_kubernetes(text, current)
            if unresolved:
                runtime.add(name)
                values.pop(name, None)
                items.append((i, name, None))
            else:
                runtime.discard(name)
                values[name] = expanded
                items.append((i, name, expanded))
    return Environment(values, runtime, has_env_from, items)


def expand_kubernetes(text: str, env: Environment) -> tuple[str, bool]:
    """``$(VAR)`` expansion as the kubelet does it; (result, depends on a run-time value)."""
    i = text.find("$")
    if i == -1:  # most words: nothing to expand
        return text, False
    out: list[str] = []
    unresolved = False
    start, n = 0, len(text)
    while i != -1 and i + 1 < n:
        nxt = text[i + 1]
        if nxt == "$":
            out.append(text[start:i + 1])
            start = i + 2
        elif nxt == "(" and (end := text.find(")", i + 2)) != -1:
            out.append(text[start:i])
            name = text[i + 2:end]
            if name in env.values:
                out.append(env.values[name])
            else:
                out.append(text[i:end + 1])
                unresolved = unresolved or env.unknown(name)
            start = end + 1
        else:
            out.append(text[start:i + 1])
            start = i + 1
        i = text.find("$", start)
    out.append(text[start:])
    return "".join(out), unresolved


def container_argv(container: dict, env: Environment) -> list[Word]:
    """``command`` then ``args``, expanded; non-string items (a schema error) are skipped."""
    words: list[Word] = []
    for key in ("command", "args"):
        items = container.get(key)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if not isinstance(item, str):
                continue
            text, unresolved = expand_kubernetes(item, env)
            words.append(Word(text, key, i, unresolved=unresolved))
    return words


# -- sh -c scripts ------------------------------------------------------------------
_SEPARATOR_CHARS = set(";&|()\n")
_PUNCTUATION = ";&|<>()\n"
_SHELL_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def _tokens(script: str) -> list[str]:
    text = script.replace("\\\n", " ")  # a backslash-newline continues the line
    lexer = shlex.shlex(text, posix=True, punctuation_chars=_PUNCTUATION)
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:  # unbalanced quotes: sh rejects the whole script, so it runs nothing
        return []


def _is_operator(token: str) -> bool:
    return bool(token) and all(ch in _PUNCTUATION for ch in token)


def script_commands(script: str) -> list[list[str]]:
    """The simple commands of a script, as word lists, redirections removed."""
    tokens = _tokens(script)
    commands: list[list[str]] = [[]]
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if _is_operator(tok):
            if "<" in tok or ">" in tok:  # a redirection: drop it, its target and an adjacent fd number
                cur = commands[-1]
                if cur and cur[-1].isdigit() and re.search(
                        r"(?<![^\s;&|(])" + re.escape(cur[-1] + tok), script):
                    cur.pop()
                i += 2
                continue
            if commands[-1]:
                commands.append([])
            i += 1
            continue
        commands[-1].append(tok)
        i += 1
    return [c for c in commands if c]


def expand_shell(word: str, env: Environment) -> tuple[str, bool]:
    """``$VAR`` / ``${VAR}`` from literal env values; anything else with a ``$`` is run-time only."""
    unresolved = False

    def sub(m: re.Match) -> str:
        nonlocal unresolved
        name = m.group(1) or m.group(2)
        if name in env.values:
            return env.values[name]
        unresolved = True
        return m.group(0)

    out = _SHELL_VAR.sub(sub, word)
    if "$" in _SHELL_VAR.sub("", out) and "$" in word:
        unresolved = True  # $(...), $1, `...` and friends
    return out, unresolved
