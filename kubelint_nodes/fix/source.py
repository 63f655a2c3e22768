"""A file's bytes as the editor sees them, and back: BOM, encoding and line endings survive.

Edits work on one normalised text (no BOM, ``\\n`` line breaks) so that every
position ruamel.yaml reports is a plain string index. Writing back re-encodes
with the original BOM and encoding and gives every unchanged line its original
ending, so a CRLF file stays CRLF and a mixed file stays exactly as mixed; new
lines take the file's dominant ending.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .model import CannotFix

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# YAML 1.1 also breaks lines at these; a split on "\n" would then number lines differently from the parser.
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


@dataclass
class Source:
    raw: bytes
    bom: bytes
    encoding: str
    text: str          # normalised: no BOM, "\n" only
    lines: list[str]   # original lines with their own endings (no BOM)
    newline: str       # the dominant ending, for new lines

    @classmethod
    def from_bytes(cls, raw: bytes) -> Source:
        bom, encoding = b"", "utf-8"
        for mark, enc in _BOMS:
            if raw.startswith(mark):
                bom, encoding = mark, enc
                break
        try:
            decoded = raw[len(bom):].decode(encoding)
        except UnicodeDecodeError:
            raise CannotFix(f"not valid {encoding.upper()}") from None
        lines = _split_lf(decoded)  # not str.splitlines, which also splits at \x0b, \x0c, \x1c-\x1e
        crlf = sum(1 for ln in lines if ln.endswith("\r\n"))
        lf = sum(1 for ln in lines if ln.endswith("\n")) - crlf
        text = decoded.replace("\r\n", "\n")
        if any(b in text for b in _OTHER_BREAKS):
            raise CannotFix("the file uses line breaks other than LF and CRLF")
        return cls(raw, bom, encoding, text, lines, "\r\n" if crlf > lf else "\n")

    def encode(self, text: str) -> bytes:
        """The bytes of ``text`` (normalised) with this file's BOM, encoding and line endings."""
        if text == self.text:
            return self.raw
        return self.bom + self.restore_endings(text).encode(self.encoding)

    def restore_endings(self, text: str) -> str:
        old = [ln.rstrip("\r\n") for ln in self.lines]
        new_lines = _split_lf(text)
        new = [ln.rstrip("\n") for ln in new_lines]
        out: list[str] = []
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for k in range(i2 - i1):
                    ending = self.lines[i1 + k][len(old[i1 + k]):]
                    if not new_lines[j1 + k].endswith("\n"):
                        ending = ""  # the new text ends here without a newline
                    elif not ending:
                        ending = self.newline  # a line that was last is now followed by more
                    out.append(new[j1 + k] + ending)
            else:
                for j in range(j1, j2):
                    out.append(new[j] + (self.newline if new_lines[j].endswith("\n") else ""))
        result = "".join(out)
        if self.lines and not self.lines[-1].endswith("\n") and result.endswith(self.newline):
            result = result[:-len(self.newline)]  # the file had no final newline: it still has none
        return result


def _split_lf(text: str) -> list[str]:
    if not text:
        return []
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out
