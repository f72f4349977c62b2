"""The final Word report in the national layout, filled into the reference document's styles."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

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
from .typeset import text_width

DRAFT_MARK = "草稿（未通过校验）"
CELL_MARGIN_TWIPS = 40


def date_text(date: dt.date) -> str:
    """GB/T 9704 §7.3.5.4: Arabic digits, full year, no leading zeros."""
    return f"{date.year}年{date.month}月{date.day}日"


def paragraphs(text: str) -> list[str]:
    """Alt+Enter lines become separate paragraphs; blank lines are dropped."""
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def signature_indents(signature: str, date: str) -> tuple[float, float]:
    """GB/T 9704 §7.3.5.2 (no seal): signature 右空二字, the date starting two characters to its
    right; when the date is the longer line, the date keeps 右空二字 and the signature moves left.
    Returns the right indents of signature and date, in characters."""
    sig, day = text_width(signature), text_width(date)
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

    def para(self, text: str, style: str, *, right_twips: int | None = None) -> None:
        p = OxmlElement("w:p")
        ppr = p.get_or_add_pPr()
        ppr.get_or_add_pStyle().val = style
        if right_twips is not None:
            ind = OxmlElement("w:ind")
            ind.set(qn("w:right"), str(right_twips))
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

    def table(self, table: spec.Table, figure: Callable[[str], str]) -> None:
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
        contents += [(f.row, f.col, 1, f.cols, figure(f.code), False)
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


# ---------------------------------------------------------------- content

#: Private-use characters mark the slots of a skeleton document; no clerk types them.
FIGURE_MARK, PARA_MARK = "\ue000", "\ue001"
SENTINEL_TIME = dt.datetime(1999, 9, 9, 9, 9, 9)
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ue000-\ue00f]")
_SIGN_TWIPS, _DATE_TWIPS = 9_990_001, 9_990_002


def clean(text: str) -> str:
    """Untrusted text made safe for XML (control characters and slot marks removed)."""
    return _INVALID_XML.sub("", text)


def _slot(name: str) -> str:
    return f"{PARA_MARK}{name}{PARA_MARK}"


def _assemble(b: _Builder, figure: Callable[[str], str], slot: Callable[[str], str]) -> None:
    """The report's order (national layout); ``slot`` names every report-specific paragraph."""
    b.para(slot("ORGAN"), docstyle.STYLE_TITLE)
    b.para(slot("TITLE"), docstyle.STYLE_TITLE)
    b.para(slot("TEXT_PREAMBLE"), docstyle.STYLE_BODY)
    for part in spec.PARTS:
        b.para(part.heading, docstyle.STYLE_H1)
        if part.table is not None:
            b.table(part.table, figure)
            continue
        for fld in spec.TEXT_FIELDS:
            if fld.part == part.heading:
                if fld.heading:
                    b.para(fld.heading, docstyle.STYLE_H2)
                b.para(slot(fld.code), docstyle.STYLE_BODY)
    b.para(slot("PERIOD"), docstyle.STYLE_BODY)
    b.para("", docstyle.STYLE_BODY)
    b.para(slot("SIGNATURE"), docstyle.STYLE_SIGN, right_twips=_SIGN_TWIPS)
    b.para(slot("DATE"), docstyle.STYLE_SIGN, right_twips=_DATE_TWIPS)


def _lines(report: Report) -> dict[str, list[str]]:
    """Every paragraph slot's lines for one report (an empty list drops the paragraph)."""
    title = report.display_title
    lines = {
        "ORGAN": [report.unit] if report.unit and report.unit not in title else [],
        "TITLE": [title],
        "PERIOD": [data_period(report.year) + website_sentence(report.website)],
        "SIGNATURE": [report.unit],
        "DATE": [date_text(report.date)] if report.date else [""],
    }
    for fld in spec.TEXT_FIELDS:
        lines[fld.code] = paragraphs(report.texts.get(fld.code, ""))
    return {k: [clean(line) for line in v] for k, v in lines.items()}


class Skeleton:
    """A styled document with every table, label and heading in place and marked slots, built
    once with python-docx; each report is then a few string substitutions and one zip write."""

    def __init__(self, draft: bool, reference: bytes | None, fonts: docstyle.Fonts | None):
        doc = Document(io.BytesIO(reference or docstyle.reference_bytes()))
        if fonts is not None:
            docstyle.apply_styles(doc, fonts)
        _assemble(_Builder(doc), lambda code: f"{FIGURE_MARK}{code}{FIGURE_MARK}", _slot)
        if draft:
            _draft_headers(doc)
        docstyle.fix_properties(doc, _slot("TITLE"), SENTINEL_TIME)
        buf = io.BytesIO()
        doc.save(buf)
        with zipfile.ZipFile(buf) as zf:
            self.members = [(info.filename, zf.read(info)) for info in zf.infolist()]
        self.document = dict(self.members)["word/document.xml"].decode("utf-8")
        self.core = dict(self.members)["docProps/core.xml"].decode("utf-8")
        self.paragraphs = {m.group(2): (m.group(1), m.group(3)) for m in _PARA.finditer(self.document)}

    def fill(self, report: Report) -> bytes:
        lines = _lines(report)

        def para(match: re.Match[str]) -> str:
            head, tail = match.group(1), match.group(3)
            return "".join(head + escape(line) + tail for line in lines[match.group(2)])

        body = _PARA.sub(para, self.document)
        body = _FIGURE.sub(lambda m: _figure_text(report, m.group(1)), body)
        sign, day = signature_indents(report.unit, lines["DATE"][0] or "2000年1月1日")
        body = body.replace(f'w:right="{_SIGN_TWIPS}"', f'w:right="{_twips(sign)}"')
        body = body.replace(f'w:right="{_DATE_TWIPS}"', f'w:right="{_twips(day)}"')
        when = dt.datetime.combine(report.date or dt.date(report.year + 1, 1, 1), dt.time())
        core = self.core.replace(_slot("TITLE"), escape(lines["TITLE"][0])).replace(
            SENTINEL_TIME.strftime("%Y-%m-%dT%H:%M:%SZ"), when.strftime("%Y-%m-%dT%H:%M:%SZ"))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in self.members:
                if name == "word/document.xml":
                    data = body.encode("utf-8")
                elif name == "docProps/core.xml":
                    data = core.encode("utf-8")
                zf.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data,
                            zipfile.ZIP_DEFLATED, compresslevel=1)
        return out.getvalue()


_PARA = re.compile(r"(<w:p>(?:(?!</w:p>).)*?<w:t[^>]*>)" + PARA_MARK + r"(\w+)" + PARA_MARK
                   + r"(</w:t>(?:(?!</w:p>).)*?</w:p>)", re.S)
_FIGURE = re.compile(FIGURE_MARK + r"(\w+)" + FIGURE_MARK)


def _twips(chars: float) -> int:
    return int(chars * docstyle.BODY_PT * 20)


@functools.lru_cache(maxsize=8)
def _skeleton(draft: bool, reference: bytes | None, fonts: docstyle.Fonts | None) -> Skeleton:
    return Skeleton(draft, reference, fonts)


def render_bytes(report: Report, *, draft: bool = False, reference: bytes | None = None,
                 fonts: docstyle.Fonts | None = None) -> bytes:
    """The report as the bytes of a .docx (same input, same bytes)."""
    return _skeleton(draft, reference, fonts).fill(report)


def render(report: Report, target: Path, **options) -> None:
    """Write the report's .docx atomically."""
    write_atomic(Path(target), render_bytes(report, **options))
