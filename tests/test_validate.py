"""nianbao validate: exit codes, output, cross-year input, properties, steady memory."""

from __future__ import annotations

import dataclasses
import gc
import json
import tracemalloc
from decimal import Decimal

from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from conftest import consistent, with_figures
from nianbao import sources, spec
from nianbao.api import validate
from nianbao.checks import check_reading
from nianbao.cli import cli
from nianbao.model import jsonform as rj
from nianbao.sources.base import Reading


def run(*args):
    return CliRunner().invoke(cli, ["validate", *map(str, args)])


def test_the_filled_sample_passes_with_exit_0(sample_report, filled):
    result = run(filled(sample_report))
    assert result.exit_code == 0, result.output
    assert "通过" in result.output and "错误 0 条" in result.output


def test_errors_exit_1_and_come_first_with_cells(sample_report, filled):
    bad = with_figures(sample_report, T3_NEW_NATURAL=3, T3_GRANTED_NATURAL=2)
    path = filled(bad, overrides={"T4_REVIEW_UPHELD": None})
    result = run(path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{path}（井研县高凤镇人民政府 2024 年度）：不通过")
    assert lines[1].startswith("  错误 [T3_BALANCE] 表三 自然人列（表三!D6")
    assert "本年新收 3 + 上年结转 0 = 3，但（七）总计 2 + 结转下年度 0 = 2，相差 1" in lines[1]
    assert lines[-1].startswith("  提示")


def test_strict_turns_warnings_into_exit_1(sample_report, filled):
    path = filled(sample_report, overrides={"T4_REVIEW_UPHELD": None})
    assert run(path).exit_code == 0
    assert run("--strict", path).exit_code == 1


def test_json_schema_per_file(sample_report, filled):
    bad = with_figures(sample_report, T3_NEW_LEGAL=1)
    result = run("--format", "json", filled(bad))
    data = json.loads(result.output)
    assert list(data[0]) == ["file", "unit", "year", "ok", "findings"]
    first = data[0]["findings"][0]
    assert list(first) == ["code", "severity", "table", "row", "column", "cells", "message"]
    assert first["severity"] == "error" and first["table"] == "表三"
    assert first["column"] == "法律服务机构" and "表三!H6" in first["cells"]


def test_previous_year_from_a_workbook_or_its_json(sample_report, filled, tmp_path):
    last = dataclasses.replace(with_figures(sample_report, T3_NEW_NATURAL=2, T3_GRANTED_NATURAL=1,
                                            T3_CARRIED_FORWARD_NATURAL=1), year=2023)
    this = with_figures(sample_report, T3_CARRIED_IN_NATURAL=0)
    path = filled(this)
    json_path = tmp_path / "2023.json"
    json_path.write_text(rj.dumps(last), encoding="utf-8")
    result = run("--previous", json_path, path)
    assert result.exit_code == 1
    assert "[PREVIOUS_CARRIED] 表三 “二、上年结转政府信息公开申请数量”行 自然人列" in result.output
    good = with_figures(sample_report, T3_CARRIED_IN_NATURAL=1, T3_GRANTED_NATURAL=1)
    assert run("--previous", json_path, filled(good, "good.xlsx")).exit_code == 0
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    result = run("--previous", broken, path)
    assert result.exit_code == 3 and "上年度文件" in result.output


def test_a_report_json_validates_like_its_workbook(sample_report, filled, tmp_path):
    bad = with_figures(sample_report, T2_REG_INFORCE=2)
    path = tmp_path / "bad.json"
    path.write_text(rj.dumps(bad), encoding="utf-8")
    codes_json = {f.code for f in validate(path).findings}
    codes_xlsx = {f.code for f in validate(filled(bad)).findings}
    assert codes_json == codes_xlsx == {"REGULATION_NOT_ALLOWED"}


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_any_consistent_fill_validates_clean(sample_report, seed):
    report = consistent(sample_report, seed)
    result = check_reading(Reading(report), "x")
    assert [f.code for f in result.findings if f.is_error] == []


ROWS = ["NEW", "CARRIED_IN", *spec.T3_RESULT_ROWS, "CARRIED_FORWARD"]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(spec.T3_APPLICANTS), st.sampled_from(ROWS),
       st.integers(1, 5))
def test_a_single_cell_change_is_caught_at_its_column(sample_report, seed, column, row, delta):
    base = consistent(sample_report, seed)
    code = f"T3_{row}_{column[0]}"
    changed = with_figures(base, **{code: int(base.figure(code)) + delta})
    findings = check_reading(Reading(changed), "x").findings
    balance = {f.column for f in findings if f.code == "T3_BALANCE"}
    assert balance == {column[1], "总计"}


def test_a_changed_cell_in_a_workbook_is_caught_at_that_column(sample_report, filled):
    base = consistent(sample_report, 7)
    path = filled(base, overrides={"T3_DENIED_4_RESEARCH": int(base.figure("T3_DENIED_4_RESEARCH")) + 1})
    found = [f for f in validate(path).findings if f.code == "T3_BALANCE"]
    assert {f.column for f in found} == {"科研机构", "总计"}
    assert "表三!F6" in found[0].cells


def test_validating_200_files_keeps_memory_steady(sample_report, filled):
    paths = [filled(consistent(sample_report, i), f"f{i}.xlsx") for i in range(5)]
    tracemalloc.start()
    for i in range(40):
        validate(paths[i % 5])
    gc.collect()
    early = tracemalloc.get_traced_memory()[0]
    for i in range(160):
        validate(paths[i % 5])
    gc.collect()
    late = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert late - early < 512 * 1024, (early, late)


def test_a_fee_typed_with_precision_is_read_exactly(sample_report, filled):
    path = filled(sample_report, overrides={"T2_FEES": 5949.088667})
    assert sources.read(path).report.figures["T2_FEES"] == Decimal("5949.088667")


def test_an_altered_template_says_which_cells_changed(sample_report, sample_template, tmp_path):
    from nianbao.workbook.fill import fill_bytes
    from rule_cases import _set_formula, _set_label, with_openpyxl

    data = with_openpyxl(_set_formula)(with_openpyxl(_set_label)(
        fill_bytes(sample_template, sample_report)))
    path = tmp_path / "altered.xlsx"
    path.write_bytes(data)
    altered = [f for f in validate(path).findings if f.code == "TEMPLATE_ALTERED"]
    assert len(altered) == 1 and altered[0].is_error
    assert "表三!B9 的标签由“（二）部分公开（区分处理的" in altered[0].message
    assert "改为“（一）予以公开（含部分）”" in altered[0].message
    assert "表三!J6 的公式被改为 =D6" in altered[0].message


def test_an_inserted_row_is_named_as_the_clerk_made_it(sample_report, sample_template, tmp_path):
    from nianbao.workbook.fill import fill_bytes
    from rule_cases import with_openpyxl

    def insert(wb):
        wb["表三"].insert_rows(9)  # openpyxl moves the cells, not the formulas: as a careless tool

    path = tmp_path / "inserted.xlsx"
    path.write_bytes(with_openpyxl(insert)(fill_bytes(sample_template, sample_report)))
    altered = [f for f in validate(path).findings if f.code == "TEMPLATE_ALTERED"]
    assert len(altered) == 1
    assert "表三 第 9 行前插入了 1 行" in altered[0].message
    assert "校验" not in altered[0].message  # consequences elsewhere are not listed


def test_a_notes_sheet_is_not_an_alteration(sample_report, sample_template, tmp_path):
    from nianbao.workbook.fill import fill_bytes
    from rule_cases import _add_sheet, with_openpyxl

    path = tmp_path / "notes.xlsx"
    path.write_bytes(with_openpyxl(_add_sheet)(fill_bytes(sample_template, sample_report)))
    codes = [f.code for f in validate(path).findings]
    assert codes == ["EXTRA_SHEET"]


def test_the_library_api_returns_the_check_result(sample_report, filled):
    import nianbao

    result = nianbao.validate(filled(with_figures(sample_report, T3_NEW_LEGAL=1)))
    assert not result.ok and result.errors == 2  # the 法律服务机构 column and the 总计 column
    assert result.to_dict()["findings"][0]["code"] == "T3_BALANCE"


def test_error_values_and_booleans_are_shown_as_the_office_shows_them(sample_report, sample_template,
                                                                      tmp_path):
    from nianbao.workbook import layout
    from nianbao.workbook.fill import fill_bytes
    from rule_cases import patch_member, sheet_member

    data = fill_bytes(sample_template, sample_report, {"T2_LICENSE": True})
    penalty = layout.address_of("T2_PENALTY").a1

    def error(xml: str) -> str:
        import re

        return re.sub(rf'<c r="{penalty}"([^>]*?)(/>|>.*?</c>)',
                      rf'<c r="{penalty}" t="e"><v>#VALUE!</v></c>', xml, count=1)

    path = tmp_path / "errors.xlsx"
    path.write_bytes(patch_member(data, sheet_member(data, "表二"), error))
    messages = [f.message for f in validate(path).findings if f.code == "VALUE_NOT_NUMBER"]
    assert any("填写的“TRUE”" in m for m in messages)
    assert any("填写的“#VALUE!”" in m for m in messages)
    assert not any("##" in m or "True" in m for m in messages)
