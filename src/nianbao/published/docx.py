"""A Word report (.docx) as rows: its paragraphs, and its tables' rows of cells.

Read like a returned workbook: the zip's declared sizes checked first, the one part needed
(``word/document.xml``) parsed by the hardened parser that refuses any DOCTYPE. A merged cell
counts once (``gridSpan`` across, ``vMerge`` down) and keeps its place in the table's grid.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from ..errors import FileProblem, problem
from ..workbook.reader import ZIP_ERRORS, Package, check_members, parse_part
from .document import Cell, Document, Row, tidy

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BODY_PART = "word/document.xml"
MAX_DOCX = 50 * 1024 * 1024


def is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return any(n.lower() == BODY_PART for n in zf.namelist())
    except ZIP_ERRORS:
        return False


def read(path: Path) -> Document:
    if path.stat().st_size > MAX_DOCX:
        raise problem("PUBLISHED_TOO_LARGE", f"超过 {MAX_DOCX // 1024 // 1024} MB")
    try:
        with zipfile.ZipFile(path) as zf:
            check_members(zf)
            pkg = Package(zf)
            if BODY_PART not in pkg:
                raise problem("NOT_A_REPORT", "不是 Word 文档")
            root = parse_part(pkg, BODY_PART)
    except FileProblem:
        raise
    except zipfile.BadZipFile as exc:
        raise problem("TRUNCATED") from exc
    except (KeyError, etree.LxmlError, *ZIP_ERRORS) as exc:  # malformed or nested too deep
        raise problem("CORRUPT", type(exc).__name__) from exc
    doc = Document("docx")
    body = root.find(f"{W}body")
    if body is not None:
        _Walker(doc).block(body)
    return doc


class _Walker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.tables = 0

    def block(self, parent) -> None:
        for child in parent:
            if child.tag == f"{W}p":
                if child.find(f".//{W}drawing") is not None or child.find(f".//{W}pict") is not None:
                    self.doc.rows.append(Row((), image=True))
                text = _text(child)
                if text:
                    self.doc.rows.append(Row((Cell(text, ""),)))
            elif child.tag == f"{W}tbl":
                self.table(child)
            elif child.tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml"):
                self.block(child)  # content controls: their paragraphs and tables are the text

    def table(self, table) -> None:
        self.tables += 1
        number = self.tables
        for r, tr in enumerate(table.findall(f"{W}tr")):
            cells = []
            col = 0
            for tc in tr.findall(f"{W}tc"):
                props = tc.find(f"{W}tcPr")
                span = 1
                merged = False
                if props is not None:
                    grid = props.find(f"{W}gridSpan")
                    if grid is not None:
                        span = _int(grid.get(f"{W}val"))
                    vmerge = props.find(f"{W}vMerge")
                    merged = vmerge is not None and vmerge.get(f"{W}val", "continue") == "continue"
                if not merged:
                    text = tidy("".join(_text(p) for p in tc.iter(f"{W}p")))
                    cells.append(Cell(text, f"第{number}个表格第{r + 1}行第{col + 1}列"))
                col += span
            if cells:
                self.doc.rows.append(Row(tuple(cells), table=True))


def _int(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), 100)
    except ValueError:
        return 1


def _text(paragraph) -> str:
    """A paragraph's visible text: runs and inserted text, not deleted text or field codes."""
    pieces = []
    for el in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
        if any(a.tag in (f"{W}del", f"{W}instrText") for a in el.iterancestors(f"{W}del")):
            continue
        pieces.append(el.text or "" if el.tag == f"{W}t" else " ")
    return tidy("".join(pieces))
