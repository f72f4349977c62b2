"""The report as format-neutral blocks, in the national layout's order: the one place that knows
the report's order and its own sentences. Every renderer (docx, html, text) consumes these."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from .. import spec
from ..model.report import Report
from ..model.unit import Settings, Unit
from ..model.values import fmt_number

#: Paragraph roles a renderer styles: the issuing organ above the title, the title, body text.
ORGAN, TITLE, BODY = "organ", "title", "body"
#: Where the report-specific paragraphs come from: a text field's code, or one of these.
SLOT_ORGAN, SLOT_TITLE, SLOT_PERIOD = "ORGAN", "TITLE", "PERIOD"

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ue000-\ue00f]")


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
    """Untrusted text made safe for any output (control and private-use characters removed)."""
    return _INVALID_XML.sub("", text)


def paragraphs(text: str) -> list[str]:
    """Alt+Enter lines become separate paragraphs; blank lines are dropped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [clean(line).strip() for line in lines if clean(line).strip()]


def text_width(text: str) -> float:
    """Width in Chinese characters: CJK and full-width count 1, everything else ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


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


# ---------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of report-specific text; ``slot`` names where it comes from."""

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
    """One statutory table as a grid of cells with the national merges."""

    table: spec.Table
    cells: tuple[Cell, ...]


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
    return tuple(Cell(lab.row, lab.col, lab.rows, lab.cols, lab.text,
                      "left" if table is spec.T3 and lab.col == 2 and lab.cols == 1 else "center",
                      header=lab.row < table.header_rows) for lab in table.labels)


def table_block(table: spec.Table, report: Report) -> Table:
    """The table's labels (the same for every report) and the report's figures."""
    figures = tuple(Cell(f.row, f.col, 1, f.cols, figure_text(report, f.code), code=f.code)
                    for f in table.figures)
    return Table(table, _label_cells(table) + figures)


def _texts(report: Report, code: str) -> list[Paragraph]:
    return [Paragraph(line, BODY, code) for line in paragraphs(report.texts.get(code, ""))]


def outline(report: Report) -> tuple[Block, ...]:
    """The whole report, in order: organ line, title, preamble, the six parts, signature."""
    title = clean(report.display_title)
    blocks: list[Block] = []
    if report.unit and report.unit not in title:
        blocks.append(Paragraph(clean(report.unit), ORGAN, SLOT_ORGAN))
    blocks.append(Paragraph(title, TITLE, SLOT_TITLE))
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
    period = data_period(report.year) + website_sentence(report.website)
    blocks.append(Paragraph(clean(period), BODY, SLOT_PERIOD))
    date = date_text(report.date) if report.date else ""
    organ = clean(report.unit)
    sign, day = signature_indents(organ, date or "2000年1月1日")
    blocks.append(Signature(organ, date, sign, day))
    return tuple(blocks)
