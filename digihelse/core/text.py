"""Free text from people (notes, questions, reasons) as it is stored and shown: the
characters that hide or reorder what others read are removed, the same way everywhere.

Removed: control characters other than the line break and tab (NUL, escape …), and the
bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), with
which "gnp.exe" can be made to read as "exe.png". Kept: letters of every script,
emoji (with their joiners), line breaks. The result is NFC-normalised and trimmed."""

from __future__ import annotations

import re
import unicodedata

_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNWANTED = re.compile(
    "[" + "".join(chr(c) for c in range(32) if chr(c) not in "\n\t") + "\x7f-\x9f"
    + _BIDI_CONTROLS + "]")


def plain_text(value: str) -> str:
    """The text without hidden controls, with \\n line breaks, NFC, trimmed."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _UNWANTED.sub("", text)).strip()


def optional_text(value: str | None) -> str | None:
    """plain_text, with None for nothing left."""
    return plain_text(value or "") or None
