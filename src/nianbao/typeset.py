"""How wide text is, in Chinese characters: one rule for workbook row heights and report indents."""

from __future__ import annotations

import unicodedata


def text_width(text: str) -> float:
    """Width in Chinese characters: CJK and full-width count 1, everything else ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)
