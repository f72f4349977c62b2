"""Write a unit's locked, self-checking workbook (xlsxwriter), entirely from the spec and layout."""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from .. import __version__, spec
from ..checks.findings import Finding
from ..errors import TemplateError
from ..model.report import Report, default_title
from ..model.unit import Settings, Unit
from ..outfile import unit_stem, write_atomic
from ..outputs.outline import default_preamble
from ..spec.expr import Cell, InRange, cell_formula
from . import layout, panel
from .contract import META_KEYS, PROP_PREFIX, TEMPLATE_VERSION
from .fingerprint import digest
from .review import mark_findings, review_sheet
from .writer import Writer, finish, ok, print_setup, protect, text_units, wrapped_height

GUIDANCE_MAX = 250


def _amount_rule(code: str) -> str:
    """The amount's own range rule (spec FEE_RANGE) as a data-validation formula."""
    for check in spec.CHECKS:
        if isinstance(check.condition, InRange) and code in check.condition.codes():
            ref = next(r for r in check.condition.refs if r.code == code)
            single = InRange((ref,), check.condition.places)
            return "=" + single.formula(layout.TYPED_PLACES, layout.address_of(code).sheet)
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


def _row_heights(table: spec.Table, widths: list[float]) -> dict[int, float]:
    """Rows tall enough for their wrapped labels (spreadsheets do not grow rows by themselves)."""
    heights: dict[int, float] = {}
    for label in table.labels:
        width = sum(widths[label.col:label.col + label.cols]) - 1
        lines = math.ceil(text_units(label.text) / max(width, 1))
        need = 15.0 * lines / label.rows
        for row in range(label.row, label.row + label.rows):
            heights[row] = max(heights.get(row, 15.0), need)
    return heights


def _table_sheet(w: Writer, table: spec.Table, password: str | None) -> Worksheet:
    ws = w.sheet(table.name)
    unit = 15.0 if table.n_cols < 10 else 9.0
    widths = tuple(unit * weight for weight in table.col_weights)
    panel.banner(w, ws, table.name, table.title, widths)
    for label in table.labels:
        fmt = "note" if label.note else ("label_left" if label.cols == 1 and label.col == 2
                                         and table is spec.T3 else "label")
        w.label(ws, layout.table_cell(table, label.row, label.col), label.text, fmt,
                label.rows, label.cols)
    for fig in table.figures:
        cell = layout.address_of(fig.code)
        if fig.computed:  # shown from the calc sheet, where it sums numbers typed as text too
            calc = cell_formula(layout.value_cell(fig.code), table.name)
            w.formula(ws, cell, f'=IF(ISERROR({calc}),"—",{calc})', cols=fig.cols)
        else:
            fmt = "amount" if fig.kind == spec.AMOUNT else "input"
            if fig.cols > 1:
                ok(ws.merge_range(cell.row, cell.col, cell.row, cell.col + fig.cols - 1, 0,
                                   w.f[fmt]), f"merge {cell.ref}")
            if fig.code in w.typed:  # a returned copy keeps what the clerk typed
                w.typed_value(ws, cell, w.typed[fig.code], fmt)
            else:
                value = w.prefill.figures.get(fig.code) if w.prefill else None
                ok(ws.write_number(cell.row, cell.col, float(value or 0), w.f[fmt]), cell.ref)
            w.validate(ws, cell, _count_validation(fig), fig.cols)
        w.name(fig.code, cell)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    for row, height in _row_heights(table, list(widths)).items():
        ws.set_row(layout.GRID_TOP + row, height)
    ws.set_row(layout.TITLE_ROW, 28)
    if table.header_rows:  # header rows and label columns stay in view
        first_figure = min(f.col for f in table.figures)
        ws.freeze_panes(layout.GRID_TOP + table.header_rows, first_figure)
    print_setup(ws, landscape=table.n_cols >= 10, one_page=table is not spec.T2)
    ws.repeat_rows(layout.GRID_TOP, layout.GRID_TOP + max(table.header_rows, 1) - 1)
    protect(ws, password)
    return ws


def _info_sheet(w: Writer, unit: Unit, settings: Settings, password: str | None) -> Worksheet:
    ws = w.sheet(layout.INFO)
    panel.banner(w, ws, layout.INFO, "基本信息", INFO_WIDTHS)
    values = {"META_UNIT": unit.name, "META_PARENT": unit.parent, "META_LEVEL": unit.level,
              "META_YEAR": str(settings.year)}
    for fld in spec.META_FIELDS:
        cell = layout.address_of(fld.code)
        w.label(ws, Cell(cell.sheet, cell.row, 0), fld.label)
        if fld.code in values:
            w.label(ws, cell, values[fld.code], "label_left")
        elif fld.code == "META_DATE":
            if "META_DATE" in w.typed:
                w.typed_value(ws, cell, w.typed["META_DATE"], "input_date")
            elif w.prefill and w.prefill.date:
                ok(ws.write_datetime(cell.row, cell.col, dt.datetime.combine(
                    w.prefill.date, dt.time()), w.f["input_date"]), cell.ref)
            else:
                ok(ws.write_blank(cell.row, cell.col, None, w.f["input_date"]), cell.ref)
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
            ok(ws.write_string(cell.row, cell.col, title, w.f["input_text"]), cell.ref)
            w.validate(ws, cell, {"validate": "any", "input_title": fld.label,
                                  "input_message": fld.guidance})
        w.name(fld.code, cell)
    return finish(ws, password, INFO_WIDTHS)


TEXT_ROW_MIN, TEXT_ROW_MAX = 60, 409  # points; 409 is the most a spreadsheet row can be
TEXT_WIDTH = 100
TEXT_WIDTHS = (18, TEXT_WIDTH, 8)
INFO_WIDTHS = (16, 70)


def _text_sheet(w: Writer, unit: Unit, settings: Settings, password: str | None) -> Worksheet:
    ws = w.sheet(layout.TEXT)
    panel.banner(w, ws, layout.TEXT, "正文（每段换行请按 Alt+Enter，每行成为报告中的一段；"
                                    "篇幅长的部分建议先在 Word 中写好再整段粘贴）", TEXT_WIDTHS)
    w.label(ws, Cell(layout.TEXT, layout.FIELD_TOP - 1, 2), "字数")
    for fld in spec.TEXT_FIELDS:
        cell = layout.address_of(fld.code)
        w.label(ws, Cell(cell.sheet, cell.row, 0), fld.label)
        text = default_preamble(unit, settings) if fld.code == "TEXT_PREAMBLE" else ""
        if w.prefill and w.prefill.texts.get(fld.code):
            text = w.prefill.texts[fld.code]
        ok(ws.write_string(cell.row, cell.col, text, w.f["input_text"]), cell.ref)
        w.validate(ws, cell, {"validate": "any", "input_title": fld.label[:32],
                              "input_message": fld.guidance[:GUIDANCE_MAX]})
        w.formula(ws, Cell(cell.sheet, cell.row, 2), f"=LEN({cell.a1})", "count")
        ws.set_row(cell.row, min(TEXT_ROW_MAX, max(TEXT_ROW_MIN, wrapped_height(text, TEXT_WIDTH))))
        w.name(fld.code, cell)
    ws.freeze_panes(layout.FIELD_TOP, 1)
    return finish(ws, password, TEXT_WIDTHS, landscape=True)


def guide_lines(unit: Unit, settings: Settings) -> list[str]:
    """填表说明: what to fill, what the 校验 checks as you type, and what the county checks in
    a workbook — in words for a township clerk, without the rules' codes."""
    deadline = settings.effective_deadline
    contact = (f"联系方式：{settings.contact}" if settings.contact
               else "联系方式：请咨询县政府办（政务公开办）。")
    intro = [
        f"表格格式：{spec.FORMAT_TITLE}。",
        f"报送截止日期：{deadline.year}年{deadline.month}月{deadline.day}日。", contact,
        "只能在浅黄色单元格中填写；灰色单元格为公式，自动计算，已锁定。",
        "数字：没有发生的填 0；空白按 0 处理但会提示；不要填写“/”“—”或“5件”等文字。",
        "收费金额以万元为单位，最多保留 6 位小数；单元格显示填写的全部小数。",
        "正文：每段之间按 Alt+Enter 换行，每行在报告中成为一段；右侧显示字数。",
        "每张表顶部显示校验结果；“校验”表列出每一项检查，未通过的排在最上面，"
        "相关单元格标红。全部“通过”后再报送。",
        "请勿修改表格标签、公式和表结构（可以另加工作表记录备注，县里不读取）。",
        "保存为 .xlsx 格式（WPS 请选择“Excel 文件(*.xlsx)”），不要设置打开密码。",
    ]
    lines = [*intro, "一、本表随填随算的检查（未通过的不能报送）："]
    lines += [f"{i}. {r.title}。{r.fix}" for i, r in enumerate(spec.DECLARED_RULES, 1)]
    lines.append("二、县里汇总时还会核对（本表无法自查；“错误”须改正，“提示”请核实或说明）：")
    county = [r for r in spec.OTHER_RULES if spec.WORKBOOK in r.kinds]
    lines += [f"{i}. {r.title}（{spec.SEVERITY_LABEL[r.severity]}）。{r.fix}"
              for i, r in enumerate(county, 1)]
    return lines


GUIDE_WIDTH = 110
NOTE_WIDTH = 80
GUIDE_WIDTHS = (10, GUIDE_WIDTH)
NOTE_WIDTHS = (40, NOTE_WIDTH, 22)


def _notes_sheet(w: Writer, password: str | None) -> Worksheet:
    """情况说明: for each 提示 a unit may explain, its explanation (NOTE_<CODE>). A 提示 with an
    explanation is reported as 已说明; an error cannot be explained away."""
    sheet = layout.NOTES
    ws = w.sheet(sheet)
    panel.banner(w, ws, sheet, "情况说明（县里核对时会给出“提示”的情况，如数字属实，可在此说明，"
                               "不必改动数字；“错误”不能以说明代替修改）", NOTE_WIDTHS)
    w.label(ws, Cell(sheet, layout.FIELD_TOP - 1, 0), "提示")
    w.label(ws, Cell(sheet, layout.FIELD_TOP - 1, 1), "情况说明（如属实，说明原因）")
    for rule_code, code in zip(spec.EXPLAINABLE, spec.NOTE_CODES, strict=True):
        cell = layout.address_of(code)
        rule = spec.RULES[rule_code]
        w.label(ws, Cell(sheet, cell.row, 0), f"{rule.title}。{rule.fix}", "label_left")
        text = (w.prefill.notes.get(rule_code, "") if w.prefill else "")
        ok(ws.write_string(cell.row, cell.col, text, w.f["input_text"]), cell.ref)
        w.label(ws, Cell(sheet, cell.row, 2), rule_code, "code")
        ws.set_row(cell.row, max(45.0, wrapped_height(f"{rule.title}。{rule.fix}", 40)))
        w.name(code, cell)
    return finish(ws, password, NOTE_WIDTHS, landscape=True)


def _guide_sheet(w: Writer, unit: Unit, settings: Settings, password: str | None) -> Worksheet:
    sheet = layout.GUIDE
    ws = w.sheet(sheet)
    panel.banner(w, ws, sheet, f"{unit.name}{settings.year}年政府信息公开工作年度报告 填表说明",
                 GUIDE_WIDTHS)
    for i, text in enumerate(guide_lines(unit, settings)):
        row = layout.FIELD_TOP + i
        w.label(ws, Cell(sheet, row, 1), text, "text")
        ws.set_row(row, wrapped_height(text, GUIDE_WIDTH))
    return finish(ws, password, GUIDE_WIDTHS, landscape=True)


def _meta(w: Writer, props: dict[str, str]) -> None:
    ws = w.sheet(layout.META)
    for i, (key, value) in enumerate(props.items()):
        ws.write_string(i, 0, key)
        ws.write_string(i, 1, value)
        ok(w.wb.set_custom_property(PROP_PREFIX + key, value), f"property {key}")
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
                prefill: Report | None = None, typed: Mapping[str, object] | None = None,
                review: Sequence[Finding] = ()) -> bytes:
    """The workbook for one unit, as the bytes of an .xlsx file; with ``prefill`` and ``typed``
    everything a unit entered, with ``review`` the county's findings (a returned copy)."""
    return build(unit, settings, password, prefill, typed, review)[0]


def locked_content(unit: Unit, settings: Settings) -> list[tuple[str, str, object]]:
    """What the current template locks for this unit: (sheet, cell, label or formula)."""
    return build(unit, settings)[1]


def build(unit: Unit, settings: Settings, password: str | None = None,
          prefill: Report | None = None, typed: Mapping[str, object] | None = None,
          review: Sequence[Finding] = ()) -> tuple[bytes, list[tuple[str, str, object]]]:
    """The workbook and its locked content; ``prefill`` fills the inputs (tests, benchmarks,
    or last year's texts) without changing what is locked."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"title": f"{unit.name}{settings.year}年政府信息公开工作年度报告",
                       "created": dt.datetime(settings.year + 1, 1, 1), "author": "nianbao"})
    w = Writer(wb, prefill, typed)
    first = review_sheet(w, unit, settings, review) if review else None
    sheets = {layout.GUIDE: _guide_sheet(w, unit, settings, password),
              layout.INFO: _info_sheet(w, unit, settings, password),
              layout.TEXT: _text_sheet(w, unit, settings, password)}
    for table in spec.TABLES:
        sheets[table.name] = _table_sheet(w, table, password)
    panel.panel_sheet(w, password)
    _notes_sheet(w, password)
    panel.calc_sheet(w, password)
    panel.highlights(w, sheets)
    if first is not None:
        mark_findings(w, sheets, review)
    locked = [e for e in w.locked if e[0] in layout.READ_SHEETS]
    _meta(w, properties(unit, settings, digest(locked)))
    if first is None:
        wb.worksheets()[1].activate()
    wb.close()
    return _lock_structure(buf.getvalue()), locked


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
    targets = [str(out_dir / f"{unit_stem(settings.year, u.name)}.xlsx") for u in units]
    work = [(u, settings, password, t) for u, t in zip(units, targets, strict=True)]
    from concurrent.futures import ProcessPoolExecutor

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
