"""kubelint-nodes: static analysis for Kubernetes node-level workloads."""

__version__ = "0.1.0"
