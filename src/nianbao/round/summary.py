"""汇总.xlsx: who passed, who must fix what, who has not sent anything, and the key figures."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from .. import spec
from ..outfile import write_atomic
from .outcomes import (
    KEY_CODES,
    SUPERSEDED,
    UNREADABLE,
    WRONG_YEAR,
    BatchResult,
    FileOutcome,
    UnitRow,
)

STATUS_COLUMNS = ("序号", "单位", "层级", "状态", "错误数", "提示数", "来源文件", "报告", "说明",
                  "联系人", "联系电话")
FINDING_COLUMNS = ("单位", "文件", "级别", "规则代码", "表", "行", "列", "单元格", "说明")


def _key_label(code: str) -> str:
    fig = spec.FIGURES[code]
    table = spec.FIGURE_TABLE[code]
    if table is spec.T2:
        return f"{table.name} {fig.short}"
    if table is spec.T3:
        return f"{table.name} {fig.row_name}"
    return f"{table.name} {fig.row_name} {fig.col_name}"


KEY_FIGURES = tuple((code, _key_label(code)) for code in KEY_CODES)


def _file_rows(result: BatchResult) -> list[tuple[str, FileOutcome]]:
    """Files that are not any unit's chosen submission: unreadable, superseded, wrong year."""
    chosen = {id(r.outcome) for r in result.rows if r.outcome is not None}
    extra = [o for o in result.files if id(o) not in chosen
             and o.status in (UNREADABLE, SUPERSEDED, WRONG_YEAR)]
    return [(o.brief.unit if o.brief else "", o) for o in sorted(extra, key=lambda o: o.file)]


def _status_rows(result: BatchResult) -> list[list[object]]:
    rows: list[list[object]] = []
    for row in result.rows:
        rows.append(_unit_row(row))
    for unit, o in _file_rows(result):
        rows.append([unit, o.brief.level if o.brief else "", o.status, o.result.errors,
                     o.result.warnings, o.file, "", o.note, "", ""])
    return [[i + 1, *r] for i, r in enumerate(rows)]


def _unit_row(row: UnitRow) -> list[object]:
    o = row.outcome
    note = row.note
    if o is None:
        return [row.unit, row.level, row.status, 0, 0, "", "", note, row.contact, row.phone]
    return [row.unit, row.level, row.status, o.result.errors, o.result.warnings, o.file,
            o.document, note, row.contact, row.phone]


def _finding_rows(result: BatchResult) -> list[tuple[bool, list[object]]]:
    rows = []
    for o in sorted(result.files, key=lambda o: o.file):
        unit = o.brief.unit if o.brief else ""
        for f in o.result.to_dict()["findings"]:
            rows.append((f["severity"] == spec.ERROR, [
                unit, o.file, spec.SEVERITY_LABEL[f["severity"]], f["code"], f["table"], f["row"],
                f["column"], "、".join(f["cells"]), f["message"]]))
    return rows


def _figure_rows(result: BatchResult) -> list[list[object]]:
    rows = []
    for row in result.rows:
        rep = row.outcome.brief if row.outcome else None
        if rep is None or row.status == WRONG_YEAR:
            continue
        rows.append([row.unit, *(rep.figures.get(code, Decimal(0)) for code, _ in KEY_FIGURES)])
    return rows


def summary_bytes(result: BatchResult) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"title": "政府信息公开工作年度报告汇总", "author": "nianbao",
                       "created": dt.datetime(result.year + 1 if result.year else 2000, 1, 1)})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    error = wb.add_format({"bg_color": "#FFC7CE"})
    _sheet(wb, "提交情况", STATUS_COLUMNS, [(False, r) for r in _status_rows(result)], head, error,
           widths=(6, 36, 10, 16, 8, 8, 40, 40, 50, 10, 16))
    _sheet(wb, "问题清单", FINDING_COLUMNS, _finding_rows(result), head, error,
           widths=(30, 36, 6, 22, 6, 24, 12, 20, 90))
    figures = _figure_rows(result)
    totals: list[object] = ["合计"]
    for i in range(1, len(KEY_FIGURES) + 1):
        totals.append(sum((Decimal(str(r[i])) for r in figures), Decimal(0)))
    _sheet(wb, "数据汇总", ("单位", *(label for _, label in KEY_FIGURES)),
           [(False, r) for r in figures] + [(False, totals)], head, error,
           widths=(36, *([14] * len(KEY_FIGURES))))
    wb.close()
    return buf.getvalue()


def _sheet(wb, name, columns, rows, head, error, widths) -> None:
    ws = wb.add_worksheet(name)
    ws.write_row(0, 0, columns, head)
    for r, (is_error, values) in enumerate(rows, start=1):
        fmt = error if is_error else None
        for c, value in enumerate(values):
            if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                ws.write_number(r, c, float(value), fmt)
            else:
                ws.write_string(r, c, str(value), fmt)  # never a formula, whatever it starts with
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)


def write_summary(path: Path, result: BatchResult) -> None:
    write_atomic(path, summary_bytes(result))
