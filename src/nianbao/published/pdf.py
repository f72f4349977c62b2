"""A PDF's text layer as printed lines, through pdfium (pypdfium2).

pdfium gives every character with its box, at C speed; lines are rebuilt here from where the
characters stand (top to bottom, left to right), not from the order the exporter wrote them,
and a line's words are cut where the gap is wider than half a character, so the cells of a
table row come apart while a justified sentence stays whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..errors import problem
from .document import Cell, Document, Row

MAX_PAGES = 300
#: Characters on all pages below which a PDF has no text layer worth the name (a scan).
MIN_CHARS = 40
WORD_GAP = 0.5  # of the line's character height
INDENT = 1.5  # characters of indent that start a paragraph
_PAGE_NUMBER = re.compile(r"^(?:[-—–－‐\s]*\d+[-—–－‐\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|"
                          r"\d+\s*/\s*\d+)$")


@dataclass
class _Char:
    ch: str
    left: float
    bottom: float
    right: float
    top: float


MAX_PDF = 64 * 1024 * 1024


def read(path: Path) -> Document:
    """The PDF's printed lines; a PDF without text is ``NO_TEXT_LAYER``."""
    if path.stat().st_size > MAX_PDF:
        raise problem("PUBLISHED_TOO_LARGE", f"超过 {MAX_PDF // 1024 // 1024} MB")
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise problem("PDF_ENCRYPTED") from exc
        raise problem("PDF_CORRUPT", str(exc)) from exc
    try:
        pages = len(pdf)
        if pages > MAX_PAGES:
            raise problem("TOO_MANY_PAGES", f"{pages} 页")
        doc = Document("pdf")
        total = 0
        short: list = [True, 0.0]  # the last line ended short of the margin; its height
        for index in range(pages):
            try:
                page = pdf[index]
            except pdfium.PdfiumError as exc:  # a page tree pdfium cannot walk (a cycle)
                raise problem("PDF_CORRUPT", f"第{index + 1}页无法打开") from exc
            try:
                chars = _chars(page)
                total += len(chars)
                if _has_image(page):
                    doc.image_pages.add(index + 1)
                doc.rows.extend(_lines(chars, index + 1, short))
            finally:
                page.close()
    finally:
        pdf.close()
    if total < MIN_CHARS:
        raise problem("NO_TEXT_LAYER")
    return doc


def _has_image(page: pdfium.PdfPage) -> bool:
    return next(iter(page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2)),
                None) is not None


def _chars(page: pdfium.PdfPage) -> list[_Char]:
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count)
        if len(text) != count:  # characters outside the BMP: one at a time
            text = "".join(textpage.get_text_range(i, 1)[:1] or " " for i in range(count))
        chars = []
        for i, ch in enumerate(text):
            if ch.isspace() or ch == "\ufffe":
                continue
            left, bottom, right, top = textpage.get_charbox(i)
            if top <= bottom:  # punctuation squeezed at a line end has an empty box
                left, bottom, right, top = textpage.get_charbox(i, loose=True)
            if top > bottom:
                chars.append(_Char(ch, left, bottom, max(right, left), top))
        return chars
    finally:
        textpage.close()


def _lines(chars: list[_Char], page: int, short: list) -> list[Row]:
    """Characters grouped into lines by vertical overlap, lines top to bottom; a line starts a
    paragraph when it is indented or the line before (on this page or the last) ended short."""
    groups: list[list[_Char]] = []
    extents: list[tuple[float, float]] = []
    low = high = 0.0  # the current line's extent, kept as it grows (not rescanned per char)
    for ch in sorted(chars, key=lambda c: (-c.top, c.left)):
        if groups and _same_line(low, high, ch):
            groups[-1].append(ch)
            low, high = min(low, ch.bottom), max(high, ch.top)
            extents[-1] = (low, high)
        else:
            groups.append([ch])
            low, high = ch.bottom, ch.top
            extents.append((low, high))
    if not groups:
        return []
    lefts = sorted(min(c.left for c in g) for g in groups)
    rights = sorted(max(c.right for c in g) for g in groups)
    margin_left = lefts[len(lefts) // 10]
    margin_right = rights[-1 - len(rights) // 10]
    rows = []
    previous_short = short[0]
    for index, group in enumerate(groups):
        group.sort(key=lambda c: c.left)
        height = max(c.top - c.bottom for c in group) or 1.0
        words = _words(group, height, page)
        text = " ".join(w.text for w in words)  # figures of a table row stay apart: 0 1 2
        if (index in (0, len(groups) - 1) and _PAGE_NUMBER.match(text)) or not words:
            continue
        left, right = group[0].left, group[-1].right
        resized = abs(height - short[1]) > 0.2 * height  # a title above body text
        starts = previous_short or resized or left > margin_left + INDENT * height
        previous_short = right < margin_right - 2 * height
        short[1] = height
        rows.append(Row(tuple(words), starts=starts, page=page, top=extents[index][1],
                        bottom=extents[index][0]))
    short[0] = previous_short
    return rows


def _same_line(low: float, high: float, ch: _Char) -> bool:
    """Whether a character stands on the line spanning low..high: its box overlaps the line by
    at least half of the smaller height. Quotation marks and commas are boxed high or low in the
    em (“ sits above the middle of 三审三校), and must not start a line of their own; a line
    of tight leading overlaps the next by far less than half."""
    overlap = min(high, ch.top) - max(low, ch.bottom)
    return overlap >= 0.5 * min(high - low, ch.top - ch.bottom)


def _words(line: list[_Char], height: float, page: int) -> list[Cell]:
    words: list[list[_Char]] = []
    for ch in line:
        if words and ch.left - words[-1][-1].right <= WORD_GAP * height:
            words[-1].append(ch)
        else:
            words.append([ch])
    return [Cell("".join(c.ch for c in w), f"第{page}页", (w[0].left + w[-1].right) / 2)
            for w in words]
