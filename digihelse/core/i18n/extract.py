"""The `pybabel extract` method for DigiHelse's Python (babel.cfg names it).

Babel's own Python extractor finds the calls (`t("key", lang)`, `T("key")`, `tn`, `P_`).
Services also hand a key to the page in data (`message_key = "booking.error.slot_taken"`,
a table of labels): a string literal that is a dotted key in one of the namespaces
babel.cfg lists is a message id too. A key built at run time (an f-string) is invisible,
so code writes each key out in full."""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterator
from typing import IO, Any

from babel.messages.extract import extract_python

from digihelse.core.i18n.families import FAMILIES

_KEY = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_+]+)+")
# Keyword arguments whose dotted strings are not texts ("personnel.id" is a column).
_NOT_TEXT_KEYWORDS = {"foreign_key"}


def extract(fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str],
            options: dict[str, Any]) -> Iterator[tuple[int, str | None, Any, list[str]]]:
    yield from extract_python(fileobj, keywords, comment_tags, options)
    fileobj.seek(0)
    namespaces = set(str(options.get("namespaces", "")).split())
    for lineno, key in literal_keys(fileobj.read().decode(), namespaces):
        yield lineno, None, key, []


def literal_keys(source: str, namespaces: set[str]) -> Iterator[tuple[int, str]]:
    """Every string literal in the source that is a message key in the namespaces."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # the parts of an f-string are not keys
            skip.update(id(part) for part in node.values)
        elif isinstance(node, ast.keyword) and node.arg in _NOT_TEXT_KEYWORDS:
            skip.add(id(node.value))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in skip and _KEY.fullmatch(node.value)
                and node.value not in FAMILIES  # the name of a family is not a message
                and node.value.split(".", 1)[0] in namespaces):
            yield node.lineno, node.value
