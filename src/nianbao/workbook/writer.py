"""The template writer's tools: cell formats, locked labels and formulas recorded for the
fingerprint, checked xlsxwriter calls (it reports errors by return code), print and protection."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..errors import TemplateError
from ..model.report import Report
from ..outputs.outline import text_width
from ..spec.expr import Cell, cell_formula

INPUT_FILL = "#FFF2CC"
COMPUTED_FILL = "#EDEDED"
GUIDANCE_MAX = 250
PANEL_TEXT_WIDTH = 80


def ok(result: Any, what: str) -> None:
    if isinstance(result, int) and result < 0:
        raise TemplateError(f"xlsxwriter rejected {what} (code {result})")


@functools.lru_cache(maxsize=16384)
def _prepared(formula: str, expand: bool, future: bool) -> str:
    sheet = Worksheet()
    sheet.use_future_functions = future
    return Worksheet._prepare_formula(sheet, formula, expand)


class FormulaSheet(Worksheet):
    """A worksheet whose formulas are prepared once per text: xlsxwriter runs some thirty
    regular expressions over every formula, and a template repeats the same few hundred
    formulas for every unit."""

    def _prepare_formula(self, formula, expand_future_functions=False):
        return _prepared(formula, expand_future_functions, self.use_future_functions)


class Writer:
    """Writes cells and records every locked one for the fingerprint."""

    def __init__(self, wb: xlsxwriter.Workbook, prefill: Report | None = None,
                 typed: Mapping[str, object] | None = None) -> None:
        self.wb = wb
        self.prefill = prefill
        self.typed = dict(typed or {})
        self.locked: list[tuple[str, str, object]] = []
        base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter", "text_wrap": True}
        border = {**base, "border": 1}
        self.f = {
            "title": wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"}),
            "text": wb.add_format(base),
            "label": wb.add_format({**border, "align": "center"}),
            "label_left": wb.add_format({**border, "align": "left"}),
            "note": wb.add_format({**border, "align": "left", "font_size": 9}),
            "input": wb.add_format({**border, "locked": False, "bg_color": INPUT_FILL,
                                    "align": "center", "num_format": "0"}),
            "amount": wb.add_format({**border, "locked": False, "bg_color": INPUT_FILL,
                                     "align": "center", "num_format": "General"}),
            "input_text": wb.add_format({**border, "locked": False, "bg_color": INPUT_FILL,
                                         "align": "left", "valign": "top"}),
            "input_date": wb.add_format({**border, "locked": False, "bg_color": INPUT_FILL,
                                         "align": "left", "num_format": "yyyy年m月d日"}),
            "computed": wb.add_format({**border, "bg_color": COMPUTED_FILL, "align": "center"}),
            "status": wb.add_format({**border, "bold": True, "align": "center"}),
            "good": wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"}),
            "bad": wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
            "highlight": wb.add_format({"bg_color": "#FF9999", "font_color": "#9C0006",
                                        "bold": True}),
            "code": wb.add_format({**border, "font_size": 8, "font_color": "#808080"}),
            "plain": wb.add_format({}),
            "status_left": wb.add_format({**border, "bold": True, "align": "left"}),
            "text_bold": wb.add_format({**base, "bold": True}),
            "fail_line": wb.add_format({**base, "font_color": "#9C0006"}),
            "count": wb.add_format({**border, "align": "center", "font_color": "#595959"}),
            "flagged": wb.add_format({"bg_color": "#FFC7CE", "border": 2, "border_color": "#C00000"}),
            "link": wb.add_format({**border, "font_color": "#0563C1", "underline": 1}),
            "hidden": wb.add_format({"hidden": True}),
        }

    def sheet(self, name: str) -> Worksheet:
        """A new worksheet (with cached formula preparation)."""
        return self.wb.add_worksheet(name, worksheet_class=FormulaSheet)

    def label(self, ws: Worksheet, cell: Cell, text: str, fmt: str = "label",
              rows: int = 1, cols: int = 1) -> None:
        """A locked label; an empty one (a blank optional field) is a blank cell, not ''."""
        if not text.strip() and rows == cols == 1:
            ok(ws.write_blank(cell.row, cell.col, None, self.f[fmt]), cell.ref)
            return
        if rows > 1 or cols > 1:
            ok(ws.merge_range(cell.row, cell.col, cell.row + rows - 1, cell.col + cols - 1,
                               text, self.f[fmt]), f"merge {cell.ref}")
        else:
            ok(ws.write_string(cell.row, cell.col, text, self.f[fmt]), cell.ref)
        self.locked.append((cell.sheet, cell.a1, text))

    def formula(self, ws: Worksheet, cell: Cell, formula: str, fmt: str = "computed",
                cols: int = 1) -> None:
        if cols > 1:
            ok(ws.merge_range(cell.row, cell.col, cell.row, cell.col + cols - 1, "",
                               self.f[fmt]), f"merge {cell.ref}")
        # value="" leaves the cached result empty, so every office program computes it on load.
        ok(ws.write_formula(cell.row, cell.col, formula, self.f[fmt], ""), cell.ref)
        self.locked.append((cell.sheet, cell.a1, formula))

    def name(self, code: str, cell: Cell) -> None:
        ok(self.wb.define_name(code, f"={cell_formula(cell, None)}"), f"name {code}")

    def typed_value(self, ws: Worksheet, cell: Cell, value: object, fmt: str) -> None:
        """What a clerk typed, as typed: blank, text, a truth value or a number."""
        if value is None:
            ok(ws.write_blank(cell.row, cell.col, None, self.f[fmt]), cell.ref)
        elif isinstance(value, bool):
            ok(ws.write_boolean(cell.row, cell.col, value, self.f[fmt]), cell.ref)
        elif isinstance(value, (int, float)):
            ok(ws.write_number(cell.row, cell.col, float(value), self.f[fmt]), cell.ref)
        else:
            ok(ws.write_string(cell.row, cell.col, str(value), self.f[fmt]), cell.ref)

    def validate(self, ws: Worksheet, cell: Cell, options: dict, cols: int = 1) -> None:
        ok(ws.data_validation(cell.row, cell.col, cell.row, cell.col + cols - 1, options),
            f"data validation {cell.ref}")




def protect(ws: Worksheet, password: str | None) -> None:
    ws.protect(password or "", {"format_rows": True, "format_columns": True})


def print_setup(ws: Worksheet, landscape: bool = False, one_page: bool = False) -> None:
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 1 if one_page else 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页 共 &N 页")


def finish(ws: Worksheet, password: str | None, widths: tuple[float, ...],
           landscape: bool = False) -> Worksheet:
    """A sheet's last steps: column widths, A4 print setup, protection."""
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    print_setup(ws, landscape=landscape)
    protect(ws, password)
    return ws


def text_units(text: str) -> float:
    """Width in spreadsheet column units: a Chinese character takes two."""
    return 2 * text_width(text)


def wrapped_height(text: str, width: float, line: float = 15.0) -> float:
    """A row tall enough for ``text`` wrapped in a column ``width`` units wide."""
    return line * max(1, math.ceil(text_units(text) / max(width - 1, 1)))
