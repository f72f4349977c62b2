"""Every option of ``template`` and of the roster, blank or extreme, gives a template that is
consistent with itself: untouched it has no TEMPLATE_* finding, filled correctly it has no
错误 — directly, after an openpyxl save that keeps or drops empty strings, and after
LibreOffice recalculates and saves it (where CHECK_STATUS must say 通过)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import consistent, needs
from nianbao import spec
from nianbao.api import validate
from nianbao.cli import cli
from nianbao.model.unit import Settings, Unit
from nianbao.outputs.pdf import convert_many
from nianbao.workbook import layout, template
from nianbao.workbook.fill import fill_bytes
from nianbao.workbook.roster import roster_template_bytes

NAMES = ("某镇", "井研县高凤镇人民政府",
         "四川省乐山市井研县人民政府办公室政务公开与电子政务服务中心（县大数据中心）综合科")
PARENTS = ("", "井研县", "  ", "四川省乐山市井研县人民政府")
TEXTS = ("", "某某县政府网站（http://www.example.gov.cn/）", "县政务公开办 0833-1234567")


def options():
    return st.fixed_dictionaries({
        "name": st.sampled_from(NAMES), "parent": st.sampled_from(PARENTS),
        "level": st.sampled_from(spec.LEVELS), "year": st.sampled_from((2000, 2021, 2024, 2100)),
        "deadline": st.sampled_from((None, "same-year", "late")),
        "basis": st.sampled_from(("", "《某市人民政府办公室关于做好年度报告工作的通知》")),
        "website": st.sampled_from(TEXTS[:2]), "contact": st.sampled_from(TEXTS[::2]),
        "password": st.sampled_from((None, "", "nianbao")),
    })


def build(opts: dict) -> tuple[bytes, Unit, Settings]:
    year = opts["year"]
    deadline = {None: None, "same-year": dt.date(year + 1, 1, 10),
                "late": dt.date(year + 1, 3, 31)}[opts["deadline"]]
    unit = Unit(opts["name"], opts["parent"], opts["level"])
    settings = Settings(year, deadline, opts["basis"], opts["website"], opts["contact"])
    return template.build_bytes(unit, settings, opts["password"]), unit, settings


def correct_fill(sample_report, unit: Unit, year: int, seed: int = 0):
    """A consistent report for this unit and year, dated in the following January."""
    report = dataclasses.replace(consistent(sample_report, seed), unit=unit.name,
                                 parent=unit.parent, level=unit.level, year=year,
                                 date=dt.date(year + 1, 1, 15), title="")
    return report


def template_findings(findings) -> list[str]:
    return [f"{f.code} {f.message}" for f in findings if f.code.startswith("TEMPLATE_")]


def resaved(data: bytes, drop_empty: bool) -> bytes:
    """An openpyxl save; ``drop_empty`` also clears every empty-string and blank-text cell, as
    a program that drops empty strings does."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    if drop_empty:
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and not cell.value.strip():
                        cell.value = None
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(opts=options(), drop_empty=st.booleans(), seed=st.integers(0, 999))
def test_any_options_give_a_template_that_is_consistent_with_itself(
        tmp_path, sample_report, opts, drop_empty, seed):
    data, unit, settings_ = build(opts)
    untouched = tmp_path / "untouched.xlsx"
    untouched.write_bytes(data)
    assert template_findings(validate(untouched).findings) == []
    again = tmp_path / "resaved.xlsx"
    again.write_bytes(resaved(data, drop_empty))
    assert template_findings(validate(again).findings) == []
    report = correct_fill(sample_report, unit, opts["year"], seed)
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(resaved(fill_bytes(data, report), drop_empty))
    result = validate(filled)
    assert [f"{f.code} {f.message}" for f in result.findings if f.severity == spec.ERROR] == []
    assert result.unit == unit.name and result.year == opts["year"]


def test_a_blank_parent_is_a_blank_cell_and_no_finding(tmp_path, sample_report):
    data, unit, _ = build({"name": NAMES[1], "parent": "", "level": "乡镇", "year": 2024,
                           "deadline": None, "basis": "", "website": "", "contact": "",
                           "password": None})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    parent = layout.address_of("META_PARENT")
    assert wb[parent.sheet][parent.a1].value is None
    path = tmp_path / "x.xlsx"
    path.write_bytes(fill_bytes(data, correct_fill(sample_report, unit, 2024)))
    assert [f.code for f in validate(path).findings if "PARENT" in f.code or "TEMPLATE" in f.code
            or f.code == "META_MISSING"] == []


def test_a_template_from_an_earlier_version_with_a_blank_parent_still_matches(tmp_path):
    """Templates already sent out stored a fingerprint that counted the blank 上级 as ''."""
    from nianbao.sources import workbook as source
    from nianbao.workbook.fingerprint import digest

    data, _, _ = build({"name": NAMES[1], "parent": "", "level": "乡镇", "year": 2024,
                        "deadline": None, "basis": "", "website": "", "contact": "",
                        "password": None})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    parent = layout.address_of("META_PARENT")
    wb[parent.sheet][parent.a1].value = ""
    entries = [e for e in template.locked_content(Unit(NAMES[1], "", "乡镇"), Settings(2024))]
    legacy = digest([*entries, (parent.sheet, parent.a1, "")], keep_empty=True)
    wb.custom_doc_props["nianbao_fingerprint"].value = legacy
    wb["_meta"]["B" + str(1 + list(template.META_KEYS).index("fingerprint"))] = legacy
    path = tmp_path / "old.xlsx"
    wb.save(path)
    assert legacy != digest(entries)
    assert template_findings(validate(path).findings) == []
    # and a genuinely changed label is still found in such a file
    wb[parent.sheet][parent.a1].value = "另一个上级"
    wb.save(path)
    assert "TEMPLATE_ALTERED" in {f.code for f in validate(path).findings}
    assert source.IDENTITY_LABELS["parent"] == "META_PARENT"


@pytest.mark.parametrize("value", ["", " ", "\n", "\u3000 "])
def test_empty_and_white_space_values_count_as_absent_in_the_fingerprint(value):
    from nianbao.workbook.fingerprint import digest

    base = [("表三", "A1", "标签"), ("表三", "B2", "=SUM(C1:C3)")]
    assert digest([*base, ("基本信息", "B5", value)]) == digest(base)
    assert digest([*base, ("基本信息", "B5", " 标签 ")]) == digest([*base, ("基本信息", "B5", "标签")])
    assert digest([*base, ("基本信息", "B5", "改了")]) != digest(base)


def test_a_roster_with_only_names_and_levels_gives_templates_that_pass(tmp_path, sample_report):
    roster = tmp_path / "名单.xlsx"
    roster.write_bytes(roster_template_bytes(2024))
    wb = openpyxl.load_workbook(roster)
    units = [("某县甲镇人民政府", "乡镇"), ("某县乙街道办事处", "街道"), ("某县财政局", "县级部门")]
    for row, (name, level) in enumerate(units, start=2):
        wb["单位"].cell(row, 1, name)
        wb["单位"].cell(row, 3, level)
    wb["单位"].cell(6, 2, "某县")  # a row with a parent but no name cannot be made
    wb.save(roster)
    out = tmp_path / "模板"
    result = CliRunner().invoke(cli, ["template", "--roster", str(roster), "--out", str(out),
                                      "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "单位表第 6 行没有单位名称，已跳过" in result.output
    assert "名单中有 1 行未生成模板" in result.output
    for name, level in units:
        path = out / f"2024_{name}.xlsx"
        assert template_findings(validate(path).findings) == []
        filled = tmp_path / f"filled-{name}.xlsx"
        filled.write_bytes(fill_bytes(path.read_bytes(),
                                      correct_fill(sample_report, Unit(name, "", level), 2024)))
        assert [f.code for f in validate(filled).findings if f.severity == spec.ERROR] == []


def test_the_single_template_command_without_a_parent_validates_clean(tmp_path):
    out = tmp_path / "x.xlsx"
    result = CliRunner().invoke(cli, ["template", "--year", "2024", "--unit", "某县某镇人民政府",
                                      "--level", "乡镇", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert template_findings(validate(out).findings) == []


@pytest.mark.office
def test_blank_options_survive_a_libreoffice_round_trip_and_the_workbook_says_通过(
        tmp_path, sample_report):
    needs("soffice")
    cases = [
        {"name": NAMES[1], "parent": "", "level": "乡镇", "year": 2024, "deadline": None,
         "basis": "", "website": "", "contact": "", "password": None},
        {"name": NAMES[2], "parent": "", "level": "县级部门", "year": 2100, "deadline": "late",
         "basis": "", "website": "", "contact": "", "password": "nianbao"},
        {"name": NAMES[0], "parent": "  ", "level": "其他", "year": 2000, "deadline": None,
         "basis": "《通知》", "website": TEXTS[1], "contact": TEXTS[2], "password": ""},
    ]
    paths = []
    for i, opts in enumerate(cases):
        data, unit, _ = build(opts)
        untouched = tmp_path / f"untouched-{i}.xlsx"
        untouched.write_bytes(data)
        filled = tmp_path / f"filled-{i}.xlsx"
        filled.write_bytes(fill_bytes(data, correct_fill(sample_report, unit, opts["year"], i)))
        paths += [untouched, filled]
    saved = convert_many(paths, "xlsx", tmp_path / "lo", recalc=True, jobs=2)
    for original, out in zip(paths, saved, strict=True):
        result = validate(out)
        assert template_findings(result.findings) == [], original.name
        if original.name.startswith("filled"):
            assert [f.code for f in result.findings if f.severity == spec.ERROR] == []
            values = openpyxl.load_workbook(out, data_only=True)
            sheet, coord = next(iter(values.defined_names[layout.STATUS_NAME].destinations))
            assert values[sheet][coord.replace("$", "")].value == "通过", original.name
