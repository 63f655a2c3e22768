"""KubeletConfiguration (kubelet.config.k8s.io/v1beta1): typing, defaults, drop-in merge, validation, rules.

A pure library: it reads plain values (decoded as the Kubernetes YAML 1.1 decoder would) and positions,
and returns findings with the document and path they belong to. ``kubelint_nodes.checks.kubelet`` wires
it into the rule engine; placement code uses :func:`effective_config` and :func:`node_settings`.
"""

from .effective import DEFAULT_EVICTION_HARD, EffectiveConfig, Layer, Origin, build
from .evaluate import (
    EFFECTIVE_RULES,
    EXPLICIT_RULES,
    SERVER_AUTH_RULES,
    KubeletFinding,
    effective_findings,
    explicit_findings,
)
from .fields import API_VERSION, KIND, KUBELET_CONFIGURATION
from .node import NodeKubeletSettings, node_settings
from .sources import dropin_files, effective_config, is_kubelet_config, read_layer

__all__ = [
    "API_VERSION",
    "DEFAULT_EVICTION_HARD",
    "EFFECTIVE_RULES",
    "EXPLICIT_RULES",
    "KIND",
    "KUBELET_CONFIGURATION",
    "SERVER_AUTH_RULES",
    "EffectiveConfig",
    "KubeletFinding",
    "Layer",
    "NodeKubeletSettings",
    "Origin",
    "build",
    "dropin_files",
    "effective_config",
    "effective_findings",
    "explicit_findings",
    "is_kubelet_config",
    "node_settings",
    "read_layer",
]
