"""Real-office parity: LibreOffice recalculates generated workbooks and must agree with Python."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from conftest import consistent, needs, with_figures
from nianbao import sources, spec
from nianbao.api import validate
from nianbao.checks.registry import values_of
from nianbao.outputs.pdf import convert_many
from nianbao.workbook import layout
from nianbao.workbook.fill import fill_bytes

pytestmark = pytest.mark.office

#: name → (figure changes, raw overrides). Each breaking fill breaks at least one rule.
FILLS = {
    "sample": ({}, {}),
    "consistent_1": ("seed", {}),
    "consistent_2": ("seed2", {}),
    "balance_broken": ({"T3_NEW_LEGAL": 4, "T3_GRANTED_NATURAL": 1}, {}),
    "negative": ({"T2_PENALTY": -3}, {}),
    "fraction": ({"T4_SUIT_DIRECT_PENDING": "2.5"}, {}),
    "fee_seven_places": ({"T2_FEES": "1.0000001"}, {}),
    "fee_fine": ({"T2_FEES": "5949.088667"}, {}),
    "blank_cell": ({}, {"T3_GRANTED_OTHER": None}),
}


@pytest.fixture(scope="module")
def recalculated(sample_report, sample_template, tmp_path_factory):
    """Each fill: (report the Python side sees, the workbook LibreOffice recalculated and saved)."""
    needs("soffice")
    tmp = tmp_path_factory.mktemp("office")
    sources, reports = [], {}
    for name, (changes, raw) in FILLS.items():
        if changes == "seed":
            report = consistent(sample_report, 1)
        elif changes == "seed2":
            report = consistent(sample_report, 2)
        else:
            report = with_figures(sample_report, **changes)
        path = tmp / f"{name}.xlsx"
        path.write_bytes(fill_bytes(sample_template, report, raw))
        sources.append(path)
        reports[name] = path
    outs = convert_many(sources, "xlsx", tmp / "lo", recalc=True)
    return {name: (reports[name], out) for name, out in zip(FILLS, outs, strict=False)}


def _cached(path):
    return openpyxl.load_workbook(path, data_only=True)


@pytest.mark.parametrize("name", list(FILLS))
def test_libreoffice_totals_and_checks_equal_the_python_rules(recalculated, name):
    filled, saved = recalculated[name]
    read = sources.read(filled)
    values = values_of(read.report, read.unreadable)
    wb = _cached(saved)
    for code in spec.COMPUTED:
        cell = layout.address_of(code)
        assert Decimal(str(wb[cell.sheet][cell.a1].value)) == read.report.figures[code], code
    panel = wb[layout.PANEL]
    failing = 0
    for i, chk in enumerate(spec.CHECKS):
        office = panel.cell(layout.panel_row(i) + 1, layout.RESULT_COL + 1).value
        python = chk.condition.holds(values)
        failing += not python
        assert office == ("通过" if python else "不通过"), (i, chk.rule_code, chk.prefix)
    status = layout.STATUS
    assert wb[status.sheet][status.a1].value == ("通过" if failing == 0 else "不通过")
    for sheet in layout.VISIBLE_SHEETS:
        if sheet == layout.PANEL:
            continue  # its B1 is CHECK_STATUS itself
        banner = wb[sheet]["B1"].value
        assert banner == "通过" if failing == 0 else banner.startswith(f"不通过（{failing} 项）")


def test_breaking_fills_really_break_a_rule(recalculated):
    for name in ("balance_broken", "negative", "fraction", "fee_seven_places"):
        wb = _cached(recalculated[name][1])
        assert wb[layout.PANEL]["B1"].value == "不通过", name


@pytest.mark.parametrize("name", ["sample", "consistent_1", "balance_broken"])
def test_a_libreoffice_save_is_still_recognised_and_unaltered(recalculated, name):
    filled, saved = recalculated[name]
    before, after = validate(filled), validate(saved)
    assert not after.problem
    assert (after.unit, after.year) == ("井研县高凤镇人民政府", 2024)
    codes = {f.code for f in after.findings}
    assert "TEMPLATE_ALTERED" not in codes and "CACHED_MISMATCH" not in codes
    assert [f.code for f in after.findings] == [f.code for f in before.findings]
    wb = openpyxl.load_workbook(saved)
    assert set(layout.INPUT_NAMES) | {"CHECK_STATUS"} <= set(wb.defined_names)
    original = openpyxl.load_workbook(filled)
    for ws in original.worksheets:  # protection and every validation survive the save
        kept = wb[ws.title]
        assert kept.protection.sheet
        assert _validations(ws) == _validations(kept), ws.title
    props = {p.name: str(p.value) for p in wb.custom_doc_props.props}
    assert props["nianbao_unit"] == "井研县高凤镇人民政府"


def test_an_openpyxl_script_fill_counts_as_an_unaltered_return(sample_report, sample_template,
                                                               tmp_path):
    report = consistent(sample_report, 3)
    path = tmp_path / "script.xlsx"
    path.write_bytes(fill_bytes(sample_template, report))
    result = validate(path)
    assert result.ok and "TEMPLATE_ALTERED" not in {f.code for f in result.findings}
    read = sources.read(path)
    assert read.report.figures == report.figures


def test_a_blank_template_reads_as_failing_and_the_sample_as_passing(sample_template,
                                                                   sample_report, tmp_path):
    needs("soffice")
    blank, filled = tmp_path / "blank.xlsx", tmp_path / "filled.xlsx"
    blank.write_bytes(sample_template)
    filled.write_bytes(fill_bytes(sample_template, sample_report))
    outs = convert_many([blank, filled], "xlsx", tmp_path / "lo")  # default profile: no recalc
    status = [openpyxl.load_workbook(io.BytesIO(o.read_bytes()), data_only=True)[layout.PANEL]
              for o in outs]  # empty cached values are computed on load
    assert status[0]["B1"].value == "不通过"  # seven sections of text still empty
    assert status[1]["B1"].value == "通过"
    assert status[0]["A3"].value.startswith("未通过 7 项")


def _validations(ws):
    """(range, type, rule) of every validation; LibreOffice adds a dummy 0 to 'any' rules."""
    return sorted((str(d.sqref), d.type, d.formula1 if d.type else None)
                  for d in ws.data_validations.dataValidation)


def openpyxl_view(path):
    """The same workbook read by a second implementation: openpyxl through the defined names."""
    wb = openpyxl.load_workbook(path)
    values = {}
    for code in layout.INPUT_NAMES:
        sheet, coord = next(iter(wb.defined_names[code].destinations))
        values[code] = wb[sheet][coord.replace("$", "")].value
    return values


@pytest.mark.parametrize("name", list(FILLS))
def test_the_lean_reader_agrees_with_openpyxl(recalculated, name):
    for path in recalculated[name]:
        read = sources.read(path).report
        for code, value in openpyxl_view(path).items():
            if code in spec.FIGURES:
                ours = read.figures.get(code)
                assert (ours is None and value in (None, "")) or ours == Decimal(str(value)), code
            elif code.startswith("TEXT_"):
                assert read.texts[code] == (value or "").strip(), code
            elif code == "META_TITLE":
                assert read.title == value
