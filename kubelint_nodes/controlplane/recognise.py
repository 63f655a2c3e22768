"""Which control-plane component a container runs, read from its argv, never from names or labels.

A pod named ``kube-apiserver`` may run anything, and kubescape's edited
minikube dump names an etcd pod ``kube-apiserver-minikube``; the process is
what the kubelet executes: ``command`` followed by ``args``. We recognise the
component when the executable's base name is the component's, directly, behind
a launcher (``go-runner``, ``tini``, ``env``, ``hyperkube apiserver``), or as
a simple command of an ``sh -c`` script. Only when there is no ``command`` and
the ``args`` begin with a flag do we fall back to the image name: the image's
own entrypoint then receives those flags (``b.gcr.io/kuar/etcd`` with
``args: [--name=etcd0, ...]``), and the finding says the component was
inferred from the image.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import versions as V
from .words import Environment, Word, expand_shell, script_commands

SHELLS = frozenset({"sh", "bash", "ash", "dash", "ksh", "zsh"})
LAUNCHERS = frozenset({"go-runner", "tini", "dumb-init", "env", "nice", "nohup", "ionice"})
SCRIPT_PREFIXES = frozenset({"exec", "command", "nohup", "env", "nice", "time", "builtin"})
HYPERKUBE = {
    "apiserver": V.APISERVER, "kube-apiserver": V.APISERVER,
    "controller-manager": V.CONTROLLER_MANAGER, "kube-controller-manager": V.CONTROLLER_MANAGER,
    "scheduler": V.SCHEDULER, "kube-scheduler": V.SCHEDULER,
}
_ARCH_SUFFIXES = ("-amd64", "-arm64", "-arm", "-ppc64le", "-s390x", "-386")


@dataclass
class Found:
    component: str
    how: str  # "command" | "args" | "script" | "image"
    exe: Word | None  # the word naming the executable (None when inferred from the image)
    words: list[Word]  # the component's own arguments


def basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def image_component(image: object) -> str | None:
    """``registry.k8s.io/etcd:3.6.5-0`` -> ``etcd``; arch-suffixed legacy names count too."""
    if not isinstance(image, str) or not image:
        return None
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    repo = last.split(":", 1)[0]
    for suffix in _ARCH_SUFFIXES:
        if repo.endswith(suffix):
            repo = repo[: -len(suffix)]
            break
    return repo if repo in V.COMPONENTS else None


def image_tag(image: object) -> str | None:
    if not isinstance(image, str):
        return None
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def _component_at(words: list[Word], i: int) -> tuple[str, int] | None:
    """(component, index of its first argument) if ``words[i]`` executes one."""
    if i >= len(words):
        return None
    exe = basename(words[i].text)
    if exe in V.COMPONENTS:
        return exe, i + 1
    if exe == "hyperkube" and i + 1 < len(words) and words[i + 1].text in HYPERKUBE:
        return HYPERKUBE[words[i + 1].text], i + 2
    return None


def _skip_launcher(words: list[Word], i: int) -> int:
    """Index of the program a launcher runs: past its options, ``--`` and ``env``'s assignments."""
    j = i + 1
    while j < len(words):
        t = words[j].text
        if t == "--":
            return j + 1
        if t.startswith("-") or ("=" in t and not t.startswith("/")):
            j += 1
            continue
        break
    return j


def _from_script(script: Word, env: Environment) -> Found | None:
    for cmd in script_commands(script.text):
        k = 0
        while k < len(cmd) and (cmd[k] in SCRIPT_PREFIXES or ("=" in cmd[k] and not cmd[k].startswith("-"))):
            k += 1
        if k >= len(cmd):
            continue
        exe = basename(cmd[k])
        start = k + 1
        if exe == "hyperkube" and k + 1 < len(cmd) and cmd[k + 1] in HYPERKUBE:
            component, start = HYPERKUBE[cmd[k + 1]], k + 2
        elif exe in V.COMPONENTS:
            component = exe
        else:
            continue
        words = []
        for tok in cmd[start:]:
            text, unresolved = expand_shell(tok, env)
            words.append(Word(text, script.key, script.index, script=True,
                              unresolved=unresolved or script.unresolved))
        return Found(component, "script", script, words)
    return None


def find(argv: list[Word], env: Environment, image: object, has_command: bool) -> Found | None:
    if not argv:
        return None
    i = 0
    if basename(argv[0].text) in LAUNCHERS:
        i = _skip_launcher(argv, 0)
    hit = _component_at(argv, i)
    if hit is not None:
        component, start = hit
        return Found(component, argv[i].key, argv[i], argv[start:])
    if i < len(argv) and basename(argv[i].text) in SHELLS:
        j, has_c = i + 1, False
        while j < len(argv) and argv[j].text[:1] in ("-", "+") and argv[j].text != "--":
            has_c = has_c or (argv[j].text[:1] == "-" and "c" in argv[j].text[1:])
            j += 1
        if has_c and j < len(argv):
            return _from_script(argv[j], env)
        return None
    if not has_command and argv[0].text.startswith("-"):
        component = image_component(image)
        if component is not None:
            return Found(component, "image", None, argv)
    return None
