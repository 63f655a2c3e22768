"""``kubelint-nodes fix``: automatic fixes that never damage a file.

A rule declares its fix in ``rules/<id>.yaml`` under ``fixes:`` — declaratively
(set, add, rename, delete or quote a field) or as a Python fixer registered
under the rule id (:mod:`.fixers`). Each fix is ``safe`` (it makes the file mean
what it visibly says and changes nothing else a running system sees) or
``suggested`` (it changes behaviour; applied only with ``--unsafe``).

The pipeline, one module each: :mod:`.plan` turns findings into edit
operations, :mod:`.edit` applies them as text splices located by ruamel.yaml's
round-trip composer (so comments, quoting, indentation and every other line
stay byte-identical), :mod:`.verify` re-parses the result and checks that it
decodes to exactly the intended data, and :mod:`.run` re-lints the whole run
in memory and rolls back any fix that leaves its finding or adds an
undeclared one. ruamel.yaml is imported only here, and only for files that
have something to fix, so ``lint`` never pays for it.
"""

from __future__ import annotations

SAFE = "safe"
SUGGESTED = "suggested"
