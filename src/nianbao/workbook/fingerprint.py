"""A fingerprint of a workbook's locked content (labels and formulas), stable across office saves."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

_STRING = re.compile(r'"(?:[^"]|"")*"')


@functools.lru_cache(maxsize=8192)
def normalise_formula(formula: str) -> str:
    """Spelling differences that WPS, Excel, LibreOffice and openpyxl introduce are folded away.

    Cached: every return of a round carries the same few thousand formulas."""
    text = formula.lstrip("=").replace("_xlfn.", "")
    pieces = []
    last = 0
    for match in _STRING.finditer(text):
        pieces.append(_fold(text[last:match.start()]))
        pieces.append(match.group())
        last = match.end()
    pieces.append(_fold(text[last:]))
    return "=" + "".join(pieces)


def _fold(code: str) -> str:
    return code.replace("$", "").replace("'", "").replace(" ", "").upper()


def normalise(content: object) -> str:
    """One cell's locked content as a canonical string."""
    if isinstance(content, str):
        if content.startswith("="):
            return normalise_formula(content)
        return content.replace("\r\n", "\n")
    if isinstance(content, bool):
        return str(content).upper()
    if isinstance(content, (int, float, Decimal)):
        try:
            value = Decimal(str(content))
        except InvalidOperation:
            return str(content)
        return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))
    return str(content)


def digest(entries: Iterable[tuple[str, str, object]]) -> str:
    """sha256 over (sheet, cell, content) of every locked cell, in a canonical order."""
    h = hashlib.sha256()
    for sheet, a1, content in sorted((s, a, normalise(c)) for s, a, c in entries):
        h.update(f"{sheet}\x1f{a1}\x1f{content}\x1e".encode())
    return h.hexdigest()[:32]
