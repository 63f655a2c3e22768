"""Command-line parsing as the components do it, and the effective value of each flag.

kube-apiserver, kube-controller-manager and kube-scheduler parse with
spf13/pflag through ``k8s.io/component-base/cli``: ``--name=value``,
``--name value`` (a non-boolean takes the next word whatever it looks like),
bare ``--name`` for booleans, positional words interspersed, ``--`` ends the
flags, ``_`` in a name is read as ``-`` (``cli.run`` installs
``cliflag.WordSepNormalizeFunc``), and the last occurrence of a scalar flag
wins while a string-slice flag appends its comma-separated values.

etcd parses with Go's ``flag`` package: one or two dashes, the same
``=``/next-word rules, but parsing stops at the first non-flag word; a flag
not on the command line may come from ``ETCD_<NAME>`` in the environment
(the command line wins).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from . import versions as V
from .words import Environment, Word

TRUE_WORDS = frozenset({"1", "t", "T", "TRUE", "true", "True"})
FALSE_WORDS = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def parse_bool(text: str) -> bool | None:
    """strconv.ParseBool: None for anything else (the component refuses to start)."""
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


@dataclass
class Occurrence:
    """One setting of a flag: its normalised name, value and the words that carry it."""

    name: str
    value: str | None  # None: a non-boolean flag without a value
    words: list[Word]
    bare: bool = False  # ``--flag`` with no value (booleans)
    env_name: str | None = None  # set when the value comes from an environment variable

    @property
    def unresolved(self) -> bool:
        return any(w.unresolved for w in self.words)

    @property
    def word(self) -> Word:
        return self.words[0]

    def shown(self) -> str:
        """The setting as written, for messages."""
        if self.env_name:
            return f"{self.env_name}={self.value}"
        if len(self.words) > 1:
            return f"{self.words[0].text} {self.words[1].text}"
        return self.word.text


@dataclass
class ParsedFlags:
    occurrences: list[Occurrence] = field(default_factory=list)
    positional: list[Word] = field(default_factory=list)
    bad: list[Word] = field(default_factory=list)  # words the parser would refuse (unknown shorthand, ...)


def _takes_next(nxt: Word | None) -> bool:
    if nxt is None:
        return False
    t = nxt.text
    if t.startswith("-") and len(t) > 1:
        return t[1:].replace(".", "", 1).isdigit()  # a negative number is a value, "-x" a flag
    return True


def parse_pflag(component: str, words: list[Word]) -> ParsedFlags:
    bools = V.BOOL_FLAGS.get(component, frozenset())
    out = ParsedFlags()
    i = 0
    while i < len(words):
        w = words[i]
        t = w.text
        nxt = words[i + 1] if i + 1 < len(words) else None
        if t == "--":
            out.positional.extend(words[i + 1:])
            break
        if t.startswith("--") and len(t) > 2:
            name, eq, value = t[2:].partition("=")
            name = name.replace("_", "-")
            if eq:
                out.occurrences.append(Occurrence(name, value, [w]))
            elif name in bools or name == "version":
                out.occurrences.append(Occurrence(name, "true", [w], bare=True))
            elif _takes_next(nxt):
                assert nxt is not None
                out.occurrences.append(Occurrence(name, nxt.text, [w, nxt]))
                i += 1
            else:
                out.occurrences.append(Occurrence(name, None, [w]))
        elif t.startswith("-") and len(t) > 1:
            letter, rest = t[1], t[2:]
            if letter == "v":  # klog's -v shorthand: -v=2, -v2, -v 2
                if rest.startswith("="):
                    out.occurrences.append(Occurrence("v", rest[1:], [w]))
                elif rest:
                    out.occurrences.append(Occurrence("v", rest, [w]))
                elif _takes_next(nxt):
                    assert nxt is not None
                    out.occurrences.append(Occurrence("v", nxt.text, [w, nxt]))
                    i += 1
                else:
                    out.occurrences.append(Occurrence("v", None, [w]))
            elif letter == "h" and not rest:
                out.occurrences.append(Occurrence("help", "true", [w], bare=True))
            else:
                out.bad.append(w)
        else:
            out.positional.append(w)
        i += 1
    return out


def parse_goflag(component: str, words: list[Word]) -> ParsedFlags:
    bools = V.BOOL_FLAGS.get(component, frozenset())
    out = ParsedFlags()
    i = 0
    while i < len(words):
        w = words[i]
        t = w.text
        if t == "--":
            out.positional.extend(words[i + 1:])
            break
        if not t.startswith("-") or t == "-":
            out.positional.extend(words[i:])  # Go's flag package stops at the first non-flag word
            break
        body = t[2:] if t.startswith("--") else t[1:]
        if not body or body[0] in "-=":
            out.bad.append(w)
            break
        name, eq, value = body.partition("=")
        if eq:
            out.occurrences.append(Occurrence(name, value, [w]))
        elif name in bools:
            out.occurrences.append(Occurrence(name, "true", [w], bare=True))
        elif i + 1 < len(words):
            out.occurrences.append(Occurrence(name, words[i + 1].text, [w, words[i + 1]]))
            i += 1
        else:
            out.occurrences.append(Occurrence(name, None, [w]))
        i += 1
    return out


def etcd_env_occurrences(env: Environment) -> list[Occurrence]:
    """``ETCD_FOO_BAR`` -> ``--foo-bar`` (etcd ``pkg/flags.SetFlagsFromEnv``)."""
    out = []
    for index, name, value in env.items:
        if not name.startswith("ETCD_") or len(name) <= 5:
            continue
        flag = name[5:].lower().replace("_", "-")
        word = Word(value if value is not None else f"$({name})", "env", index, unresolved=value is None)
        out.append(Occurrence(flag, word.text, [word], env_name=name))
    return out


def split_list(value: str) -> list[str]:
    """pflag reads a string slice with encoding/csv: commas, optional quotes, no trimming."""
    if value == "":
        return []
    try:
        rows = list(csv.reader([value]))
    except csv.Error:
        return value.split(",")
    return rows[0] if rows else []


class Flags:
    """The effective command line of one component."""

    def __init__(self, component: str, parsed: ParsedFlags, env: list[Occurrence] | None = None):
        self.component = component
        self.parsed = parsed
        self.by_name: dict[str, list[Occurrence]] = {}
        for occ in parsed.occurrences:
            self.by_name.setdefault(occ.name, []).append(occ)
        # the environment only fills flags the command line leaves unset (etcd)
        for occ in env or ():
            if occ.name not in self.by_name:
                self.by_name.setdefault(occ.name, []).append(occ)

    def all(self, name: str) -> list[Occurrence]:
        return self.by_name.get(name, [])

    def last(self, name: str) -> Occurrence | None:
        occs = self.by_name.get(name)
        return occs[-1] if occs else None

    def is_set(self, name: str) -> bool:
        return name in self.by_name

    def value(self, name: str) -> str | None:
        occ = self.last(name)
        return occ.value if occ is not None else None

    def items(self, name: str) -> list[tuple[str, Occurrence]]:
        """Every value of a slice flag, in order, with the occurrence that carries it."""
        out = []
        for occ in self.all(name):
            if occ.value is None:
                continue
            for item in split_list(occ.value):
                out.append((item, occ))
        return out
