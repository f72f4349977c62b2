"""Write a unit's locked, self-checking workbook (xlsxwriter), entirely from the spec and layout."""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from .. import __version__, spec
from ..errors import TemplateError
from ..model.report import Report, default_title
from ..model.unit import Settings, Unit
from ..outfile import safe_name, write_atomic
from ..outputs.outline import default_preamble, text_width
from ..spec.expr import Cell, InRange, cell_formula
from . import layout
from .contract import META_KEYS, PROP_PREFIX, TEMPLATE_VERSION
from .fingerprint import digest

INPUT_FILL = "#FFF2CC"
COMPUTED_FILL = "#EDEDED"
GUIDANCE_MAX = 250
PANEL_TEXT_WIDTH = 80


def _ok(result: Any, what: str) -> None:
    if isinstance(result, int) and result < 0:
        raise TemplateError(f"xlsxwriter rejected {what} (code {result})")


class _Writer:
    """Writes cells and records every locked one for the fingerprint."""

    def __init__(self, wb: xlsxwriter.Workbook, prefill: Report | None = None) -> None:
        self.wb = wb
        self.prefill = prefill
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
                                     "align": "center", "num_format": "0.######"}),
            "input_text": wb.add_format({**border, "locked": False, "bg_color": INPUT_FILL,
                                         "align": "left", "valign": "top"}),
            "input_date": wb.add_format({**border, "locked": False, "bg_color": INPUT_FILL,
                                         "align": "left", "num_format": "yyyy年m月d日"}),
            "computed": wb.add_format({**border, "bg_color": COMPUTED_FILL, "align": "center"}),
            "status": wb.add_format({**border, "bold": True, "align": "center"}),
            "good": wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"}),
            "bad": wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        }

    def label(self, ws: Worksheet, cell: Cell, text: str, fmt: str = "label",
              rows: int = 1, cols: int = 1) -> None:
        if rows > 1 or cols > 1:
            _ok(ws.merge_range(cell.row, cell.col, cell.row + rows - 1, cell.col + cols - 1,
                               text, self.f[fmt]), f"merge {cell.ref}")
        else:
            _ok(ws.write_string(cell.row, cell.col, text, self.f[fmt]), cell.ref)
        self.locked.append((cell.sheet, cell.a1, text))

    def formula(self, ws: Worksheet, cell: Cell, formula: str, fmt: str = "computed",
                cols: int = 1) -> None:
        if cols > 1:
            _ok(ws.merge_range(cell.row, cell.col, cell.row, cell.col + cols - 1, "",
                               self.f[fmt]), f"merge {cell.ref}")
        # value="" leaves the cached result empty, so every office program computes it on load.
        _ok(ws.write_formula(cell.row, cell.col, formula, self.f[fmt], ""), cell.ref)
        self.locked.append((cell.sheet, cell.a1, formula))

    def name(self, code: str, cell: Cell) -> None:
        _ok(self.wb.define_name(code, f"={cell_formula(cell, None)}"), f"name {code}")

    def validate(self, ws: Worksheet, cell: Cell, options: dict, cols: int = 1) -> None:
        _ok(ws.data_validation(cell.row, cell.col, cell.row, cell.col + cols - 1, options),
            f"data validation {cell.ref}")


def _amount_rule(code: str) -> str:
    """The amount's own range rule (spec FEE_RANGE) as a data-validation formula."""
    for check in spec.CHECKS:
        if isinstance(check.condition, InRange) and code in check.condition.codes():
            ref = next(r for r in check.condition.refs if r.code == code)
            single = InRange((ref,), check.condition.places)
            return "=" + single.formula(layout.address_of, layout.address_of(code).sheet)
    raise TemplateError(f"no range rule declares {code}")


def _count_validation(fig: spec.Figure) -> dict:
    if fig.kind == spec.AMOUNT:
        return {"validate": "custom", "value": _amount_rule(fig.code),
                "input_title": "收费金额（万元）",
                "input_message": "以万元为单位填写，不小于 0，最多 6 位小数。没有收费填 0。",
                "error_title": "金额有误", "error_message": "请填写不小于 0 的金额（万元），最多 6 位小数。",
                "error_type": "stop"}
    return {"validate": "integer", "criteria": ">=", "value": 0,
            "input_title": fig.col_name[:32],
            "input_message": f"{fig.row_name}\n请填写不小于 0 的整数；没有发生的填 0。"[:GUIDANCE_MAX],
            "error_title": "数字有误", "error_message": "只能填写不小于 0 的整数，不要加单位或文字。",
            "error_type": "stop"}


def _banner(w: _Writer, ws: Worksheet, sheet: str, title: str, width: int) -> None:
    w.label(ws, Cell(sheet, layout.BANNER_ROW, 0), "校验结果", "status")
    status = layout.STATUS
    if sheet != status.sheet:
        w.formula(ws, Cell(sheet, layout.BANNER_ROW, 1),
                  f"={cell_formula(status, sheet)}", "status")
    target = f"B{layout.BANNER_ROW + 1}"
    ws.conditional_format(target, {"type": "cell", "criteria": "==", "value": '"通过"',
                                   "format": w.f["good"]})
    ws.conditional_format(target, {"type": "cell", "criteria": "==", "value": '"不通过"',
                                   "format": w.f["bad"]})
    w.label(ws, Cell(sheet, layout.TITLE_ROW, 0), title, "title", cols=max(width, 1))


def _protect(ws: Worksheet, password: str | None) -> None:
    ws.protect(password or "", {"format_rows": True, "format_columns": True})


def _print_setup(ws: Worksheet, landscape: bool = False) -> None:
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_footer("&C第 &P 页 共 &N 页")


def _text_units(text: str) -> float:
    """Width in spreadsheet column units: a Chinese character takes two."""
    return 2 * text_width(text)


def _row_heights(table: spec.Table, widths: list[float]) -> dict[int, float]:
    """Rows tall enough for their wrapped labels (spreadsheets do not grow rows by themselves)."""
    heights: dict[int, float] = {}
    for label in table.labels:
        width = sum(widths[label.col:label.col + label.cols]) - 1
        lines = math.ceil(_text_units(label.text) / max(width, 1))
        need = 15.0 * lines / label.rows
        for row in range(label.row, label.row + label.rows):
            heights[row] = max(heights.get(row, 15.0), need)
    return heights


def _table_sheet(w: _Writer, table: spec.Table, password: str | None) -> None:
    ws = w.wb.add_worksheet(table.name)
    _banner(w, ws, table.name, table.title, table.n_cols)
    for label in table.labels:
        fmt = "note" if label.note else ("label_left" if label.cols == 1 and label.col == 2
                                         and table is spec.T3 else "label")
        w.label(ws, layout.table_cell(table, label.row, label.col), label.text, fmt,
                label.rows, label.cols)
    for fig in table.figures:
        cell = layout.address_of(fig.code)
        if fig.computed:
            w.formula(ws, cell, "=" + spec.COMPUTED[fig.code].formula(layout.address_of, table.name),
                      cols=fig.cols)
        else:
            fmt = "amount" if fig.kind == spec.AMOUNT else "input"
            if fig.cols > 1:
                _ok(ws.merge_range(cell.row, cell.col, cell.row, cell.col + fig.cols - 1, 0,
                                   w.f[fmt]), f"merge {cell.ref}")
            value = w.prefill.figures.get(fig.code) if w.prefill else None
            _ok(ws.write_number(cell.row, cell.col, float(value or 0), w.f[fmt]), cell.ref)
            w.validate(ws, cell, _count_validation(fig), fig.cols)
        w.name(fig.code, cell)
    unit = 15.0 if table.n_cols < 10 else 9.0
    widths = [unit * weight for weight in table.col_weights]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    for row, height in _row_heights(table, widths).items():
        ws.set_row(layout.GRID_TOP + row, height)
    ws.set_row(layout.TITLE_ROW, 28)
    _print_setup(ws, landscape=table.n_cols > 10)
    ws.repeat_rows(layout.GRID_TOP, layout.GRID_TOP + max(table.header_rows, 1) - 1)
    _protect(ws, password)


def _info_sheet(w: _Writer, unit: Unit, settings: Settings, password: str | None) -> None:
    ws = w.wb.add_worksheet(layout.INFO)
    _banner(w, ws, layout.INFO, "基本信息", 2)
    values = {"META_UNIT": unit.name, "META_PARENT": unit.parent, "META_LEVEL": unit.level,
              "META_YEAR": str(settings.year)}
    for fld in spec.META_FIELDS:
        cell = layout.address_of(fld.code)
        w.label(ws, Cell(cell.sheet, cell.row, 0), fld.label)
        if fld.code in values:
            w.label(ws, cell, values[fld.code], "label_left")
        elif fld.code == "META_DATE":
            if w.prefill and w.prefill.date:
                _ok(ws.write_datetime(cell.row, cell.col, dt.datetime.combine(
                    w.prefill.date, dt.time()), w.f["input_date"]), cell.ref)
            else:
                _ok(ws.write_blank(cell.row, cell.col, None, w.f["input_date"]), cell.ref)
            year = settings.year + 1
            w.validate(ws, cell, {
                "validate": "date", "criteria": "between", "minimum": dt.date(year, 1, 1),
                "maximum": dt.date(year, 12, 31), "input_title": "成文日期",
                "input_message": fld.guidance, "error_title": "日期有误",
                "error_message": f"成文日期应在 {year} 年内，如 {year}-01-09。",
                "error_type": "warning"})
        else:
            title = (w.prefill.title if w.prefill else "") or default_title(unit.name,
                                                                             settings.year)
            _ok(ws.write_string(cell.row, cell.col, title, w.f["input_text"]), cell.ref)
            w.validate(ws, cell, {"validate": "any", "input_title": fld.label,
                                  "input_message": fld.guidance})
        w.name(fld.code, cell)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 70)
    _print_setup(ws)
    _protect(ws, password)


def _text_sheet(w: _Writer, unit: Unit, settings: Settings, password: str | None) -> None:
    ws = w.wb.add_worksheet(layout.TEXT)
    _banner(w, ws, layout.TEXT, "正文（每段换行请按 Alt+Enter，每行成为报告中的一段）", 2)
    for fld in spec.TEXT_FIELDS:
        cell = layout.address_of(fld.code)
        w.label(ws, Cell(cell.sheet, cell.row, 0), fld.label)
        text = default_preamble(unit, settings) if fld.code == "TEXT_PREAMBLE" else ""
        if w.prefill and w.prefill.texts.get(fld.code):
            text = w.prefill.texts[fld.code]
        _ok(ws.write_string(cell.row, cell.col, text, w.f["input_text"]), cell.ref)
        w.validate(ws, cell, {"validate": "any", "input_title": fld.label[:32],
                              "input_message": fld.guidance[:GUIDANCE_MAX]})
        ws.set_row(cell.row, 160)
        w.name(fld.code, cell)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 100)
    _print_setup(ws, landscape=True)
    _protect(ws, password)


def _panel_line(w: _Writer, ws: Worksheet, index: int, check: spec.Check) -> Cell:
    """One check as a panel row: number, rule code, what it checks, both sides, the verdict."""
    sheet, row = layout.PANEL, layout.panel_row(index)
    w.label(ws, Cell(sheet, row, 0), str(index + 1))
    w.label(ws, Cell(sheet, row, 1), check.rule_code)
    description = f"{check.prefix}：{check.condition.symbol()}"
    w.label(ws, Cell(sheet, row, 2), description, "label_left")
    ws.set_row(row, 15.0 * math.ceil(_text_units(description) / (PANEL_TEXT_WIDTH - 1)))
    sides = check.condition.sides(layout.address_of, sheet)
    for col, side in ((3, sides[0] if sides else None), (4, sides[1] if sides else None)):
        if side is None:
            w.label(ws, Cell(sheet, row, col), "—")
        else:
            w.formula(ws, Cell(sheet, row, col), f"={side}")
    result = Cell(sheet, row, 5)
    cond = check.condition.formula(layout.address_of, sheet)
    w.formula(ws, result, f'=IF({cond},"通过","不通过")', "status")
    return result


def _panel_sheet(w: _Writer, password: str | None) -> None:
    sheet = layout.PANEL
    ws = w.wb.add_worksheet(sheet)
    _banner(w, ws, sheet, "校验（随填随算；全部“通过”后再报送）", len(layout.PANEL_COLUMNS))
    header = layout.PANEL_TOP - 1
    for col, text in enumerate(layout.PANEL_COLUMNS):
        w.label(ws, Cell(sheet, header, col), text)
    results = [_panel_line(w, ws, i, check) for i, check in enumerate(spec.CHECKS)]
    first, last = results[0], results[-1]
    span = f"{first.a1}:{last.a1}"
    for value, fmt in (('"通过"', "good"), ('"不通过"', "bad")):
        ws.conditional_format(span, {"type": "cell", "criteria": "==", "value": value,
                                     "format": w.f[fmt]})
    w.formula(ws, layout.STATUS,
              f'=IF(COUNTIF({span},"通过")={len(results)},"通过","不通过")', "status")
    w.name(layout.STATUS_NAME, layout.STATUS)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, PANEL_TEXT_WIDTH)
    ws.set_column(3, 5, 10)
    ws.freeze_panes(layout.PANEL_TOP, 0)
    _print_setup(ws, landscape=True)
    ws.repeat_rows(header)
    _protect(ws, password)


def _guide_sheet(w: _Writer, unit: Unit, settings: Settings, password: str | None) -> None:
    sheet = layout.GUIDE
    ws = w.wb.add_worksheet(sheet)
    _banner(w, ws, sheet, f"{unit.name}{settings.year}年政府信息公开工作年度报告 填表说明", 1)
    deadline = settings.effective_deadline
    lines = [
        f"表格格式：{spec.FORMAT_TITLE}。",
        f"报送截止日期：{deadline.year}年{deadline.month}月{deadline.day}日。",
        f"联系方式：{settings.contact}" if settings.contact else "联系方式：请咨询县政府办（政务公开办）。",
        "只能在浅黄色单元格中填写；灰色单元格为公式，自动计算，已锁定。",
        "数字：没有发生的填 0；空白按 0 处理但会提示；不要填写“/”“—”或“5件”等文字。",
        "收费金额以万元为单位，最多保留 6 位小数。",
        "正文：每段之间按 Alt+Enter 换行，每行在报告中成为一段。",
        "“校验”表逐条显示勾稽关系，全部“通过”后再报送；每张表顶部显示总体校验结果。",
        "请勿修改表格标签、公式和表结构，否则县里汇总时会判定为“模板已被修改”。",
        "保存为 .xlsx 格式（WPS 请选择“Excel 文件(*.xlsx)”），不要设置打开密码。",
        "“校验”表中的规则（随填随算）：",
        *(f"{r.code}：{r.title}。{r.fix}" for r in spec.ARITHMETIC_RULES),
        "县里收到后还会检查（错误须改正，提示请核实）：",
        *(f"{r.code}（{spec.SEVERITY_LABEL[r.severity]}）：{r.title}。{r.fix}"
          for r in spec.OTHER_RULES),
    ]
    for i, text in enumerate(lines):
        w.label(ws, Cell(sheet, layout.FIELD_TOP + i, 0), text, "text")
    ws.set_column(0, 0, 110)
    _print_setup(ws, landscape=True)
    _protect(ws, password)


def _meta(w: _Writer, props: dict[str, str]) -> None:
    ws = w.wb.add_worksheet(layout.META)
    for i, (key, value) in enumerate(props.items()):
        ws.write_string(i, 0, key)
        ws.write_string(i, 1, value)
        _ok(w.wb.set_custom_property(PROP_PREFIX + key, value), f"property {key}")
    ws.very_hidden()
    ws.protect()


def properties(unit: Unit, settings: Settings, fingerprint: str) -> dict[str, str]:
    """The metadata every nianbao workbook carries (as custom properties and in ``_meta``)."""
    values = {
        "format": spec.FORMAT_ID, "template_version": TEMPLATE_VERSION, "generator": __version__,
        "unit": unit.name, "parent": unit.parent, "level": unit.level, "year": str(settings.year),
        "deadline": settings.effective_deadline.isoformat(), "website": settings.website,
        "contact": settings.contact, "fingerprint": fingerprint,
    }
    return {key: values[key] for key in META_KEYS}


def build_bytes(unit: Unit, settings: Settings, password: str | None = None,
                prefill: Report | None = None) -> bytes:
    """The workbook for one unit, as the bytes of an .xlsx file."""
    return build(unit, settings, password, prefill)[0]


def locked_content(unit: Unit, settings: Settings) -> list[tuple[str, str, object]]:
    """What the current template locks for this unit: (sheet, cell, label or formula)."""
    return build(unit, settings)[1]


def build(unit: Unit, settings: Settings, password: str | None = None,
          prefill: Report | None = None) -> tuple[bytes, list[tuple[str, str, object]]]:
    """The workbook and its locked content; ``prefill`` fills the inputs (tests, benchmarks,
    or last year's texts) without changing what is locked."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"title": f"{unit.name}{settings.year}年政府信息公开工作年度报告",
                       "created": dt.datetime(settings.year + 1, 1, 1), "author": "nianbao"})
    w = _Writer(wb, prefill)
    _guide_sheet(w, unit, settings, password)
    _info_sheet(w, unit, settings, password)
    _text_sheet(w, unit, settings, password)
    for table in spec.TABLES:
        _table_sheet(w, table, password)
    _panel_sheet(w, password)
    _meta(w, properties(unit, settings, digest(w.locked)))
    wb.worksheets()[1].activate()
    wb.close()
    return _lock_structure(buf.getvalue()), w.locked


def _lock_structure(data: bytes) -> bytes:
    """Add <workbookProtection lockStructure="1"/> (xlsxwriter cannot; Excel and WPS honour it)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/workbook.xml":
                text = body.decode()
                head, sep, tail = text.partition("<workbookPr")
                close = tail.index("/>") + 2
                body = (head + sep + tail[:close] + '<workbookProtection lockStructure="1"/>'
                        + tail[close:]).encode()
            dst.writestr(info, body)
    return out.getvalue()


def write_template(path: Path, unit: Unit, settings: Settings, password: str | None = None) -> None:
    write_atomic(path, build_bytes(unit, settings, password))


def _write_job(job: tuple[Unit, Settings, str | None, str]) -> str:
    unit, settings, password, target = job
    write_template(Path(target), unit, settings, password)
    return target


def write_many(units: list[Unit], settings: Settings, out_dir: Path, *, password: str | None = None,
               jobs: int = 1, tick=None) -> list[Path]:
    """One workbook per unit, ``{年度}_{单位名称}.xlsx``, in parallel; each written atomically."""
    targets = [str(out_dir / f"{safe_name(f'{settings.year}_{u.name}')}.xlsx") for u in units]
    work = [(u, settings, password, t) for u, t in zip(units, targets, strict=True)]
    pool = ProcessPoolExecutor(jobs) if jobs > 1 and len(work) > 1 else None
    try:
        results = pool.map(_write_job, work, chunksize=8) if pool else map(_write_job, work)
        for _ in results:
            if tick:
                tick()
    finally:
        if pool:
            pool.shutdown()
    return [Path(t) for t in targets]
