"""TLS settings of the Kubernetes components: which cipher names they accept, which are weak.

The components accept the names of Go's ``tls.CipherSuites()`` and
``tls.InsecureCipherSuites()`` plus two legacy ChaCha20 spellings, and refuse
to start on any other name ("Cipher suite %s not supported or doesn't exist",
``k8s.io/component-base/cli/flag/ciphersuites_flag.go``). The lists below are
the "Preferred" and "Insecure" values of ``--tls-cipher-suites`` in the
kube-apiserver v1.35 reference.
"""

from __future__ import annotations

PREFERRED = frozenset({
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
})

INSECURE = frozenset({
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
    "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_RC4_128_SHA",
})

KNOWN = PREFERRED | INSECURE

TLS_VERSIONS = ("VersionTLS10", "VersionTLS11", "VersionTLS12", "VersionTLS13")

# The catalogue's definition of weak (kubelet-weak-tls): RC4, 3DES or CBC mode.
DEFAULT_WEAK_PATTERNS = ("RC4", "3DES", "CBC")


def classify(name: str, weak_patterns: list[str] | tuple[str, ...] = DEFAULT_WEAK_PATTERNS) -> str:
    """``unknown`` (the component refuses to start), ``weak`` or ``ok``."""
    if name not in KNOWN:
        return "unknown"
    if any(p and p.upper() in name.upper() for p in weak_patterns):
        return "weak"
    return "ok"
