"""The generated workbook: locked, validated, named, and identical to the committed master."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner
from lxml import etree

from nianbao import assets, spec
from nianbao.cli import cli
from nianbao.model.unit import Settings, Unit
from nianbao.workbook import layout, panel, template
from nianbao.workbook.roster import SETTING_HINTS, roster_template_bytes
from nianbao.workbook.writer import text_units


@pytest.fixture(scope="module")
def book(sample_template):
    return openpyxl.load_workbook(io.BytesIO(sample_template))


def merged_span(fig: spec.Figure) -> set[tuple[str, str]]:
    cell = layout.address_of(fig.code)
    return {(cell.sheet, layout.Cell(cell.sheet, cell.row, cell.col + i).a1) for i in range(fig.cols)}


def expected_unlocked() -> set[tuple[str, str]]:
    cells: set[tuple[str, str]] = set()
    for code in layout.INPUT_NAMES:
        if code in spec.FIGURES:
            cells |= merged_span(spec.FIGURES[code])
        else:
            cell = layout.address_of(code)
            cells.add((cell.sheet, cell.a1))
    return cells


def test_every_sheet_is_protected_and_the_structure_locked(book, sample_template):
    assert [ws.title for ws in book.worksheets] == [*layout.SHEETS, layout.META]
    assert book[layout.CALC].sheet_state == "veryHidden"
    for ws in book.worksheets:
        assert ws.protection.sheet, ws.title
    assert book.security.lockStructure
    assert book[layout.META].sheet_state == "veryHidden"
    names = zipfile.ZipFile(io.BytesIO(sample_template)).namelist()
    assert not [n for n in names if "externalLink" in n or "vbaProject" in n]


def test_exactly_the_input_cells_are_unlocked(book):
    unlocked = {(ws.title, c.coordinate) for ws in book.worksheets for row in ws.iter_rows()
                for c in row if c.has_style and not c.protection.locked}
    assert unlocked == expected_unlocked()


def test_every_numeric_input_has_its_validation(book):
    for code in spec.INPUT_CODES:
        fig = spec.FIGURES[code]
        cell = layout.address_of(code)
        rules = [dv for dv in book[cell.sheet].data_validations.dataValidation
                 if cell.a1 in dv.sqref]
        assert len(rules) == 1, code
        dv = rules[0]
        if fig.kind == spec.AMOUNT:
            assert dv.type == "custom" and "ROUND($B$16,6)=$B$16" in dv.formula1
        else:
            assert dv.type == "whole"
            assert dv.operator == "greaterThanOrEqual" and dv.formula1 == "0"
        assert dv.errorStyle in (None, "stop") and dv.showErrorMessage and dv.error and dv.prompt
        assert book[cell.sheet][cell.a1].value == 0


def test_every_contract_name_points_at_its_labelled_cell(book):
    names = book.defined_names
    for code, fig in spec.FIGURES.items():
        sheet, coord = next(iter(names[code].destinations))
        cell = layout.address_of(code)
        assert (sheet, coord.replace("$", "")) == (cell.sheet, cell.a1)
        ws = book[sheet]
        table = spec.FIGURE_TABLE[code]
        row_texts = {str(ws.cell(cell.row + 1, c + 1).value) for c in range(3)}
        col_texts = {str(ws.cell(layout.GRID_TOP + r + 1, cell.col + 1).value)
                     for r in range(max(table.header_rows, 1))}
        item = fig.row_name.split(" ")[-1]
        if table is spec.T2:
            header_row = fig.row - (fig.row - 1 if fig.row <= 3 else {6: 1, 9: 1, 10: 2, 13: 1}[fig.row])
            col_texts = {str(ws.cell(layout.GRID_TOP + header_row + 1, cell.col + 1).value)}
        if table is spec.T4:
            assert fig.col_name in col_texts, code
        else:
            assert item in row_texts, code
            assert fig.col_name in col_texts, code
    for fld in spec.META_FIELDS + spec.TEXT_FIELDS:
        sheet, coord = next(iter(names[fld.code].destinations))
        cell = layout.address_of(fld.code)
        assert book[sheet].cell(cell.row + 1, 1).value == fld.label
    sheet, coord = next(iter(names["CHECK_STATUS"].destinations))
    assert (sheet, coord.replace("$", "")) == (layout.PANEL, "B1")


def test_totals_and_checks_are_formulas_from_the_rules(book):
    ws, calc = book["表三"], book[layout.CALC]
    j6, d29 = layout.value_cell("T3_NEW_TOTAL"), layout.value_cell("T3_TOTAL_NATURAL")
    assert ws["J6"].value == f"=IF(ISERROR('_calc'!${j6.a1[0]}${j6.a1[1:]}),\"—\",'_calc'!${j6.a1[0]}${j6.a1[1:]})"
    first, last = layout.value_cell("T3_NEW_NATURAL"), layout.value_cell("T3_NEW_OTHER")
    assert calc[j6.a1].value == f"=SUM(${first.a1[0]}${first.a1[1:]}:${last.a1[0]}${last.a1[1:]})"
    assert calc[d29.a1].value.startswith("=SUM(")
    panel = book[layout.PANEL]
    rows = list(panel.iter_rows(min_row=layout.PANEL_TOP + 1, values_only=True))
    assert len(rows) == len(spec.CHECKS)
    assert [r[3] for r in rows] == [c.rule_code for c in spec.CHECKS]
    assert all(str(r[layout.RESULT_COL]).startswith("=IF(ISERROR(") for r in rows)
    assert panel["B1"].value.startswith("=IF(")
    assert book[layout.CALC].sheet_state == "veryHidden"


def test_the_panel_speaks_chinese(book):
    panel, guide = book[layout.PANEL], book[layout.GUIDE]
    descriptions = [r[1] for r in panel.iter_rows(min_row=layout.PANEL_TOP + 1, values_only=True)]
    guide_text = [r[1] for r in guide.iter_rows(min_row=layout.FIELD_TOP + 1, values_only=True)
                  if r[1]]
    for text in descriptions + guide_text:
        assert not re.search(r"[A-Z]{2,}_[A-Z]", text), text  # no rule code in what is read
        assert "--" not in text and "nianbao" not in text, text
    assert any("县里汇总时还会核对" in t for t in guide_text)
    assert panel.cell(layout.PANEL_HEADER + 1, 4).value == "规则"  # codes kept aside


def test_metadata_is_stored_as_string_properties(book):
    props = {p.name: p.value for p in book.custom_doc_props.props}
    assert props["nianbao_format"] == spec.FORMAT_ID
    assert props["nianbao_unit"] == "井研县高凤镇人民政府" and props["nianbao_year"] == "2024"
    assert props["nianbao_level"] == "乡镇" and len(props["nianbao_fingerprint"]) == 32
    meta = {r[0]: r[1] for r in book[layout.META].iter_rows(values_only=True)}
    assert meta["unit"] == "井研县高凤镇人民政府"


def formula_cells(data: bytes) -> list[tuple[str, str, str | None]]:
    """(part, cell, cached value text) of every formula cell of every worksheet."""
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for part in zf.namelist():
            if part.startswith("xl/worksheets/sheet"):
                for c in etree.fromstring(zf.read(part)).iter(f"{ns}c"):
                    if c.find(f"{ns}f") is not None:
                        v = c.find(f"{ns}v")
                        found.append((part, c.get("r"), None if v is None else v.text))
    return found


def test_formula_cells_carry_no_stale_cached_value(sample_template):
    cells = formula_cells(sample_template)
    assert len(cells) > 100  # every total, every panel line, every banner
    stale = [c for c in cells if c[2] not in (None, "")]
    assert stale == []


def test_the_stale_value_check_would_see_a_cached_zero(sample_template):
    from rule_cases import cache_total

    cached = formula_cells(cache_total("0")(sample_template))
    assert [c for c in cached if c[2] not in (None, "")] == [("xl/worksheets/sheet5.xml", "J6", "0")]  # 表三


def test_the_committed_master_template_is_current():
    assert assets.build_assets(check=True) == []


def test_a_password_protects_every_sheet(sample_report):
    from nianbao.model.unit import Settings, Unit

    data = template.build_bytes(Unit("某镇人民政府", "某县", "乡镇"), Settings(2024), "secret")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert all(ws.protection.password for ws in wb.worksheets if ws.title != layout.META)


def test_template_command_writes_one_workbook(tmp_path):
    out = tmp_path / "高凤镇.xlsx"
    result = CliRunner().invoke(cli, ["template", "--year", "2024", "--unit", "井研县高凤镇人民政府",
                                      "--parent", "井研县", "--level", "乡镇", "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb["基本信息"]["B4"].value == "井研县高凤镇人民政府"
    assert wb["基本信息"]["B9"].value == "井研县高凤镇人民政府2024年政府信息公开工作年度报告"


def _roster(tmp_path, units):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(roster_template_bytes(2024))
    wb = openpyxl.load_workbook(path)
    wb["设置"]["B3"] = "2025-01-20"
    wb["设置"]["B4"] = "《乐山市人民政府办公室关于做好2024年政府信息公开工作年度报告编制发布工作的通知》"
    wb["设置"]["B5"] = "井研县政府网站（http://www.jingyan.gov.cn/）"
    for i, row in enumerate(units, start=2):
        for j, value in enumerate(row):
            wb["单位"].cell(i, j + 1, value)
    wb.save(path)
    return path


def test_roster_template_has_settings_units_and_level_validation(tmp_path):
    result = CliRunner().invoke(cli, ["roster-template", "-o", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert wb.sheetnames == ["设置", "单位"]
    assert [c.value for c in wb["单位"][1]] == ["单位名称（必填）", "上级（选填）", "层级（必填）",
                                              "联系人（选填）", "联系电话（选填）"]
    assert [c.value for c in wb["设置"]["C"]][1:] == [h for h in SETTING_HINTS]
    assert wb["设置"]["C2"].value.startswith("必填") and wb["设置"]["C3"].value.startswith("选填")
    assert "不填时报告中不写上级" in wb["单位"]["B1"].comment.text
    dv = wb["单位"].data_validations.dataValidation[0]
    assert dv.type == "list" and "乡镇" in dv.formula1


def test_templates_from_a_roster_one_per_unit_with_safe_names(tmp_path):
    roster = _roster(tmp_path, [
        ("井研县高凤镇人民政府", "井研县", "乡镇"), (), ("井研县研城街道办事处", "井研县", "街道"),
        ("井研县高凤镇人民政府", "井研县", "乡镇"), ("CON", "井研县", "县级部门"),
        ("井研/县*财政局?", "井研县", "县级部门"), ("坏层级单位", "井研县", "村"),
    ])
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["template", "--roster", str(roster), "--out", str(out)])
    assert result.exit_code == 1  # the invalid level
    assert "第 5 行“井研县高凤镇人民政府”与第 2 行重复" in result.output
    assert "单位表第 3 行为空，已跳过" in result.output
    assert "层级“村”无效" in result.output
    names = sorted(p.name for p in out.iterdir())
    unsafe = next(n for n in names if n.startswith("2024_井研_县_财政局_"))
    assert re.fullmatch(r"2024_井研_县_财政局_-[0-9a-f]{8}\.xlsx", unsafe)  # lossy: hashed
    assert names == sorted(["2024_井研县高凤镇人民政府.xlsx", "2024_井研县研城街道办事处.xlsx",
                            "2024_CON.xlsx", unsafe])
    wb = openpyxl.load_workbook(out / "2024_井研县研城街道办事处.xlsx")
    assert "乐山市人民政府办公室" in wb["正文"]["B4"].value
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["nianbao_deadline"] == "2025-01-20"


def test_the_master_check_notices_a_changed_label_or_style():
    master = assets.master_bytes()
    wb = openpyxl.load_workbook(io.BytesIO(master))
    wb["表三"]["B9"].value = "（一）予以公开（改）"
    buf = io.BytesIO()
    wb.save(buf)
    path = assets.ROOT / "workbook_templates" / assets.MASTER_NAME
    assert assets.same_content(path, master, master)
    assert not assets.same_content(path, buf.getvalue(), master)
    from nianbao.outputs import docstyle

    ref = assets.ROOT / "src" / "nianbao" / "data" / "reference.docx"
    default = docstyle.build_reference()
    assert assets.same_content(ref, default, default)
    assert not assets.same_content(ref, docstyle.build_reference(docstyle.Fonts(body="仿宋")), default)


def test_every_banner_fits_its_cell_at_the_templates_column_widths(book):
    """The longest verdict a banner can show (any line, a three-digit count, seven-digit
    figures) wraps inside B1's merged cell at the sheet's column widths and the row's height."""
    longest = panel.banner_text()
    assert "1234567" in longest and "不相等" in longest
    for sheet in layout.VISIBLE_SHEETS:
        if sheet == layout.PANEL:
            continue
        ws = book[sheet]
        merged = [r for r in ws.merged_cells.ranges if r.min_row == 1 and r.min_col == 2]
        last = merged[0].max_col if merged else 2
        widths = {c: d.width for d in ws.column_dimensions.values()  # openpyxl groups runs
                  for c in range(d.min, d.max + 1)}
        units = sum(widths[c] for c in range(2, last + 1))
        lines = ws.row_dimensions[1].height / 15.0
        per_line = units - 1
        assert lines * per_line >= text_units(longest), (sheet, units, lines)


def test_the_guide_lists_only_what_a_workbook_can_be_told():
    lines = template.guide_lines(Unit("某某镇人民政府", "某某县", "乡镇"), Settings(2024))
    text = "\n".join(lines)
    for rule in spec.OTHER_RULES:
        assert (rule.title in text) == (spec.WORKBOOK in rule.kinds), rule.code
    assert "印出的合计" not in text and "2019 年试行" not in text
    assert not re.search(r"[A-Z]{2,}_[A-Z]", text)
