"""nianbao batch and demo: a whole collection round over a messy inbox."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from conftest import consistent, with_figures
from nianbao import assets
from nianbao.checks.text import aliases
from nianbao.cli import cli
from nianbao.model.unit import Settings, Unit
from nianbao.outfile import unit_stem
from nianbao.workbook import template
from nianbao.workbook.fill import fill_bytes
from nianbao.workbook.roster import roster_template_bytes
from rule_cases import patch_member

UNITS = [Unit(f"井研县{name}", "井研县", level) for name, level in [
    ("高凤镇人民政府", "乡镇"), ("研城街道办事处", "街道"), ("马踏镇人民政府", "乡镇"),
    ("竹园镇人民政府", "乡镇"), ("王村镇人民政府", "乡镇"), ("千佛镇人民政府", "乡镇"),
    ("周坡镇人民政府", "乡镇"), ("东林镇人民政府", "乡镇"), ("宝五镇人民政府", "乡镇"),
    ("门坎镇人民政府", "乡镇"), ("三江镇人民政府", "乡镇"), ("集益镇人民政府", "乡镇"),
    ("纯复镇人民政府", "乡镇"), ("镇阳镇人民政府", "乡镇"), ("金峰镇人民政府", "乡镇"),
    ("财政局", "县级部门"), ("教育局", "县级部门"), ("民政局", "县级部门"),
    ("自然资源局", "县级部门"), ("卫生健康局", "县级部门"), ("交通运输局", "县级部门"),
    ("农业农村局", "县级部门"), ("司法局", "县级部门"), ("审计局", "县级部门"),
    ("统计局", "县级部门"), ("应急管理局", "县级部门"), ("市场监督管理局", "县级部门"),
    ("住房和城乡建设局", "县级部门"), ("生态环境局", "县级部门"), ("医疗保障局", "县级部门"),
]]
SETTINGS = Settings(2024, website="井研县政府网站（http://www.jingyan.gov.cn/）")


def _saved_at(data: bytes, when: str) -> bytes:
    return patch_member(data, "docProps/core.xml", lambda xml: re.sub(
        r"<dcterms:modified([^>]*)>[^<]*<", rf"<dcterms:modified\1>{when}<", xml))


def _workbook(unit: Unit, report, overrides=None, year=2024, when="2025-01-10T08:00:00Z") -> bytes:
    settings = dataclasses.replace(SETTINGS, year=year)
    blank = template.build_bytes(unit, settings)
    names = aliases(unit.name, unit.parent) - {unit.name}  # each unit's text names itself
    short = min(names, key=len) if names else "本机关"
    texts = {k: v.replace("高凤镇", short) for k, v in report.texts.items()}
    rep = dataclasses.replace(report, unit=unit.name, level=unit.level, year=year, texts=texts)
    return _saved_at(fill_bytes(blank, rep, overrides), when)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory, sample_report):
    """An inbox as a county office receives it; returns (folder, roster, expected statuses)."""
    root = tmp_path_factory.mktemp("round")
    box = root / "inbox"
    (box / "微信文件" / "2025-01").mkdir(parents=True)
    text = {**sample_report.texts, "TEXT_ON_REQUEST": "本年度依申请公开工作按规定办理。"}
    clean = lambda seed: dataclasses.replace(consistent(sample_report, seed), texts=text)  # noqa: E731
    expected = {}
    files: dict[str, bytes] = {}
    for i, unit in enumerate(UNITS[:12]):  # valid
        files[f"{i:02d}_{unit.name}.xlsx"] = _workbook(unit, clean(i))
        expected[unit.name] = "通过"
    for i, unit in enumerate(UNITS[12:17]):  # errors: a column that does not reconcile
        bad = with_figures(clean(100 + i), T3_NEW_NATURAL=int(clean(100 + i).figure("T3_NEW_NATURAL")) + 1)
        files[f"微信文件/2025-01/报表{i}.xlsx"] = _workbook(unit, bad)
        expected[unit.name] = "有错误"
    for i, unit in enumerate(UNITS[17:21]):  # warnings only: a blank cell
        files[f"提示{i}.xlsx"] = _workbook(unit, clean(200 + i), {"T4_REVIEW_OTHER": None})
        expected[unit.name] = "有提示"
    files["坏文件/半截.xlsx"] = _workbook(UNITS[21], clean(1))[:3000]
    files["坏文件/空.xlsx"] = b""
    files["坏文件/说明.docx"] = b"PK\x03\x04 not really a docx"
    expected[UNITS[21].name] = "未提交"
    old = _workbook(UNITS[22], with_figures(clean(3), T3_NEW_LEGAL=int(clean(3).figure("T3_NEW_LEGAL")) + 1),
                    when="2025-01-08T08:00:00Z")
    new = _workbook(UNITS[22], clean(3), when="2025-01-12T09:30:00Z")
    files["dup_old.xlsx"], files["dup_new (1).xlsx"] = old, new
    expected[UNITS[22].name] = "已更正"  # the older file had an error, the newer passes
    files["别的表.xlsx"] = _plain()
    files["去年的.xlsx"] = _workbook(UNITS[23], clean(4), year=2023)
    expected[UNITS[23].name] = "有错误"  # YEAR_MISMATCH, with a 退回件 of this year's template
    files["~$报表0.xlsx"] = b"\x0cWPS lock" + b"\0" * 150
    stranger = Unit("=HYPERLINK(\"http://x\")外单位", "井研县", "县级部门")
    files["外单位.xlsx"] = _workbook(stranger, clean(5))
    expected[stranger.name] = "通过"
    for unit in UNITS[24:]:
        expected[unit.name] = "未提交"
    for name, data in files.items():
        (box / name).parent.mkdir(parents=True, exist_ok=True)
        (box / name).write_bytes(data)
    roster = root / "名单.xlsx"
    roster.write_bytes(roster_template_bytes(2024))
    wb = openpyxl.load_workbook(roster)
    wb["设置"]["B5"] = SETTINGS.website
    for r, unit in enumerate(UNITS, start=2):
        wb["单位"].cell(r, 1, unit.name)
        wb["单位"].cell(r, 2, unit.parent)
        wb["单位"].cell(r, 3, unit.level)
        wb["单位"].cell(r, 4, f"联系人{r}")
        wb["单位"].cell(r, 5, f"0833-55{r:05d}")
    wb.save(roster)
    return box, roster, expected, len(files)


def _plain() -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.add_worksheet().write("A1", "x")
    wb.close()
    return buf.getvalue()


def run_batch(source: Path, out: Path, roster: Path, jobs: int = 1):
    return CliRunner().invoke(cli, ["batch", str(source), "--out", str(out), "--roster", str(roster),
                                    "--jobs", str(jobs)])


def outputs(out: Path) -> dict[str, object]:
    """Everything the batch wrote, by relative path, as content (zip members, not bytes)."""
    found = {}
    for path in sorted(out.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            found[path.relative_to(out).as_posix()] = (assets.zip_content(data)
                                                      if path.suffix in (".docx", ".xlsx") else data)
    return found


@pytest.fixture(scope="module")
def round_one(inbox, tmp_path_factory):
    box, roster, _, _ = inbox
    out = tmp_path_factory.mktemp("out1")
    return run_batch(box, out, roster, jobs=1), out


def test_every_unit_gets_its_status(inbox, round_one):
    _, _, expected, count = inbox
    result, out = round_one
    assert result.exit_code == 1, result.output
    assert count >= 30
    wb = openpyxl.load_workbook(out / "汇总.xlsx")
    rows = list(wb["提交情况"].iter_rows(min_row=2, values_only=True))
    by_unit: dict = {}
    for r in rows:
        by_unit.setdefault(r[1], r)  # unit rows come first, then the files they did not use
    for unit, status in expected.items():
        assert by_unit[unit][2] == status, unit
    files = {r[16]: r for r in rows}
    assert files["dup_old.xlsx"][2] == "重复提交（已被较新文件取代）"
    assert by_unit[UNITS[22].name][16] == "dup_new (1).xlsx"
    assert by_unit[UNITS[22].name][6] == 2  # 报送次数
    for name in ("坏文件/半截.xlsx", "坏文件/空.xlsx", "坏文件/说明.docx", "别的表.xlsx",
                 "~$报表0.xlsx"):
        assert files[name][2] == "无法读取" and files[name][12], name
    assert "不在名单中" in by_unit["=HYPERLINK(\"http://x\")外单位"][12]
    # 30 roster units + 1 unknown unit + 5 unreadable files + 1 superseded file
    assert len(rows) == 37 and [r[0] for r in rows] == list(range(1, 38))
    failing = by_unit[UNITS[12].name]
    assert failing[3:5] == (2, 0)  # 自然人 and 总计 columns do not reconcile; no 提示
    assert failing[10].startswith("退回/2024_")  # its returned copy
    assert failing[11] == "" and by_unit[UNITS[0].name][11].startswith("reports/2024_")
    assert by_unit[UNITS[17].name][3:5] == (0, 1)
    assert by_unit[UNITS[21].name][2] == "未提交"  # whom to call: the roster's contact
    assert by_unit[UNITS[21].name][13:15] == ("联系人23", "0833-5500023")


def test_untrusted_text_stays_inert(round_one):
    _, out = round_one
    wb = openpyxl.load_workbook(out / "汇总.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # only the totals below 数据汇总 are formulas
                    assert ws.title == "数据汇总" and str(cell.value).startswith(
                        ("=SUBTOTAL(109,", "=SUMIF(")), (ws.title, cell.coordinate)


def test_problem_list_has_every_finding(round_one):
    _, out = round_one
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    total = sum(len(f["findings"]) for f in findings)
    wb = openpyxl.load_workbook(out / "汇总.xlsx")
    ws = wb["问题清单"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == total
    units = {}
    for row in openpyxl.load_workbook(out / "汇总.xlsx")["提交情况"].iter_rows(min_row=2,
                                                                           values_only=True):
        units.setdefault(row[16], row[1])
    expected = [(units.get(f["file"]) or "", f["file"], {"error": "错误", "warning": "提示"}[x["severity"]],
                 x["table"], x["row"], x["column"], "、".join(x["cells"]), x["message"],
                 x.get("explained", ""), x["code"])
                for f in findings for x in f["findings"]]
    assert [tuple("" if v is None else v for v in r) for r in rows] == expected
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref
    errors = [r for r in rows if r[2] == "错误"]
    assert {r[9] for r in errors} >= {"T3_BALANCE", "TRUNCATED", "EMPTY", "NOT_NIANBAO", "LOCK_FILE"}
    red = [c for c in ws["C"][1:] if c.value == "错误"]
    assert all(c.fill.fgColor.rgb.endswith("FFC7CE") for c in red)


def test_reports_only_for_units_without_errors(inbox, round_one):
    _, _, expected, _ = inbox
    _, out = round_one
    made = sorted(p.name for p in (out / "reports").iterdir())
    wanted = sorted(f"{unit_stem(2024, u)}.docx" for u, s in expected.items()
                    if s in ("通过", "有提示", "已更正"))
    assert re.fullmatch(r"2024_=HYPERLINK\(_http___x_\)外单位-[0-9a-f]{8}", unit_stem(
        2024, "=HYPERLINK(\"http://x\")外单位"))  # not a safe name as it is: hashed
    assert made == wanted
    doc = Document(out / "reports" / "2024_井研县高凤镇人民政府.docx")
    assert doc.paragraphs[0].text.startswith("井研县高凤镇人民政府")
    data = json.loads((out / "data" / "2024_井研县财政局.json").read_text(encoding="utf-8"))
    assert data["meta"]["unit"] == "井研县财政局"


def test_figures_summary_totals_the_set(round_one):
    _, out = round_one
    book = openpyxl.load_workbook(out / "汇总.xlsx")
    ws = book["数据汇总"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    data, shown, clean = rows[:-3], rows[-2], rows[-1]
    assert rows[-3] == (None,) * len(rows[0])  # the totals sit below the filtered table
    assert shown[0] == "合计（筛选后显示的单位）" and clean[0] == "合计（不含有错误的单位）"
    last = len(data) + 1
    assert ws.auto_filter.ref.endswith(str(last))  # filtering never hides or moves the totals
    for col in range(2, len(rows[0])):
        letter = openpyxl.utils.get_column_letter(col + 1)
        assert ws.cell(len(rows) , col + 1).value == f"=SUBTOTAL(109,{letter}2:{letter}{last})"
        assert ws.cell(len(rows) + 1, col + 1).value.startswith(f'=SUMIF(B2:B{last},"<>有错误"')
    values = openpyxl.load_workbook(out / "汇总.xlsx", data_only=True)["数据汇总"]
    cached = list(values.iter_rows(min_row=2, values_only=True))
    for col in range(2, len(rows[0])):
        assert cached[-2][col] == sum(r[col] for r in data)
        assert cached[-1][col] == sum(r[col] for r in data if r[1] != "有错误")
    assert "一、本年新收政府信息公开申请数量" in ws.cell(1, 3).value  # full, readable headers


def test_a_zip_inbox_and_two_jobs_give_identical_outputs(inbox, round_one, tmp_path):
    box, roster, _, _ = inbox
    _, out1 = round_one
    archive = tmp_path / "收件.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(box.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(box).as_posix())
    zipped = run_batch(archive, tmp_path / "zip", roster, jobs=2)
    assert zipped.exit_code == 1
    again = run_batch(box, tmp_path / "again", roster, jobs=2)
    assert again.exit_code == 1
    first = outputs(out1)
    assert outputs(tmp_path / "again") == first
    assert outputs(tmp_path / "zip") == first


def test_inputs_are_never_modified(inbox, round_one):
    box, _, _, _ = inbox
    assert not [p for p in box.rglob("*") if p.name.startswith(".nianbao-")]


def test_nothing_processable_exits_3(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.xlsx").write_bytes(b"")
    result = CliRunner().invoke(cli, ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 3
    assert (tmp_path / "o" / "汇总.xlsx").exists()


def test_demo_runs_from_the_cli(tmp_path):
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    lines = dict(line.split("：", 1) for line in result.output.strip().splitlines())
    assert set(lines) == {"空白模板", "已填报的工作簿", "年度报告", "汇总"}
    openpyxl.load_workbook(lines["空白模板"])
    openpyxl.load_workbook(lines["汇总"])
    doc = Document(lines["年度报告"])
    assert doc.paragraphs[1].text == "2024年高凤镇政府信息公开工作年度报告"
    status = openpyxl.load_workbook(lines["汇总"])["提交情况"]
    assert status["C2"].value == "通过"


def test_previous_year_folder_checks_each_unit(tmp_path, sample_report):
    unit = UNITS[0]
    last = with_figures(dataclasses.replace(sample_report, unit=unit.name, year=2023),
                        T3_NEW_NATURAL=2, T3_GRANTED_NATURAL=1, T3_CARRIED_FORWARD_NATURAL=1)
    prev = tmp_path / "去年" / "data"
    prev.mkdir(parents=True)
    from nianbao.model import jsonform as rj

    (prev / "2023_x.json").write_text(rj.dumps(last), encoding="utf-8")
    (prev / "broken.json").write_text("{", encoding="utf-8")  # skipped, not fatal
    older = dataclasses.replace(last, year=2022, figures={})  # another year: not the one used
    (prev / "2022_x.json").write_text(rj.dumps(older), encoding="utf-8")
    box = tmp_path / "in"
    box.mkdir()
    (box / "a.xlsx").write_bytes(_workbook(unit, sample_report))  # 上年结转 0, last year left 1
    result = CliRunner().invoke(cli, ["batch", str(box), "--out", str(tmp_path / "o"),
                                      "--previous", str(prev), "--jobs", "1"])
    assert result.exit_code == 1
    findings = json.loads((tmp_path / "o" / "findings.json").read_text(encoding="utf-8"))
    assert "PREVIOUS_CARRIED" in {f["code"] for f in findings[0]["findings"]}


def test_draft_renders_failed_units_with_a_mark(tmp_path, sample_report):
    box = tmp_path / "in"
    box.mkdir()
    (box / "a.xlsx").write_bytes(_workbook(UNITS[0], with_figures(sample_report, T3_NEW_OTHER=1)))
    result = CliRunner().invoke(cli, ["batch", str(box), "--out", str(tmp_path / "o"), "--draft",
                                      "--jobs", "1"])
    assert result.exit_code == 1
    doc = Document(tmp_path / "o" / "reports" / f"2024_{UNITS[0].name}.docx")
    assert doc.sections[0].header.paragraphs[0].text == "草稿（未通过校验）"


def test_an_output_folder_inside_the_inbox_is_not_read_back(tmp_path, sample_report):
    box = tmp_path / "in"
    box.mkdir()
    (box / "a.xlsx").write_bytes(_workbook(UNITS[0], sample_report))
    for _ in range(2):
        result = CliRunner().invoke(cli, ["batch", str(box), "--out", str(box / "结果"), "--jobs", "1"])
        assert result.exit_code == 0, result.output
    findings = json.loads((box / "结果" / "findings.json").read_text(encoding="utf-8"))
    assert [f["file"] for f in findings] == ["a.xlsx"]
