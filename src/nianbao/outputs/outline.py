"""The report as format-neutral blocks, in the national layout's order: the one place that knows
the report's order and its own sentences. Every renderer (docx, html, text) consumes these."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from .. import spec
from ..model.report import Report
from ..model.unit import Settings, Unit
from ..model.values import fmt_number

#: Paragraph roles a renderer styles: the issuing organ above the title, the title, body text,
#: and a （一）… heading a clerk wrote inside a part's text.
ORGAN, TITLE, BODY, SUBHEADING = "organ", "title", "body", "subheading"
#: GB/T 9704: 28 characters a line of 3号 body text; a 2号 title line holds 20.
LINE_CHARS = 28
TITLE_CHARS = 20
#: A table's text block is 156 mm; table text is 五号 (10.5 pt ≈ 3.7 mm a character).
TABLE_WIDTH_MM = 156.0
TABLE_CHAR_MM = 10.5 * 25.4 / 72
#: A table's type sizes, largest first: 五号, 小五, 六号. A table is set in the largest at which
#: every figure fits its column on one line and (表三) the whole table fits on one page.
TABLE_SIZES = (10.5, 9.0, 7.5)
#: A table taller than this (points) does not fit on a page (225 mm less a heading's room).
PAGE_BODY_PT = 600.0
CELL_PADDING_MM = 1.6
MIN_LABEL_MM = 24.0
#: What marks every page (docx header) or the top of the page (html) of a draft.
DRAFT_MARK = "草稿（未通过校验）"
#: Where the report-specific paragraphs come from: a text field's code, or one of these.
SLOT_ORGAN, SLOT_TITLE, SLOT_PERIOD = "ORGAN", "TITLE", "PERIOD"

#: What no output may carry: characters XML forbids, private-use ones, and the bidirectional
#: embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make a published
#: sentence read otherwise than it is stored.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ue000-\ue00f"
                          "\u202a-\u202e\u2066-\u2069]")


# ---------------------------------------------------------------- the report's own sentences


def default_preamble(unit: Unit, settings: Settings) -> str:
    """The prefilled 导语: legal basis, the round's notices, and the report's structure."""
    basis = f"和{settings.basis}" if settings.basis else ""
    headings = "、".join(p.heading.split("、", 1)[1] for p in spec.PARTS)
    return (
        f"本报告由{unit.name}根据《中华人民共和国政府信息公开条例》{basis}要求编制。"
        f"全文包括{headings}六个部分。"
    )


def data_period(year: int) -> str:
    return f"本报告中所列数据统计期限自{year}年1月1日起至{year}年12月31日止。"


def website_sentence(website: str) -> str:
    return f"如需了解更多政府信息，请登录{website}查询。" if website else ""


def date_text(date: dt.date) -> str:
    """GB/T 9704 §7.3.5.4: Arabic digits, full year, no leading zeros."""
    return f"{date.year}年{date.month}月{date.day}日"


def clean(text: str) -> str:
    """Untrusted text made safe for any output (control, private-use and bidirectional control
    characters removed)."""
    return _INVALID_XML.sub("", text)


_SUBHEADING = re.compile(r"^（[一二三四五六七八九十]+）[^。；]{1,30}[。]?$")


def is_subheading(line: str) -> bool:
    """（一）2023年度问题整改情况 — a heading of its own line, not （一）… followed by text."""
    return bool(_SUBHEADING.match(line))


def paragraphs(text: str) -> list[str]:
    """Alt+Enter lines become separate paragraphs; blank lines are dropped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [clean(line).strip() for line in lines if clean(line).strip()]


def text_width(text: str) -> float:
    """Width in Chinese characters: CJK and full-width count 1, everything else ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def rendered_width(text: str) -> float:
    """Width as Word and LibreOffice lay it out: ¼ character more at every switch between
    Chinese and Latin characters (LibreOffice ignores autoSpaceDE/DN)."""
    wide = [unicodedata.east_asian_width(ch) in "WF" for ch in text]
    switches = sum(1 for a, b in zip(wide, wide[1:], strict=False) if a != b)
    return text_width(text) + 0.25 * switches


def signature_indents(signature: str, date: str) -> tuple[float, float]:
    """GB/T 9704 §7.3.5.2 (no seal): the signature 右空二字, the date's first character two
    characters right of the signature's first; when the date is the longer line, the date
    keeps 右空二字 and the signature moves left. Returns the LEFT indents of both, in
    characters: a first character's place does not depend on how wide the line renders."""
    sign_left = LINE_CHARS - 2 - text_width(signature)
    date_left = sign_left + 2
    if date_left + rendered_width(date) > LINE_CHARS - 2:
        date_left = LINE_CHARS - 2 - rendered_width(date)
        sign_left = date_left - 2
    return max(sign_left, 0.0), max(date_left, 0.0)


#: Where a title may break: after the organ's name, its year, or a word of the fixed phrase.
_TITLE_WORDS = re.compile(r"(\d{4}年度?|政府信息公开|工作|年度报告|人民政府|办事处|委员会|"
                          r"[省市县区州盟旗乡镇]|街道)")


def title_pieces(title: str, unit: str = "") -> tuple[str, ...]:
    """The title cut at every place it may break (a page of any width breaks it only there)."""
    cuts = {m.end() for m in _TITLE_WORDS.finditer(title)}
    if unit and title.startswith(unit):
        cuts.add(len(unit))
    bounds = (0, *sorted(c for c in cuts if 0 < c < len(title)), len(title))
    return tuple(title[a:b] for a, b in itertools.pairwise(bounds))


def title_lines(title: str, unit: str = "") -> tuple[str, ...]:
    """GB/T 9704 §7.3.1: a title longer than a line breaks where words end (the organ's name,
    the year and 政府信息公开工作年度报告 are units), in a 梯形 or 菱形: the fewest lines,
    then the most even lengths (for three lines the middle one longest)."""
    if text_width(title) <= TITLE_CHARS:
        return (title,)
    cuts = {m.end() for m in _TITLE_WORDS.finditer(title)} | ({len(unit)} if unit and
                                                               title.startswith(unit) else set())
    points = sorted(c for c in cuts if 0 < c < len(title))
    best: tuple[float, tuple[str, ...]] | None = None
    for n in (1, 2):
        for chosen in itertools.combinations(points, n):
            bounds = (0, *chosen, len(title))
            lines = tuple(title[a:b] for a, b in itertools.pairwise(bounds))
            widths = [text_width(line) for line in lines]
            if max(widths) > TITLE_CHARS:
                continue
            shape = 0.0 if n == 1 or widths[1] >= max(widths) else 4.0
            score = (max(widths) - min(widths)) + shape
            if best is None or score < best[0]:
                best = (score, lines)
        if best is not None:
            return best[1]
    return (title,)  # no word boundary fits: the renderer breaks it


# ---------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of report-specific text; ``slot`` names where it comes from. A title's
    lines are separated by a line break (\\n)."""

    text: str
    role: str
    slot: str


@dataclass(frozen=True)
class Heading:
    """A fixed heading of the national layout: level 1 一、…, level 2 （一）…."""

    text: str
    level: int


@dataclass(frozen=True)
class Cell:
    """A table cell at its grid position with its span; ``code`` is set on a figure's cell."""

    row: int
    col: int
    rows: int
    cols: int
    text: str
    align: str = "center"
    header: bool = False
    code: str | None = None


@dataclass(frozen=True)
class Table:
    """One statutory table as a grid of cells with the national merges; a label's text holds
    a line break where the national table breaks it; ``widths`` in mm, from the content."""

    table: spec.Table
    cells: tuple[Cell, ...]
    widths: tuple[float, ...] = ()
    size: float = TABLE_SIZES[0]  # points


@dataclass(frozen=True)
class Signature:
    """The issuing organ and the date (GB/T 9704 §7.3.5.2), right indents in characters."""

    organ: str
    date: str
    organ_indent: float
    date_indent: float


Block = Paragraph | Heading | Table | Signature


def figure_text(report: Report, code: str) -> str:
    value = report.figures.get(code)
    return fmt_number(value) if isinstance(value, Decimal) else "0"


@functools.cache
def _label_cells(table: spec.Table) -> tuple[Cell, ...]:
    return tuple(Cell(lab.row, lab.col, lab.rows, lab.cols,
                      spec.LABEL_BREAKS.get(lab.text, lab.text),
                      "left" if table is spec.T3 and lab.col == 2 and lab.cols == 1 else "center",
                      header=lab.row < table.header_rows) for lab in table.labels)


def _widths(table: spec.Table, cells: tuple[Cell, ...], size: float = TABLE_SIZES[0]
            ) -> tuple[tuple[float, ...], bool]:
    """Every column wide enough for its widest unbreakable piece (a figure; a label's piece
    between allowed breaks); the widest label column takes what is left. When that is too
    little, label columns give way before a figure column does; whether every column got
    its need (no figure squeezed) is the second value."""
    char_mm = size * 25.4 / 72
    need = [0.0] * table.n_cols
    figure_cols = {c.col for c in cells if c.code and c.cols == 1}
    for cell in cells:
        if cell.cols == 1 and not (table is spec.T3 and cell.col == 2):
            piece = max(text_width(p) for p in cell.text.split("\n"))
            need[cell.col] = max(need[cell.col], piece * char_mm + CELL_PADDING_MM)
    weights = table.col_weights
    flexible = max(range(table.n_cols), key=lambda c: weights[c])
    need[flexible] = max(TABLE_WIDTH_MM - sum(need) + need[flexible], MIN_LABEL_MM)
    over = sum(need) - TABLE_WIDTH_MM
    labels = [c for c in range(table.n_cols) if c not in figure_cols]
    label_total = sum(need[c] for c in labels)
    if over > 0 and label_total > over:
        for c in labels:
            need[c] -= over * need[c] / label_total
    scale = min(1.0, TABLE_WIDTH_MM / sum(need))
    return tuple(round(w * scale, 2) for w in need), scale >= 0.999


def row_heights(block: Table) -> list[float]:
    """Each row's height (points), estimated from the wrapped lines of its single-row cells
    at single spacing (as LibreOffice and Word set a table) and the cell padding."""
    line = block.size * 1.17
    pad = 2 * CELL_PAD_PT
    char_mm = block.size * 25.4 / 72
    heights = [line + pad] * block.table.n_rows
    for cell in block.cells:
        width = sum(block.widths[cell.col:cell.col + cell.cols]) - CELL_PADDING_MM
        per_line = max(width / char_mm, 1.0)
        lines = sum(max(1, -(-text_width(p) // per_line)) for p in cell.text.split("\n"))
        heights[cell.row] = max(heights[cell.row], lines * line / cell.rows + pad)
    return heights


#: The cells' top and bottom padding (points), as the .docx sets it.
CELL_PAD_PT = 1.0


def table_block(table: spec.Table, report: Report) -> Table:
    """The table's labels (the same for every report), the report's figures, the widths, at
    the largest type size where every figure fits its column (and 表三 fits on a page)."""
    figures = tuple(Cell(f.row, f.col, 1, f.cols, figure_text(report, f.code), code=f.code)
                    for f in table.figures)
    cells = _label_cells(table) + figures
    for size in TABLE_SIZES:
        widths, fits = _widths(table, cells, size)
        block = Table(table, cells, widths, size)
        if fits and (table is not spec.T3 or sum(row_heights(block)) <= PAGE_BODY_PT):
            return block
    return block


def _texts(report: Report, code: str) -> list[Paragraph]:
    return [Paragraph(line, SUBHEADING if is_subheading(line) else BODY, code)
            for line in paragraphs(report.texts.get(code, ""))]


def states_period(report: Report) -> bool:
    """The unit's own text already gives the 统计期限 (the real 高凤镇 report does)."""
    return any("统计期限" in report.texts.get(f.code, "") for f in spec.TEXT_FIELDS)


def outline(report: Report) -> tuple[Block, ...]:
    """The whole report, in order: organ line, title, preamble, the six parts, signature."""
    title = clean(report.display_title)
    blocks: list[Block] = []
    if report.unit and report.unit not in title:
        blocks.append(Paragraph(clean(report.unit), ORGAN, SLOT_ORGAN))
    blocks.append(Paragraph("\n".join(title_lines(title, clean(report.unit))), TITLE, SLOT_TITLE))
    blocks += _texts(report, "TEXT_PREAMBLE")
    for part in spec.PARTS:
        blocks.append(Heading(part.heading, 1))
        if part.table is not None:
            blocks.append(table_block(part.table, report))
            continue
        for fld in spec.TEXT_FIELDS:
            if fld.part == part.heading:
                if fld.heading:
                    blocks.append(Heading(fld.heading, 2))
                blocks += _texts(report, fld.code)
    period = ("" if states_period(report) else data_period(report.year)) + website_sentence(
        report.website)
    if period:
        blocks.append(Paragraph(clean(period), BODY, SLOT_PERIOD))
    date = date_text(report.date) if report.date else ""
    organ = clean(report.unit)
    sign, day = signature_indents(organ, date or "2000年1月1日")
    blocks.append(Signature(organ, date, sign, day))
    return tuple(blocks)
