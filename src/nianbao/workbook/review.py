"""A returned copy (退回件): the unit's own workbook regenerated with everything it typed, the
county's findings on a first sheet 审核意见 with links to the cells, and each finding's cells
marked and commented where they are."""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.worksheet import Worksheet

from .. import spec
from ..checks.findings import Finding
from ..model.unit import Settings, Unit
from ..spec.expr import Cell
from . import layout
from .writer import Writer, ok, print_setup, wrapped_height

COLUMNS = ("序号", "级别", "位置", "问题与修改方法", "单位的说明")
WIDTHS = (6, 12, 16, 90, 30)


def _cells(finding: Finding) -> list[Cell]:
    return [layout.CELLS[c] for c in finding.codes if c in layout.CELLS]


def label(finding: Finding) -> str:
    if finding.explained:
        return "提示（已说明）"
    return spec.SEVERITY_LABEL[finding.severity]


def review_sheet(w: Writer, unit: Unit, settings: Settings, review: Sequence[Finding]) -> Worksheet:
    sheet = layout.REVIEW
    ws = w.sheet(sheet)
    errors = sum(1 for f in review if f.is_error)
    warnings = sum(1 for f in review if not f.is_error and not f.explained)
    deadline = settings.effective_deadline
    ws.merge_range(0, 0, 0, len(COLUMNS) - 1,
                   f"{unit.name}{settings.year}年政府信息公开工作年度报告 审核意见", w.f["title"])
    ws.merge_range(1, 0, 1, len(COLUMNS) - 1,
                   f"错误 {errors} 处须修改；提示 {warnings} 处请核实，数字属实的可在“情况说明”表中"
                   f"说明。改好后保存本文件，于{deadline.year}年{deadline.month}月{deadline.day}日前"
                   "重新报送。点击“位置”可跳到该单元格，相关单元格已标红并附批注。", w.f["text"])
    ws.set_row(1, 32)
    for col, text in enumerate(COLUMNS):
        ok(ws.write_string(3, col, text, w.f["label"]), text)
    for i, finding in enumerate(review, start=1):
        row = 3 + i
        cells = _cells(finding)
        ws.write_number(row, 0, i, w.f["label"])
        ws.write_string(row, 1, label(finding), w.f["label"])
        if cells:
            target = f"internal:'{cells[0].sheet}'!{cells[0].a1}"
            ok(ws.write_url(row, 2, target, w.f["link"], cells[0].ref), cells[0].ref)
        else:
            ws.write_string(row, 2, "整个文件", w.f["label"])
        ws.write_string(row, 3, finding.message, w.f["label_left"])
        ws.write_string(row, 4, finding.explained, w.f["label_left"])
        ws.set_row(row, wrapped_height(finding.message, WIDTHS[3]))
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    ws.freeze_panes(4, 0)
    print_setup(ws, landscape=True)
    ws.activate()
    return ws


def mark_findings(w: Writer, sheets: dict[str, Worksheet], review: Sequence[Finding]) -> None:
    """Each finding's cells: a red mark, and a comment with what is wrong there."""
    notes: dict[Cell, list[str]] = {}
    for finding in review:
        for cell in _cells(finding):
            notes.setdefault(cell, []).append(f"【{label(finding)}】{finding.message}")
    for cell, messages in notes.items():
        ws = sheets.get(cell.sheet)
        if ws is None:
            continue
        ok(ws.write_comment(cell.row, cell.col, "\n".join(messages)[:2000],
                            {"author": "县政府办", "x_scale": 3, "y_scale": 3}), cell.ref)
        ok(ws.conditional_format(cell.row, cell.col, cell.row, cell.col, {
            "type": "formula", "criteria": "=TRUE", "format": w.f["flagged"]}), cell.ref)
