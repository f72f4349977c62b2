"""The final Word report in the national layout, filled into the reference document's styles."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from decimal import Decimal
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from . import docstyle, spec
from .campaign import data_period, website_sentence
from .expr import fmt_number
from .files import write_atomic
from .report import Report

DRAFT_MARK = "草稿（未通过校验）"
CELL_MARGIN_TWIPS = 40


def date_text(date: dt.date) -> str:
    """GB/T 9704 §7.3.5.4: Arabic digits, full year, no leading zeros."""
    return f"{date.year}年{date.month}月{date.day}日"


def paragraphs(text: str) -> list[str]:
    """Alt+Enter lines become separate paragraphs; blank lines are dropped."""
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def _width(text: str) -> float:
    """Width in Chinese characters: CJK and full-width count 1, everything else ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def signature_indents(signature: str, date: str) -> tuple[float, float]:
    """GB/T 9704 §7.3.5.2 (no seal): signature 右空二字, the date starting two characters to its
    right; when the date is the longer line, the date keeps 右空二字 and the signature moves left.
    Returns the right indents of signature and date, in characters."""
    sig, day = _width(signature), _width(date)
    sign_right = 2.0
    date_right = sign_right + sig - 2 - day
    if date_right < 2:
        date_right = 2.0
        sign_right = date_right + day + 2 - sig
    return sign_right, date_right


class _Builder:
    def __init__(self, doc: DocumentObject) -> None:
        self.doc = doc
        self.body = doc.element.body
        self.sect = self.body.find(qn("w:sectPr"))
        for child in list(self.body):
            if child is not self.sect:
                self.body.remove(child)

    def _append(self, element) -> None:
        self.sect.addprevious(element)

    def para(self, text: str, style: str, *, right_chars: float | None = None) -> None:
        p = OxmlElement("w:p")
        ppr = p.get_or_add_pPr()
        ppr.get_or_add_pStyle().val = style
        if right_chars is not None:
            ind = OxmlElement("w:ind")
            ind.set(qn("w:right"), str(int(right_chars * docstyle.BODY_PT * 20)))
            ind.set(qn("w:firstLine"), "0")
            ppr.append(ind)
        if text:
            r = OxmlElement("w:r")
            t = OxmlElement("w:t")
            t.set(qn("xml:space"), "preserve")
            t.text = text
            r.append(t)
            p.append(r)
        self._append(p)

    def table(self, table: spec.Table, report: Report) -> None:
        size = docstyle.DENSE_TABLE_PT if table.n_cols >= 10 else docstyle.TABLE_PT
        doc_table = self.doc.add_table(rows=table.n_rows, cols=table.n_cols)
        self._append(doc_table._tbl)
        _table_properties(doc_table._tbl)
        total = sum(table.col_weights)
        widths = [Mm(docstyle.TEXT_WIDTH_MM * w / total) for w in table.col_weights]
        for i, column in enumerate(doc_table.columns):
            column.width = widths[i]
        rows = doc_table.rows
        for r, row in enumerate(rows):
            tr_pr = row._tr.get_or_add_trPr()
            tr_pr.append(OxmlElement("w:cantSplit"))
            if r < table.header_rows:
                tr_pr.append(OxmlElement("w:tblHeader"))
            for c, cell in enumerate(row.cells):
                cell.width = widths[c]
        grid = [[rows[r].cells[c] for c in range(table.n_cols)] for r in range(table.n_rows)]
        contents = [(lab.row, lab.col, lab.rows, lab.cols, lab.text,
                     lab.col == 2 and table is spec.T3 and lab.cols == 1) for lab in table.labels]
        contents += [(f.row, f.col, 1, f.cols, _figure_text(report, f.code), False)
                     for f in table.figures]
        for row, col, nrows, ncols, text, left in contents:
            cell = grid[row][col]
            if nrows > 1 or ncols > 1:
                cell = cell.merge(grid[row + nrows - 1][col + ncols - 1])
            _cell_text(cell, text, size, left)


def _figure_text(report: Report, code: str) -> str:
    value = report.figures.get(code)
    return fmt_number(value) if isinstance(value, Decimal) else "0"


def _cell_text(cell, text: str, size: float, left: bool) -> None:
    p = cell.paragraphs[0]
    ppr = p._p.get_or_add_pPr()
    ppr.get_or_add_pStyle().val = docstyle.STYLE_TABLE
    if left:
        jc = OxmlElement("w:jc")
        jc.set(qn("w:val"), "left")
        ppr.append(jc)
    run = p.add_run(text)
    run.font.size = Pt(size)
    tc_pr = cell._tc.get_or_add_tcPr()
    valign = OxmlElement("w:vAlign")
    valign.set(qn("w:val"), "center")
    tc_pr.append(valign)


def _table_properties(tbl) -> None:
    tbl_pr = tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tbl_pr.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tbl_pr.append(margins)
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), "center")
    tbl_pr.append(jc)


def _draft_headers(doc: DocumentObject) -> None:
    for section in doc.sections:
        for header in (section.header, section.even_page_header, section.first_page_header):
            header.is_linked_to_previous = False
            p = header.paragraphs[0]
            p.text = DRAFT_MARK
            p._p.get_or_add_pPr().get_or_add_pStyle().val = docstyle.STYLE_DRAFT


def build_document(report: Report, *, draft: bool = False, reference: bytes | None = None,
                   fonts: docstyle.Fonts | None = None) -> DocumentObject:
    doc = Document(io.BytesIO(reference or docstyle.reference_bytes()))
    if fonts is not None:
        docstyle.apply_styles(doc, fonts)
    b = _Builder(doc)
    title = report.display_title
    if report.unit and report.unit not in title:
        b.para(report.unit, docstyle.STYLE_TITLE)
    b.para(title, docstyle.STYLE_TITLE)
    for line in paragraphs(report.texts.get("TEXT_PREAMBLE", "")):
        b.para(line, docstyle.STYLE_BODY)
    for part in spec.PARTS:
        b.para(part.heading, docstyle.STYLE_H1)
        if part.table is not None:
            b.table(part.table, report)
            continue
        for fld in spec.TEXT_FIELDS:
            if fld.part != part.heading:
                continue
            if fld.heading:
                b.para(fld.heading, docstyle.STYLE_H2)
            for line in paragraphs(report.texts.get(fld.code, "")):
                b.para(line, docstyle.STYLE_BODY)
    b.para(data_period(report.year) + website_sentence(report.website), docstyle.STYLE_BODY)
    b.para("", docstyle.STYLE_BODY)
    signed = date_text(report.date) if report.date else ""
    sign_right, date_right = signature_indents(report.unit, signed or "2000年1月1日")
    b.para(report.unit, docstyle.STYLE_SIGN, right_chars=sign_right)
    b.para(signed, docstyle.STYLE_SIGN, right_chars=date_right)
    if draft:
        _draft_headers(doc)
    when = dt.datetime.combine(report.date or dt.date(report.year + 1, 1, 1), dt.time())
    docstyle.fix_properties(doc, title, when)
    return doc


def render_bytes(report: Report, **options) -> bytes:
    buf = io.BytesIO()
    build_document(report, **options).save(buf)
    return buf.getvalue()


def render(report: Report, target: Path, **options) -> None:
    """Write the report's .docx atomically."""
    write_atomic(Path(target), render_bytes(report, **options))
