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
    """One cell's locked content as a canonical string; '' means the cell holds nothing.

    Office saves differ in what they keep of text: an empty string is dropped by one program
    and kept by another, line ends become CRLF, spaces around a value are trimmed by some.
    So text is compared without surrounding white space, and empty text is no content at all."""
    if isinstance(content, str):
        if content.startswith("="):
            return normalise_formula(content)
        return content.replace("\r\n", "\n").replace("\r", "\n").strip()
    if isinstance(content, bool):
        return str(content).upper()
    if isinstance(content, (int, float, Decimal)):
        try:
            value = Decimal(str(content))
        except InvalidOperation:
            return str(content)
        return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))
    return str(content)


def digest(entries: Iterable[tuple[str, str, object]], keep_empty: bool = False) -> str:
    """sha256 over (sheet, cell, content) of every locked cell that holds something, in a
    canonical order: a cell whose content normalises to '' counts as absent on both sides."""
    h = hashlib.sha256()
    canonical = ((s, a, normalise(c)) for s, a, c in entries)
    for sheet, a1, content in sorted(e for e in canonical if e[2] or keep_empty):
        h.update(f"{sheet}\x1f{a1}\x1f{content}\x1e".encode())
    return h.hexdigest()[:32]
