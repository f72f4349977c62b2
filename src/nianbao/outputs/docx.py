"""The report as a .docx in the national layout (GB/T 9704), rendered from the outline into the
reference document's styles."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from .. import spec
from ..errors import FileProblem, StyleError, problem
from ..model.report import Report
from ..outfile import write_atomic
from ..workbook.reader import MAX_FILE, ZIP_ERRORS, check_members
from . import docstyle, outline, schema

DRAFT_MARK = outline.DRAFT_MARK
CELL_MARGIN_TWIPS = 40
CELL_PAD_TWIPS = round(outline.CELL_PAD_PT * 20)  # above and below a cell's text
ROLE_STYLES = {outline.ORGAN: docstyle.STYLE_TITLE, outline.TITLE: docstyle.STYLE_TITLE,
               outline.BODY: docstyle.STYLE_BODY}
HEADING_STYLES = {1: docstyle.STYLE_H1, 2: docstyle.STYLE_H2}


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

    def para(self, text: str, style: str, *, left_twips: int | None = None,
             keep: bool = False, new_page: bool = False) -> None:
        p = OxmlElement("w:p")
        ppr = p.get_or_add_pPr()
        ppr.get_or_add_pStyle().val = style
        if keep:
            schema.put(ppr, "w:keepNext")
        if new_page:
            schema.put(ppr, "w:pageBreakBefore")
        if left_twips is not None:
            schema.put(ppr, "w:ind", left=str(left_twips), firstLine="0")
        if text:
            r = OxmlElement("w:r")
            t = OxmlElement("w:t")
            t.set(qn("xml:space"), "preserve")
            t.text = text
            r.append(t)
            p.append(r)
        self._append(p)

    def table(self, block: outline.Table) -> None:
        """One statutory table; a figure's cell holds its slot mark, filled per report. Rows
        never split; the table keeps together when it fits on a page, and otherwise breaks
        only between the table's top-level groups."""
        table = block.table
        doc_table = self.doc.add_table(rows=table.n_rows, cols=table.n_cols)
        self._append(doc_table._tbl)
        _table_properties(doc_table._tbl)
        widths = [Mm(w) for w in block.widths]
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
        keep = _kept_rows(block)
        grid = [[rows[r].cells[c] for c in range(table.n_cols)] for r in range(table.n_rows)]
        for item in block.cells:
            cell = grid[item.row][item.col]
            if item.rows > 1 or item.cols > 1:
                cell = cell.merge(grid[item.row + item.rows - 1][item.col + item.cols - 1])
            text = f"{FIGURE_MARK}{item.code}{FIGURE_MARK}" if item.code else item.text
            _cell_text(cell, text, item.align == "left",
                       keep=item.row + item.rows - 1 in keep, size=block.size)


def _kept_rows(block: outline.Table) -> set[int]:
    """Rows kept with the next one: all but the last when the table fits on a page; else the
    rows inside a merged group (a row label spanning several rows) and the header."""
    table = block.table
    last = table.n_rows - 1
    if sum(outline.row_heights(block)) <= outline.PAGE_BODY_PT:
        return set(range(last))
    keep = set(range(table.header_rows))
    spans = [(lab.row, lab.row + lab.rows - 1) for lab in table.labels
             if lab.rows > 1 and lab.row >= table.header_rows]
    for first, last in spans:  # the innermost groups (a part's items), not the whole results block
        if not any((a, b) != (first, last) and first <= a and b <= last for a, b in spans):
            keep |= set(range(first, last))
    return keep


def _cell_text(cell, text: str, left: bool, keep: bool, size: float) -> None:
    p = cell.paragraphs[0]
    ppr = p._p.get_or_add_pPr()
    ppr.get_or_add_pStyle().val = docstyle.STYLE_TABLE
    if keep:
        schema.put(ppr, "w:keepNext")
    if left:
        schema.put(ppr, "w:jc", val="left")
    for i, piece in enumerate(text.split("\n")):
        run = p.add_run(piece)
        if size != docstyle.TABLE_PT:  # a smaller size, so that every figure fits its column
            run.font.size = Pt(size)
        if i:
            run._r.insert(0 if run._r.rPr is None else 1, OxmlElement("w:br"))
    schema.put(cell._tc.get_or_add_tcPr(), "w:vAlign", val="center")


def _table_properties(tbl) -> None:
    tbl_pr = tbl.tblPr
    schema.put(tbl_pr, "w:tblLayout", type="fixed")
    borders = schema.put(tbl_pr, "w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    margins = schema.put(tbl_pr, "w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(CELL_MARGIN_TWIPS if side in ("left", "right") else CELL_PAD_TWIPS))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    schema.put(tbl_pr, "w:jc", val="center")


def _draft_headers(doc: DocumentObject) -> None:
    for section in doc.sections:
        for header in (section.header, section.even_page_header, section.first_page_header):
            header.is_linked_to_previous = False
            p = header.paragraphs[0]
            p.text = DRAFT_MARK
            p._p.get_or_add_pPr().get_or_add_pStyle().val = docstyle.STYLE_DRAFT


# ---------------------------------------------------------------- content

#: Private-use characters mark the slots of a skeleton document; no clerk types them (outline
#: removes them from every text).
FIGURE_MARK, PARA_MARK = "\ue000", "\ue001"
SENTINEL_TIME = dt.datetime(1999, 9, 9, 9, 9, 9)
_SIGN_TWIPS, _DATE_TWIPS = 9_990_001, 9_990_002
SLOT_SIGNATURE, SLOT_DATE = "SIGNATURE", "DATE"
SLOT_AUTHOR, SLOT_SUBJECT = "AUTHOR", "SUBJECT"
#: Long unbreakable runs (web addresses) get break opportunities, so the line before them is
#: not stretched letter by letter.
_URL = re.compile(r"(?:https?://|www\.)[\x21-\x7e]+")
_BREAK_AFTER = re.compile(r"((?<!/)/(?!/)|[.?&=_-])(?=[\x21-\x7e])")


def _breakable(text: str) -> str:
    return _URL.sub(lambda m: _BREAK_AFTER.sub("\\1\u200b", m.group()), text)


def _runs(text: str) -> str:
    """A paragraph's text as the inside of its run: line breaks as <w:br/>."""
    pieces = [escape(_breakable(piece)) for piece in text.split("\n")]
    return '</w:t><w:br/><w:t xml:space="preserve">'.join(pieces)

#: The outline with its report-specific text taken out: what a skeleton is built from.
Shape = tuple[tuple[object, ...], ...]


def _slot(name: str) -> str:
    return f"{PARA_MARK}{name}{PARA_MARK}"


def shape_of(blocks: tuple[outline.Block, ...]) -> Shape:
    """Consecutive paragraphs of one slot become one slot; tables and headings stay as they are."""
    shape: list[tuple[object, ...]] = []
    for block in blocks:
        if isinstance(block, outline.Paragraph):
            if not (shape and shape[-1][:2] == ("slot", block.slot)):
                role = block.role if block.role in (outline.ORGAN, outline.TITLE) else outline.BODY
                shape.append(("slot", block.slot, role))
        elif isinstance(block, outline.Heading):
            shape.append(("heading", block.level, block.text))
        elif isinstance(block, outline.Table):
            shape.append(("table", block.table.key, block.widths, block.size))
        else:
            shape.append(("signature",))
    return tuple(shape)


#: The table that starts a page when it fits on one: 表三 (28 rows) split anywhere leaves rows
#: without their group label, and neither Word nor LibreOffice reliably moves a whole table
#: by keep-with-next alone. 表二 and 表四 are short enough to keep together.
NEW_PAGE_TABLE = spec.T3.key


_TABLES = {t.key: t for t in spec.TABLES}


def _table(entry: tuple[object, ...]) -> outline.Table:
    block = outline.table_block(_TABLES[str(entry[1])], _NO_FIGURES)
    return dataclasses.replace(block, widths=entry[2], size=entry[3])  # type: ignore[arg-type]


def _starts_page(shape: Shape, i: int) -> bool:
    """Whether the heading at `i` introduces 表三 and that table fits on one page."""
    following = shape[i + 1] if i + 1 < len(shape) else ()
    return (bool(following) and following[0] == "table" and following[1] == NEW_PAGE_TABLE
            and sum(outline.row_heights(_table(following))) <= outline.PAGE_BODY_PT)


def _assemble(b: _Builder, shape: Shape) -> None:
    for i, entry in enumerate(shape):
        kind = entry[0]
        if kind == "slot":
            b.para(_slot(str(entry[1])), ROLE_STYLES[str(entry[2])])
        elif kind == "heading":
            b.para(str(entry[2]), HEADING_STYLES[int(entry[1])],  # type: ignore[call-overload]
                   new_page=_starts_page(shape, i))
        elif kind == "table":
            b.table(_table(entry))
        else:
            # GB/T 9704: 正文下空一行, then the signature and the date, kept on one page
            b.para("", docstyle.STYLE_BODY, keep=True)
            b.para(_slot(SLOT_SIGNATURE), docstyle.STYLE_SIGN, left_twips=_SIGN_TWIPS, keep=True)
            b.para(_slot(SLOT_DATE), docstyle.STYLE_SIGN, left_twips=_DATE_TWIPS)


_NO_FIGURES = Report(unit="", year=2000)


class Skeleton:
    """A styled document with every table, label and heading in place and marked slots, built
    once per outline shape with python-docx; each report is then a few string substitutions
    and one zip write."""

    def __init__(self, shape: Shape, draft: bool, reference: bytes | None,
                 fonts: docstyle.Fonts | None):
        doc = Document(io.BytesIO(reference or docstyle.reference_bytes()))
        if fonts is not None:
            docstyle.apply_styles(doc, fonts)
        _assemble(_Builder(doc), shape)
        if draft:
            _draft_headers(doc)
        for part in (doc.styles.element, doc.element):  # a reference's own order, too
            schema.reorder(part)
        docstyle.fix_properties(doc, _slot(outline.SLOT_TITLE), SENTINEL_TIME,
                                author=_slot(SLOT_AUTHOR), subject=_slot(SLOT_SUBJECT))
        buf = io.BytesIO()
        doc.save(buf)
        with zipfile.ZipFile(buf) as zf:
            self.members = [(info.filename, zf.read(info)) for info in zf.infolist()]
        self.document = dict(self.members)["word/document.xml"].decode("utf-8")
        self.core = dict(self.members)["docProps/core.xml"].decode("utf-8")
        # What every report shares (styles alone are 0.8 MB of XML) is compressed once: an
        # archive of those parts, to which each report appends its own two
        prefix = io.BytesIO()
        with zipfile.ZipFile(prefix, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in self.members:
                if name not in VARYING:
                    _put(zf, name, data)
        self.prefix = prefix.getvalue()

    def fill(self, report: Report, blocks: tuple[outline.Block, ...]) -> bytes:
        lines: dict[str, list[tuple[str, str]]] = {}
        figures: dict[str, str] = {}
        signature = outline.Signature("", "", 2.0, 2.0)
        for block in blocks:
            if isinstance(block, outline.Paragraph):
                lines.setdefault(block.slot, []).append((block.role, block.text))
            elif isinstance(block, outline.Table):
                figures.update((c.code, c.text) for c in block.cells if c.code)
            elif isinstance(block, outline.Signature):
                signature = block
        lines[SLOT_SIGNATURE] = [(outline.BODY, signature.organ)]
        lines[SLOT_DATE] = [(outline.BODY, signature.date)]

        def para(match: re.Match[str]) -> str:
            head, tail = match.group(1), match.group(3)
            out = []
            for role, text in lines.get(match.group(2), []):
                style = head if role != outline.SUBHEADING else head.replace(
                    f'w:val="{docstyle.STYLE_BODY}"', f'w:val="{docstyle.STYLE_H2}"', 1)
                out.append(style + _runs(text) + tail)
            return "".join(out)

        body = _PARA.sub(para, self.document)
        body = _FIGURE.sub(lambda m: figures.get(m.group(1), "0"), body)
        body = body.replace(f'w:left="{_SIGN_TWIPS}"', f'w:left="{_twips(signature.organ_indent)}"')
        body = body.replace(f'w:left="{_DATE_TWIPS}"', f'w:left="{_twips(signature.date_indent)}"')
        when = dt.datetime.combine(report.date or dt.date(report.year + 1, 1, 1), dt.time())
        title = lines.get(outline.SLOT_TITLE, [("", "")])[0][1].replace("\n", "")
        core = self.core
        for slot, value in ((outline.SLOT_TITLE, title), (SLOT_AUTHOR, report.unit),
                            (SLOT_SUBJECT, f"{report.year}年政府信息公开工作年度报告")):
            core = core.replace(_slot(slot), escape(outline.clean(value)))
        core = core.replace(SENTINEL_TIME.strftime("%Y-%m-%dT%H:%M:%SZ"),
                            when.strftime("%Y-%m-%dT%H:%M:%SZ"))
        out = io.BytesIO(self.prefix)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf:
            _put(zf, "word/document.xml", body.encode("utf-8"))
            _put(zf, "docProps/core.xml", core.encode("utf-8"))
        return out.getvalue()


#: The parts of a report's .docx that differ from report to report; they come last.
VARYING = ("word/document.xml", "docProps/core.xml")


def _put(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    zf.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED,
                compresslevel=1)


_PARA = re.compile(r"(<w:p>(?:(?!</w:p>).)*?<w:t[^>]*>)" + PARA_MARK + r"(\w+)" + PARA_MARK
                   + r"(</w:t>(?:(?!</w:p>).)*?</w:p>)", re.S)
_FIGURE = re.compile(FIGURE_MARK + r"(\w+)" + FIGURE_MARK)


def _twips(chars: float) -> int:
    """Characters of condensed 三号 body text, in twips."""
    return int(chars * (docstyle.BODY_PT * 20 + docstyle.CONDENSE_TWIPS))


@functools.lru_cache(maxsize=32)
def _skeleton(shape: Shape, draft: bool, reference: bytes | None,
              fonts: docstyle.Fonts | None) -> Skeleton:
    return Skeleton(shape, draft, reference, fonts)


def render_bytes(report: Report, *, draft: bool = False, reference: bytes | None = None,
                 fonts: docstyle.Fonts | None = None) -> bytes:
    """The report as the bytes of a .docx (same input, same bytes)."""
    blocks = outline.outline(report)
    if reference is None:
        return _skeleton(shape_of(blocks), draft, None, fonts).fill(report, blocks)
    try:
        _bounded(reference)
        skeleton = _skeleton(shape_of(blocks), draft, reference, fonts)
    except FileProblem as exc:
        raise StyleError(f"样式文档无法使用（{exc.message}），请换用 nianbao 生成的样式文档修改后再试"
                         ) from exc
    except (KeyError, etree.LxmlError, *ZIP_ERRORS) as exc:
        raise StyleError(f"样式文档无法使用（{type(exc).__name__}），"
                         "请换用 nianbao 生成的样式文档修改后再试") from exc
    return skeleton.fill(report, blocks)


def _bounded(reference: bytes) -> None:
    """A reference .docx is a file from outside: the workbook reader's bounds on size, parts and
    inflation hold before python-docx unpacks it (its parser resolves no entities)."""
    if len(reference) > MAX_FILE:
        raise problem("TOO_LARGE")
    with zipfile.ZipFile(io.BytesIO(reference)) as zf:
        check_members(zf)


def render(report: Report, target: Path, **options) -> None:
    """Write the report's .docx atomically."""
    write_atomic(Path(target), render_bytes(report, **options))
