"""The campaign workbook (名单.xlsx): the year's settings and the units that report."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from .. import spec
from ..errors import FileProblem, RosterError
from ..model.unit import Settings, Unit
from ..model.values import parse_date
from . import reader as xlsx

SETTINGS_SHEET = "设置"
UNITS_SHEET = "单位"
SETTING_LABELS = ("年度", "报送截止日期", "编制依据", "政府网站名称与网址", "联系方式")
UNIT_COLUMNS = ("单位名称", "上级", "层级", "联系人", "联系电话")
#: What the 单位 sheet's header says of each column: required or not, and what blank means.
UNIT_HINTS = ("必填。机关全称，如 井研县高凤镇人民政府；每个单位一行，不要重复。",
              "选填。如 井研县；不填时报告中不写上级，校验也不要求。",
              "必填，从下拉列表中选择；不填记为“其他”。",
              "选填。催报通知中写给该单位的联系人。",
              "选填。催报通知中写给该单位的联系电话。")
SETTING_HINTS = ("必填。报告年度，四位数字，如 2024。",
                 "选填。如 2025-01-31；不填则按次年 1 月 31 日。",
                 "选填。各单位导语中引用的通知，如《××市人民政府办公室关于做好2024年政府信息公开"
                 "工作年度报告编制发布工作的通知》。",
                 "选填。如 井研县政府网站（http://www.jingyan.gov.cn/）。",
                 "选填。写入每个模板的填表说明，如 县政务公开办 张三 0833-1234567。")
MAX_UNITS = 10_000


@dataclass(frozen=True)
class Roster:
    settings: Settings
    units: tuple[Unit, ...]
    notes: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    skipped_rows: int = 0  # rows with content that gave no unit (no name, repeated, bad level)


def roster_template_bytes(year: int | None = None, *, website: str = "",
                          units: tuple[Unit, ...] = ()) -> bytes:
    """A blank 名单 (设置 + 单位); with `website` and `units` a filled one (the demo round's)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    cell = wb.add_format({"border": 1})
    note = wb.add_format({"border": 1, "font_color": "#595959", "text_wrap": True})
    ws = wb.add_worksheet(SETTINGS_SHEET)
    ws.write_row(0, 0, ("项目", "内容", "说明"), head)
    hints = (str(year or dt.date.today().year - 1), "", "", website, "")
    for i, (label, value, hint) in enumerate(zip(SETTING_LABELS, hints, SETTING_HINTS,
                                                strict=True), start=1):
        ws.write_string(i, 0, label, cell)
        if value:
            ws.write_string(i, 1, value, cell)
        else:  # a blank, never '' (an empty string is not "not filled in" to every reader)
            ws.write_blank(i, 1, None, cell)
        ws.write_string(i, 2, hint, note)
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, 70)
    ws.set_column(2, 2, 60)
    ws = wb.add_worksheet(UNITS_SHEET)
    ws.write_row(0, 0, [f"{name}（{hint[:2]}）" for name, hint in zip(UNIT_COLUMNS, UNIT_HINTS,
                                                                  strict=True)], head)
    for col, hint in enumerate(UNIT_HINTS):
        ws.write_comment(0, col, hint)
    for r, unit in enumerate(units, start=1):
        for c, value in enumerate((unit.name, unit.parent, unit.level, unit.contact, unit.phone)):
            if value:
                ws.write_string(r, c, value, cell)
    ws.data_validation(1, 2, MAX_UNITS, 2, {
        "validate": "list", "source": list(spec.LEVELS), "input_title": "层级",
        "input_message": "从下拉列表中选择", "error_title": "层级无效",
        "error_message": "请从下拉列表中选择层级。"})
    ws.set_column(0, 0, 36)
    ws.set_column(1, 4, 14)
    ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


def _text(wb: xlsx.Workbook, sheet: str, a1: str) -> str:
    cell = wb.cell(sheet, a1)
    return "" if cell is None else cell.text


def read_roster(path: Path) -> Roster:
    try:
        wb = xlsx.read(path)
    except FileProblem as exc:
        raise RosterError(f"{path}：{exc.message}") from exc
    if SETTINGS_SHEET not in wb.cells or UNITS_SHEET not in wb.cells:
        raise RosterError(f"{path}：缺少“{SETTINGS_SHEET}”或“{UNITS_SHEET}”工作表，"
                          "请用 nianbao roster-template 生成名单")
    values = {_text(wb, SETTINGS_SHEET, f"A{r}"): r for r in range(2, 20)}
    def setting(label: str) -> str:
        row = values.get(label)
        return _text(wb, SETTINGS_SHEET, f"B{row}") if row else ""
    year_text = setting("年度")
    if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
        raise RosterError(f"{path}：设置表“年度”应为四位年份，现为“{year_text}”")
    deadline = None
    deadline_row = values.get("报送截止日期")
    if deadline_row:
        cell = wb.cell(SETTINGS_SHEET, f"B{deadline_row}")
        deadline, status = parse_date(None if cell is None else cell.value, wb.date1904)
        if status == "unreadable":
            raise RosterError(f"{path}：设置表“报送截止日期”无法识别，请按 2025-01-31 填写")
    settings = Settings(int(year_text), deadline, setting("编制依据"),
                        setting("政府网站名称与网址"), setting("联系方式"))
    units, notes, errors, skipped = _units(wb)
    return Roster(settings, tuple(units), tuple(notes), tuple(errors), skipped)


def _units(wb: xlsx.Workbook) -> tuple[list[Unit], list[str], list[str], int]:
    """The 单位 sheet's rows: units, notes on skipped rows, errors on unusable ones, and how
    many rows with content gave no unit."""
    units: list[Unit] = []
    notes: list[str] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    skipped = 0
    last = max((int(a1.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) for a1 in wb.cells[UNITS_SHEET]),
               default=1)
    for row in range(2, last + 1):
        name, parent, level, contact, phone = (_text(wb, UNITS_SHEET, f"{col}{row}")
                                               for col in "ABCDE")
        if not any((name, parent, level, contact, phone)):
            notes.append(f"单位表第 {row} 行为空，已跳过")
            continue
        if not name:
            notes.append(f"单位表第 {row} 行没有单位名称，已跳过")
            skipped += 1
        elif name in seen:
            notes.append(f"单位表第 {row} 行“{name}”与第 {seen[name]} 行重复，已跳过")
            skipped += 1
        elif level and level not in spec.LEVELS:
            errors.append(f"单位表第 {row} 行“{name}”的层级“{level}”无效，未生成模板，应为："
                          + "、".join(spec.LEVELS))
            skipped += 1
        else:
            seen[name] = row
            units.append(Unit(name, parent, level or "其他", contact, phone))
    return units, notes, errors, skipped
