"""The workbook's own checking, generated from the spec's declared rules: the hidden calc sheet
(every figure as a number, every text normalised — the way validate reads them), the 校验
panel (the count and the first failing lines on top, then every line), each sheet's banner,
and the highlight of every cell a failing line involves."""

from __future__ import annotations

import functools

from xlsxwriter.worksheet import Worksheet

from .. import spec
from ..spec import normalise
from ..spec.expr import Cell, Equal, cell_formula
from . import layout
from .writer import Writer, ok, print_setup, protect, text_units, wrapped_height

PASS, FAIL, UNKNOWN = "通过", "不通过", "无法计算"
DESCRIPTION_WIDTH = 76
PANEL_WIDTHS = (8, DESCRIPTION_WIDTH, 10, 22)
#: The characters a number typed as text may hold after its first (a sign may only lead).
_NUMBER_BODY = tuple((d, "") for d in "0123456789.")


def description(check: spec.Check) -> str:
    """A panel line in words: where, and what must hold."""
    return f"{check.prefix}：{check.condition.symbol()}"


def problem(check: spec.Check) -> str:
    """A failing line in words: where, and what is wrong."""
    return f"{check.prefix}：{check.condition.problem()}"


#: Room a figure takes in a problem line (its sum as the workbook shows it).
FIGURE_ROOM = "1234567"


def _unbalanced(check: spec.Check, left: str, right: str) -> list[str]:
    """A sum that does not balance, as text pieces around its two sides' figures."""
    cond = check.condition
    assert isinstance(cond, Equal)
    return [f"{check.prefix}：{cond.left.symbol()}（", left, f"）与{cond.right.symbol()}（", right,
            "）不相等"]


def problem_formula(check: spec.Check, here: str) -> str:
    """The failing line as the workbook says it: a sum that does not balance shows both sides'
    figures (表三 自然人列：本年新收 + 上年结转（12）与（七）总计 + 结转下年度（11）不相等)."""
    cond = check.condition
    if not isinstance(cond, Equal):
        return normalise.string(problem(check))
    pieces = _unbalanced(check, cond.left.formula(layout.RULE_PLACES, here),
                         cond.right.formula(layout.RULE_PLACES, here))
    return "&".join(normalise.string(p) if i % 2 == 0 else p for i, p in enumerate(pieces))


def problem_room(check: spec.Check) -> str:
    """The failing line at its longest: figures at their room."""
    if isinstance(check.condition, Equal):
        return "".join(_unbalanced(check, FIGURE_ROOM, FIGURE_ROOM))
    return problem(check)


@functools.cache
def longest_problem() -> str:
    return max((problem_room(check) for check in spec.CHECKS), key=text_units)


def _result_cells() -> list[Cell]:
    return [Cell(layout.PANEL, layout.panel_row(i), layout.RESULT_COL)
            for i in range(len(spec.CHECKS))]


def _span(cells: list[Cell], here: str | None) -> str:
    first, last = cells[0], cells[-1]
    return f"{cell_formula(first, here)}:{cell_formula(last, here).split('!')[-1]}"


def failing_count(here: str | None) -> str:
    return cell_formula(layout.fail_count_cell(len(spec.CHECKS) - 1), here)


def first_failing(here: str | None, k: int = 1) -> str:
    """The k-th failing line in words (what is wrong), by the running count on the calc sheet."""
    descriptions = [Cell(layout.PANEL, c.row, 1) for c in _result_cells()]
    counts = [layout.fail_count_cell(i) for i in range(len(spec.CHECKS))]
    return f"INDEX({_span(descriptions, here)},MATCH({k},{_span(counts, here)},0))"


# ---------------------------------------------------------------- the calc sheet


def _number_formulas(code: str) -> tuple[str, str]:
    """(typed text normalised, the number): exactly ``values.parse_number``'s reading."""
    here = layout.CALC
    raw = cell_formula(layout.address_of(code), here)
    typed = cell_formula(layout.typed_cell(code), here)
    shape = (f"AND(ISNUMBER(FIND(LEFT({typed},1),\"0123456789.+-\")),"
             f"LEN({typed})-LEN(SUBSTITUTE({typed},\".\",\"\"))<=1,"
             f"{normalise.substitute_all(f'MID({typed},2,9999)', _NUMBER_BODY)}=\"\","
             f"ISNUMBER(VALUE({typed})))")
    value = (f"=IF(ISNUMBER({raw}),{raw},IF({typed}=\"\",0,"
             f"IF({shape},VALUE({typed}),NA())))")
    return "=" + normalise.number_text_formula(raw), value


def calc_sheet(w: Writer, password: str | None) -> None:
    ws = w.sheet(layout.CALC)
    here = layout.CALC
    for code, fig in spec.FIGURES.items():
        if fig.computed:
            w.formula(ws, layout.value_cell(code),
                      "=" + spec.COMPUTED[code].formula(layout.RULE_PLACES, here), "plain")
        else:
            typed, value = _number_formulas(code)
            w.formula(ws, layout.typed_cell(code), typed, "plain")
            w.formula(ws, layout.value_cell(code), value, "plain")
    for fld in spec.TEXT_FIELDS:
        source = cell_formula(layout.address_of(fld.code), here)
        visible = cell_formula(layout.text_cell(fld.code, "visible"), here)
        marks = cell_formula(layout.text_cell(fld.code, "marks"), here)
        for form, formula in (("visible", normalise.visible_formula(source)),
                              ("marks", normalise.marks_formula(visible)),
                              ("bare", normalise.bare_formula(marks))):
            w.formula(ws, layout.text_cell(fld.code, form), "=" + formula, "plain")
    previous = "0"
    for i, result in enumerate(_result_cells()):
        cell = layout.fail_count_cell(i)
        w.formula(ws, cell, f'=IF({cell_formula(result, here)}="{FAIL}",{previous}+1,{previous})',
                  "plain")
        previous = cell_formula(cell, here)
    ws.very_hidden()
    protect(ws, password)


# ---------------------------------------------------------------- banners and the panel


def banner_text() -> str:
    """The longest verdict a sheet's banner can show: every sheet shows the first failing line
    of the whole workbook, so any line, with a three-digit count."""
    return f"{FAIL}（{len(spec.CHECKS)} 项）：{longest_problem()}"


def banner(w: Writer, ws: Worksheet, sheet: str, title: str, widths: tuple[float, ...]) -> None:
    """A1 校验结果, B1 the verdict — on every sheet but the panel with the count of failing
    lines and the first of them in words; the panel's B1 is CHECK_STATUS itself. The banner
    row is tall enough for the longest verdict at the sheet's column widths."""
    width = len(widths)
    w.label(ws, Cell(sheet, layout.BANNER_ROW, 0), "校验结果", "status")
    status = cell_formula(layout.STATUS, sheet)
    target = Cell(sheet, layout.BANNER_ROW, 1)
    if sheet != layout.STATUS.sheet:
        w.formula(ws, target, f'=IF({status}="{PASS}","{PASS}","{FAIL}（"&{failing_count(sheet)}'
                              f'&" 项）："&{first_failing(sheet)})', "status_left",
                  cols=max(width - 1, 1))
        ws.set_row(layout.BANNER_ROW, wrapped_height(banner_text(), banner_units(widths)))
    a1 = target.a1
    ok(ws.conditional_format(a1, {"type": "formula", "criteria": f'=${a1[0]}${a1[1:]}="{PASS}"',
                                  "format": w.f["good"]}), f"banner {sheet}")
    ok(ws.conditional_format(a1, {"type": "formula",
                                  "criteria": f'=LEFT(${a1[0]}${a1[1:]},3)="{FAIL}"',
                                  "format": w.f["bad"]}), f"banner {sheet}")
    w.label(ws, Cell(sheet, layout.TITLE_ROW, 0), title, "title", cols=max(width, 1))


def banner_units(widths: tuple[float, ...]) -> float:
    """The banner's merged cell width (B1 across the sheet's columns), in column units."""
    return sum(widths[1:]) if len(widths) > 1 else widths[0]


def panel_sheet(w: Writer, password: str | None) -> None:
    sheet = layout.PANEL
    ws = w.sheet(sheet)
    banner(w, ws, sheet, "校验（随填随算；全部“通过”后再报送）", PANEL_WIDTHS)
    count = failing_count(sheet)
    w.formula(ws, Cell(sheet, layout.PANEL_COUNT_ROW, 0),
              f'=IF({count}=0,"全部通过，可以报送。","未通过 "&{count}&" 项（前 {layout.PANEL_FIRST}'
              f' 项如下；下方列表中红色的为未通过，相关单元格在各表中标红）：")', "text_bold",
              cols=len(layout.PANEL_COLUMNS))
    for k in range(1, layout.PANEL_FIRST + 1):
        w.formula(ws, Cell(sheet, layout.PANEL_COUNT_ROW + k, 0),
                  f'=IF({count}>={k},"{k}. "&{first_failing(sheet, k)},"")', "fail_line",
                  cols=len(layout.PANEL_COLUMNS))
    for col, text in enumerate(layout.PANEL_COLUMNS):
        w.label(ws, Cell(sheet, layout.PANEL_HEADER, col), text)
    for i, check in enumerate(spec.CHECKS):
        row = layout.panel_row(i)
        w.label(ws, Cell(sheet, row, 0), str(i + 1))
        result = Cell(sheet, row, layout.RESULT_COL)
        # the line says what must hold, and what is wrong while it fails
        w.formula(ws, Cell(sheet, row, 1),
                  f'=IF({cell_formula(result, sheet)}="{FAIL}",{problem_formula(check, sheet)},'
                  f'{normalise.string(description(check))})', "label_left")
        longest = max(description(check), problem_room(check), key=text_units)
        ws.set_row(row, wrapped_height(longest, DESCRIPTION_WIDTH))
        cond = check.condition.formula(layout.RULE_PLACES, sheet)
        w.formula(ws, result,
                  f'=IF(ISERROR({cond}),"{UNKNOWN}",IF({cond},"{PASS}","{FAIL}"))', "status")
        w.label(ws, Cell(sheet, row, 3), check.rule_code, "code")
    results = _result_cells()
    span = f"{results[0].a1}:{results[-1].a1}"
    for value, fmt in ((PASS, "good"), (FAIL, "bad")):
        ok(ws.conditional_format(span, {"type": "cell", "criteria": "==", "value": f'"{value}"',
                                        "format": w.f[fmt]}), "panel results")
    w.formula(ws, layout.STATUS, f'=IF({count}=0,"{PASS}","{FAIL}")', "status")
    w.name(layout.STATUS_NAME, layout.STATUS)
    for col, width in enumerate(PANEL_WIDTHS):
        ws.set_column(col, col, width, w.f["code"] if col == 3 else None)
    ws.freeze_panes(layout.PANEL_TOP, 0)
    print_setup(ws, landscape=True)
    ws.repeat_rows(layout.PANEL_HEADER)
    protect(ws, password)


def highlights(w: Writer, sheets: dict[str, Worksheet]) -> None:
    """Every cell a panel line involves turns red while that line says 不通过.

    A conditional format reads only its own sheet: Excel 2007 refuses a rule that points at
    another sheet, later versions move it to an extension that not every program reads. So
    each sheet carries, in a hidden column, one locked helper cell per line that involves it
    (TRUE while the line fails), and the line's format reads that cell."""
    by_sheet: dict[str, list[tuple[int, list[Cell]]]] = {}
    for i, check in enumerate(spec.CHECKS):
        cells: dict[str, list[Cell]] = {}
        for code in check.condition.codes():
            cell = layout.address_of(code)
            cells.setdefault(cell.sheet, []).append(cell)
        for sheet, involved in cells.items():
            by_sheet.setdefault(sheet, []).append((i, involved))
    for sheet, lines in by_sheet.items():
        ws = sheets[sheet]
        ws.set_column(layout.HELPER_COL, layout.HELPER_COL, None, None, {"hidden": True})
        for k, (i, involved) in enumerate(lines):
            result = Cell(layout.PANEL, layout.panel_row(i), layout.RESULT_COL)
            helper = layout.helper_cell(sheet, k)
            w.formula(ws, helper, f'={cell_formula(result, sheet)}="{FAIL}"', "plain")
            refs = " ".join(dict.fromkeys(c.a1 for c in involved))
            ok(ws.conditional_format(involved[0].a1, {
                "type": "formula", "criteria": f"={cell_formula(helper, sheet)}", "format": w.f["highlight"],
                "multi_range": refs, "stop_if_true": False}), f"highlight {spec.CHECKS[i].prefix}")
