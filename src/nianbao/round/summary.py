"""汇总.xlsx: who passed, who must fix what, who has not sent anything, and the key figures —
laid out for a clerk: what to read first on the left, 状态 in colour, links to the 退回件 and
the report, totals that follow a filter, every sheet frozen, filtered and printable."""

from __future__ import annotations

import datetime as dt
import io
import math
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from .. import spec
from ..outfile import write_atomic
from .outcomes import (
    CORRECTED,
    FAILED,
    KEY_CODES,
    MISSING,
    NOT_TEMPLATE,
    PASSED,
    SUPERSEDED,
    UNREADABLE,
    WARNED,
    BatchResult,
    Brief,
    FileOutcome,
    UnitRow,
)
from .results import ROUND_TUJIE, UNIT_STATES

#: (header, width) of 提交情况, in the order a clerk reads them.
STATUS_COLUMNS = (("序号", 6), ("单位", 34), ("状态", 14), ("错误数", 8), ("提示数", 8),
                  ("已说明", 8), ("报送次数", 9), ("最近报送", 19), ("首次报送", 19),
                  ("与上次相比", 40), ("退回件", 30), ("报告", 30), ("说明", 50), ("联系人", 10),
                  ("联系电话", 16), ("层级", 10), ("来源文件", 36))
FINDING_COLUMNS = (("单位", 30), ("文件", 30), ("级别", 12), ("表", 6), ("行", 24), ("列", 12),
                   ("单元格", 18), ("说明", 90), ("单位的说明", 30), ("规则代码", 26))
#: 状态 → (fill, font colour).
STATUS_COLOURS = {PASSED: ("#C6EFCE", "#006100"), CORRECTED: ("#C6EFCE", "#006100"),
                  WARNED: ("#FFEB9C", "#9C5700"), FAILED: ("#FFC7CE", "#9C0006"),
                  NOT_TEMPLATE: ("#FFC7CE", "#9C0006"), UNREADABLE: ("#FFC7CE", "#9C0006"),
                  MISSING: ("#D9D9D9", "#404040"), SUPERSEDED: ("#F2F2F2", "#808080")}


def _key_label(code: str) -> str:
    """A figure's full name: table, row and column as the national table prints them."""
    fig = spec.FIGURES[code]
    return f"{spec.FIGURE_TABLE[code].name} {fig.row_name} {fig.col_name}"


KEY_FIGURES = tuple((code, _key_label(code)) for code in KEY_CODES)


def _file_rows(result: BatchResult) -> list[tuple[str, FileOutcome]]:
    """Files that are not any unit's chosen submission: unreadable, superseded, not a
    template."""
    chosen = {id(r.outcome) for r in result.rows if r.outcome is not None}
    extra = [o for o in result.files if id(o) not in chosen
             and o.status in (UNREADABLE, SUPERSEDED, NOT_TEMPLATE)]
    return [(o.unit, o) for o in sorted(extra, key=lambda o: o.file)]


def _change(row: UnitRow) -> str:
    parts = []
    if row.fixed:
        parts.append(f"已改 {len(row.fixed)} 处")
    if row.new:
        parts.append(f"新增 {len(row.new)} 处：" + "；".join(row.new[:2]))
    return "，".join(parts)


def _unit_row(row: UnitRow) -> dict[str, object]:
    o = row.outcome
    values: dict[str, object] = {"单位": row.unit, "状态": row.status, "说明": row.note,
                                 "联系人": row.contact, "联系电话": row.phone, "层级": row.level,
                                 "报送次数": row.submissions, "最近报送": row.latest,
                                 "首次报送": row.first, "与上次相比": _change(row)}
    if o is not None:
        values.update({"错误数": o.result.errors, "提示数": o.result.warnings,
                       "已说明": o.result.explained, "退回件": o.returned, "报告": o.document,
                       "来源文件": o.file})
    return values


def _status_rows(result: BatchResult) -> list[dict[str, object]]:
    rows = [_unit_row(row) for row in result.rows]
    for unit, o in _file_rows(result):
        rows.append({"单位": unit, "状态": o.status, "错误数": o.result.errors,
                     "提示数": o.result.warnings, "来源文件": o.file, "说明": o.note,
                     "层级": o.brief.level if o.brief else ""})
    for i, r in enumerate(rows, start=1):
        r["序号"] = i
    return rows


def _finding_rows(result: BatchResult) -> list[tuple[bool, dict[str, object]]]:
    rows = []
    for o in sorted(result.files, key=lambda o: o.file):
        unit = o.brief.unit if o.brief else ""
        for f in o.result.to_dict()["findings"]:
            level = spec.SEVERITY_LABEL[f["severity"]] + ("（已说明）" if f.get("explained") else "")
            rows.append((f["severity"] == spec.ERROR, {
                "单位": unit, "文件": o.file, "级别": level, "规则代码": f["code"],
                "表": f["table"], "行": f["row"], "列": f["column"],
                "单元格": "、".join(f["cells"]), "说明": f["message"],
                "单位的说明": f.get("explained", "")}))
    return rows


#: The smallest print: the sheets' 11 pt text at no less than 8 pt.
FONT_PT, MIN_PRINT_PT = 11.0, 8.0
#: A4 landscape between 0.4-inch margins, in points.
PRINT_WIDTH_PT = (297 / 25.4 - 0.8) * 72


def print_scale(widths: list[float]) -> int:
    """The print scale (percent) that fits the columns to one page width, but never below
    8 pt: a column of width w (characters) is about 7w + 5 pixels, 0.75 pt each."""
    total = sum((7 * w + 5) * 0.75 for w in widths)
    fit = int(100 * PRINT_WIDTH_PT / total) if total else 100
    floor = math.ceil(100 * MIN_PRINT_PT / FONT_PT) + 1  # office programs round the scaled size
    return max(floor, min(100, fit))


class _Book:
    def __init__(self, year: int | None) -> None:
        self.buf = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buf, {"in_memory": True, "strings_to_formulas": False,
                                                 "strings_to_urls": False,
                                                 "strings_to_numbers": False})
        self.wb.set_properties({"title": "政府信息公开工作年度报告汇总", "author": "nianbao",
                                "created": dt.datetime((year or 1999) + 1, 1, 1)})
        self.head = self.wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                        "text_wrap": True, "valign": "vcenter"})
        self.cell = self.wb.add_format({"border": 1, "valign": "top", "text_wrap": True})
        self.error = self.wb.add_format({"border": 1, "valign": "top", "text_wrap": True,
                                         "bg_color": "#FFC7CE"})
        self.link = self.wb.add_format({"border": 1, "font_color": "#0563C1", "underline": 1})
        self.total = self.wb.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2"})
        self.status = {s: self.wb.add_format({"border": 1, "bg_color": bg, "font_color": fg})
                       for s, (bg, fg) in STATUS_COLOURS.items()}

    def sheet(self, name: str, columns, rows: list[dict[str, object]],
              flags: list[bool] | None = None, header_height: float = 30) -> Worksheet:
        ws = self.wb.add_worksheet(name)
        for c, (title, width) in enumerate(columns):
            ws.write_string(0, c, title, self.head)
            ws.set_column(c, c, width)
        ws.set_row(0, header_height)
        for r, values in enumerate(rows, start=1):
            plain = self.error if flags and flags[r - 1] else self.cell
            for c, (title, _) in enumerate(columns):
                self._write(ws, r, c, title, values.get(title, ""), plain)
        kept = 2 if name != "问题清单" else 1  # the unit (and its file or status) stays in view
        ws.freeze_panes(1, kept)
        ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
        ws.set_landscape()
        ws.set_paper(9)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        # Shrunk to one page width at most down to 8 pt; a wider sheet prints over several
        # pages, each repeating the header row and the unit's columns.
        ws.set_print_scale(print_scale([width for _, width in columns]))
        ws.repeat_rows(0)
        ws.repeat_columns(0, kept - 1)
        ws.set_footer("&C第 &P 页 共 &N 页")
        return ws

    def _write(self, ws: Worksheet, r: int, c: int, title: str, value: object, plain) -> None:
        if title in ("退回件", "报告") and value:
            ws.write_url(r, c, f"external:{value}", self.link, str(value))  # beside 汇总.xlsx
        elif title == "状态":
            ws.write_string(r, c, str(value), self.status.get(str(value), plain))
        elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            ws.write_number(r, c, float(value), plain)
        else:
            ws.write_string(r, c, str(value), plain)  # never a formula, whatever it starts with

    def close(self) -> bytes:
        self.wb.close()
        return self.buf.getvalue()


def _figures_sheet(book: _Book, result: BatchResult) -> None:
    """数据汇总: one row per unit with its 状态, then the totals below the filtered table:
    SUBTOTAL (what the filter shows) and the total over units without errors."""
    columns = (("单位", 34), ("状态", 14), *((label, 16) for _, label in KEY_FIGURES))
    rows = [{"单位": row.unit, "状态": row.status,
             **{label: brief.figures.get(code, Decimal(0)) for code, label in KEY_FIGURES}}
            for row, brief in _with_figures(result)]
    ws = book.sheet("数据汇总", columns, rows, header_height=90)
    last = len(rows)
    for offset, (label, kind) in enumerate((("合计（筛选后显示的单位）", "shown"),
                                            ("合计（不含有错误的单位）", "clean")), start=2):
        r = last + offset
        ws.write_string(r, 0, label, book.total)
        ws.write_string(r, 1, "", book.total)
        for c, (_, header) in enumerate(KEY_FIGURES, start=2):
            col = xlsxwriter.utility.xl_col_to_name(c)
            span = f"{col}2:{col}{last + 1}"
            values = [Decimal(str(rw[header])) for rw in rows
                      if kind == "shown" or rw["状态"] != FAILED]
            formula = (f"=SUBTOTAL(109,{span})" if kind == "shown"
                       else f'=SUMIF(B2:B{last + 1},"<>{FAILED}",{span})')
            ws.write_formula(r, c, formula, book.total, float(sum(values, Decimal(0))))


def _with_figures(result: BatchResult) -> list[tuple[UnitRow, Brief]]:
    """The units 数据汇总 lists: those whose submission was read."""
    return [(row, row.outcome.brief) for row in result.rows
            if row.outcome is not None and row.outcome.brief is not None
            and row.status != UNREADABLE]


def write_round_tujie(folder: Path, result: BatchResult, png: bool = True) -> None:
    """汇总-图解.svg (and .png): units by 状态, and the totals of the units without errors (the
    same units and figures as 数据汇总's 合计（不含有错误的单位）)."""
    from ..outputs import tujie

    states = [(state, n) for state in UNIT_STATES
              if (n := sum(1 for row in result.rows if row.status == state))]
    clean = [brief for row, brief in _with_figures(result) if row.status != FAILED]
    totals = {code: sum((Decimal(str(b.figures.get(code, 0))) for b in clean), Decimal(0))
              for code in tujie.ROUND_CODES}
    svg = tujie.render_round_svg(result.year, states, totals, len(clean))
    svg_name, png_name = ROUND_TUJIE
    write_atomic(folder / svg_name, svg)
    if png:
        write_atomic(folder / png_name, tujie.rasterise(svg))


def summary_bytes(result: BatchResult) -> bytes:
    book = _Book(result.year)
    book.sheet("提交情况", STATUS_COLUMNS, _status_rows(result))
    findings = _finding_rows(result)
    book.sheet("问题清单", FINDING_COLUMNS, [r for _, r in findings], [e for e, _ in findings])
    _figures_sheet(book, result)
    return book.close()


def write_summary(path: Path, result: BatchResult) -> None:
    write_atomic(path, summary_bytes(result))
