"""Published reports (PDF, saved web page, Word) read back into the report model.

``document`` is the neutral form (rows of printed cells with their places); ``pdf``, ``html``
and ``docx`` make it from each kind of file; ``parse`` reads the report from it. ``read`` is
the one entry: it sniffs the kind, bounds the work, and returns a :class:`parse.Parsed`.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .parse import Parsed

# The readers (pdfium, lxml.html, the report parser) are imported when a published report is
# read: validating a workbook never pays for them.

KINDS = ("pdf", "html", "docx")
_HTML_MARKS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<title", b"<table",
               b"<div", b"<p>", b"<p ", b"<!--")


def kind_of(head: bytes, path: Path) -> str | None:
    """``pdf``, ``html``, ``docx`` or None, from the first bytes (and a zip's part names)."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # a page saved as "Unicode" (UTF-16)
        head = head[: len(head) // 2 * 2].decode("utf-16", "replace").encode("utf-8", "replace")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<") and any(mark in text for mark in _HTML_MARKS):
        return "html"
    if head.startswith(b"PK\x03\x04"):
        from . import docx

        return "docx" if docx.is_docx(path) else None
    return None


def _read(path: Path, kind: str, unit: str, year: int | None, level: str) -> Parsed:
    from . import parse

    reader = importlib.import_module(f"{__name__}.{kind}").read
    return parse.parse(reader(path), unit=unit, year=year, level=level)


def read(path: Path, kind: str, *, unit: str = "", year: int | None = None,
         level: str = "") -> Parsed:
    """One published report; a PDF is read in a child bounded in time and memory."""
    if kind == "pdf":
        # the reader imported before the child is forked, so that each forked child does
        # not import pdfium and the parser again
        from . import bounded, parse, pdf  # noqa: F401

        return bounded.run(_read, path, kind, unit, year, level)
    return _read(path, kind, unit, year, level)


def __getattr__(name: str) -> Any:
    if name == "Parsed":
        from .parse import Parsed

        return Parsed
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["KINDS", "Parsed", "kind_of", "read"]
