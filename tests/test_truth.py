"""Every unit is told the truth, the same in all five places a clerk reads: 汇总.xlsx, round.json,
the page (and its API), the console and 通知.txt — for each case that once went wrong: a file
that cannot be read but names its unit, last year's template, a published report sent into a
round of workbooks (alone, and beside a workbook), a unit's second submission, a zip of returns.
"""

from __future__ import annotations

import dataclasses
import json
import re

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import consistent, make_zip, with_figures
from nianbao.cli import cli
from nianbao.model.unit import Settings, Unit
from nianbao.outputs import docx
from nianbao.round.results import UNIT_STATES
from nianbao.serve.app import create_app
from nianbao.serve.folder import INBOX, RESULTS, ROSTER
from nianbao.workbook import template
from nianbao.workbook.fill import fill_bytes
from nianbao.workbook.roster import roster_template_bytes
from rule_cases import patch_member

NAMES = ("高凤镇", "马踏镇", "千佛镇", "周坡镇", "东林镇", "宝五镇", "集益镇", "纯复镇")
UNITS = [Unit(f"井研县{n}人民政府", "井研县", "乡镇", f"联系人{i}", f"0833-550{i:04d}")
         for i, n in enumerate(NAMES)]
PASSING, FAILING, BROKEN, LAST_YEAR, PUBLISHED_ONLY, BOTH, TWICE, SILENT = UNITS
EXPECTED = {PASSING.name: "通过", FAILING.name: "有错误", BROKEN.name: "无法读取",
            LAST_YEAR.name: "有错误", PUBLISHED_ONLY.name: "无法读取", BOTH.name: "通过",
            TWICE.name: "已更正", SILENT.name: "未提交"}


def _report(sample_report, unit: Unit, seed: int, year: int = 2024, **figures):
    short = unit.name.removeprefix("井研县").removesuffix("人民政府")
    report = with_figures(consistent(sample_report, seed), **figures) if figures else \
        consistent(sample_report, seed)
    texts = {**sample_report.texts, "TEXT_ON_REQUEST": "本年度依申请公开工作按规定办理。"}
    return dataclasses.replace(report, unit=unit.name, year=year, title="", texts={
        k: v.replace("高凤镇", short).replace("2024", str(year)) for k, v in texts.items()})


def _workbook(report, unit: Unit, year: int = 2024, saved: str = "") -> bytes:
    """The unit's filled workbook, saved (by its own metadata) at ``saved`` when given."""
    data = fill_bytes(template.build_bytes(unit, Settings(year)), report)
    if not saved:
        return data
    return patch_member(data, "docProps/core.xml", lambda xml: re.sub(
        r"(<dcterms:modified[^>]*>)[^<]*", r"\g<1>" + saved, xml))


@pytest.fixture(scope="module")
def round_folder(tmp_path_factory, sample_report):
    root = tmp_path_factory.mktemp("truth") / "轮次"
    inbox = root / INBOX
    inbox.mkdir(parents=True)
    roster = root / ROSTER
    roster.write_bytes(roster_template_bytes(2024))
    wb = openpyxl.load_workbook(roster)
    for r, u in enumerate(UNITS, start=2):
        for c, value in enumerate((u.name, u.parent, u.level, u.contact, u.phone), start=1):
            wb["单位"].cell(r, c, value)
    wb.save(roster)
    r = lambda unit, seed, **kw: _report(sample_report, unit, seed, **kw)  # noqa: E731
    (inbox / "高凤镇.xlsx").write_bytes(_workbook(r(PASSING, 1), PASSING))
    bad = r(FAILING, 2)
    (inbox / "马踏镇.xlsx").write_bytes(_workbook(
        with_figures(bad, T3_NEW_NATURAL=int(bad.figure("T3_NEW_NATURAL")) + 1), FAILING))
    (inbox / "千佛镇（损坏）.xlsx").write_bytes(b"PK\x03\x04 half a file")
    (inbox / "周坡镇去年的模板.xlsx").write_bytes(
        _workbook(r(LAST_YEAR, 3, year=2023), LAST_YEAR, year=2023))
    (inbox / "东林镇年报.docx").write_bytes(docx.render_bytes(r(PUBLISHED_ONLY, 4)))
    (inbox / "宝五镇年报.docx").write_bytes(docx.render_bytes(r(BOTH, 5)))
    twice_bad = r(TWICE, 6)
    twice_bad = with_figures(twice_bad, T3_NEW_LEGAL=int(twice_bad.figure("T3_NEW_LEGAL")) + 1)
    (inbox / "打包.zip").write_bytes(make_zip({
        "宝五镇.xlsx": _workbook(r(BOTH, 5), BOTH),
        "纯复镇-第一次.xlsx": _workbook(twice_bad, TWICE, saved="2025-01-08T08:00:00Z"),
        "纯复镇-改好的.xlsx": _workbook(r(TWICE, 6), TWICE, saved="2025-01-12T09:00:00Z"),
    }))
    console = CliRunner().invoke(cli, ["batch", str(inbox), "--out", str(root / RESULTS),
                                       "--roster", str(roster), "--jobs", "1"])
    assert console.exit_code == 1, console.output
    return root, console.output


def test_every_unit_has_its_state_in_round_json(round_folder):
    root, _ = round_folder
    state = json.loads((root / RESULTS / "round.json").read_text(encoding="utf-8"))
    assert {u: s["status"] for u, s in state["units"].items()} == EXPECTED
    assert state["units"][BROKEN.name]["files"] == ["千佛镇（损坏）.xlsx"]
    assert state["units"][TWICE.name]["submissions"] == len(state["units"][TWICE.name]["files"]) == 2
    assert state["units"][BOTH.name]["file"] == "打包.zip/宝五镇.xlsx"  # the workbook, not the docx
    assert state["files"]["宝五镇年报.docx"]["status"] == "不是填报模板"
    assert "是已发布的报告，不是填报模板" in state["files"]["东林镇年报.docx"]["note"]


def test_the_summary_says_the_same(round_folder):
    root, _ = round_folder
    wb = openpyxl.load_workbook(root / RESULTS / "汇总.xlsx")
    rows = list(wb["提交情况"].iter_rows(min_row=2, values_only=True))
    first = {}
    for row in rows:
        first.setdefault(row[1], row)
    assert {u: first[u][2] for u in EXPECTED} == EXPECTED
    assert first[TWICE.name][6] == 2  # 报送次数 counts the files listed for it


def test_the_page_and_its_api_say_the_same(round_folder):
    root, _ = round_folder
    client = create_app(root).test_client()
    units = {u["unit"]: u for u in client.get("/api/units").get_json()}
    assert {u: units[u]["status"] for u in EXPECTED} == EXPECTED
    for name, unit in units.items():
        detail = client.get(f"/api/units/{name}").get_json()
        assert unit["submissions"] == len(detail["submissions"]), name
    page = client.get(f"/units/{LAST_YEAR.name}").get_data(as_text=True)
    assert "YEAR_MISMATCH" in page and "2023" in page
    overview = client.get("/").get_data(as_text=True)
    assert "千佛镇（损坏）.xlsx" not in overview.split("无法读取的文件")[-1] or \
        "无法读取的文件" not in overview  # attributed: listed with its unit, not as a stray


def test_the_console_counts_every_state(round_folder):
    _, output = round_folder
    counts = {s: list(EXPECTED.values()).count(s) for s in UNIT_STATES}
    line = next(line for line in output.splitlines() if line.startswith("共 "))
    for state, n in counts.items():
        if n:
            assert f"{state} {n}" in line, line
    assert f"{len(EXPECTED)} 个单位" in line


def test_the_notices_tell_each_unit_what_to_do(round_folder):
    root, _ = round_folder
    lines = (root / RESULTS / "退回" / "通知.txt").read_text(encoding="utf-8").splitlines()

    def about(unit: Unit) -> list[str]:
        return [line for line in lines if unit.name in line]

    assert about(PASSING) == [] and about(BOTH) == []
    assert len(about(FAILING)) == 1 and "退回件" in about(FAILING)[0]
    assert len(about(BROKEN)) == 1 and "“千佛镇（损坏）.xlsx”无法读取" in about(BROKEN)[0]
    assert not about(BROKEN)[0].startswith("【催报】")
    last = about(LAST_YEAR)
    assert len(last) == 1 and "2023" in last[0] and "2024_井研县周坡镇人民政府.xlsx" in last[0]
    assert len(about(PUBLISHED_ONLY)) == 1 and "不是填报模板" in about(PUBLISHED_ONLY)[0]
    assert about(SILENT) and about(SILENT)[0].startswith("【催报】")


def test_last_years_template_comes_back_as_this_years_with_what_was_typed(round_folder):
    root, _ = round_folder
    returned = root / RESULTS / "退回" / "2024_井研县周坡镇人民政府.xlsx"
    wb = openpyxl.load_workbook(returned)
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["nianbao_year"] == "2024"
    source = openpyxl.load_workbook(root / INBOX / "周坡镇去年的模板.xlsx")
    assert wb["正文"]["B5"].value == source["正文"]["B5"].value
    assert not list((root / RESULTS / "data").glob("2023_*"))  # not next year's --previous


def test_a_zip_upload_answers_one_row_per_file(round_folder, tmp_path):
    import shutil

    root, _ = round_folder
    copy = tmp_path / "轮次"
    shutil.copytree(root, copy)
    client = create_app(copy).test_client()
    body = (root / INBOX / "打包.zip").read_bytes()
    import io

    answer = client.post("/api/files", data={"files": (io.BytesIO(body), "再发.zip")},
                         content_type="multipart/form-data").get_json()
    assert answer and all(a.get("duplicate") for a in answer)
    assert sorted(a["file"] for a in answer) == ["再发.zip/宝五镇.xlsx", "再发.zip/纯复镇-改好的.xlsx",
                                                 "再发.zip/纯复镇-第一次.xlsx"]


def test_importing_two_reports_of_one_unit_and_year_keeps_the_first_and_says_so(tmp_path):
    from pathlib import Path

    page = Path(__file__).parent / "fixtures" / "published" / "04_shuyang-xian-fagaiju_2023.html"
    again = tmp_path / "又一份.html"
    again.write_bytes(page.read_bytes())
    out = tmp_path / "导入"
    done = CliRunner().invoke(cli, ["import", str(page), str(again), "-o", str(out)])
    assert done.exit_code == 3
    assert "是同一单位" in done.output and "请只导入其中一份" in done.output
    assert len(list(out.iterdir())) == 1


def test_a_round_with_nothing_to_tell_says_so_in_its_notices(tmp_path, sample_report):
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    (inbox / "高凤镇.xlsx").write_bytes(_workbook(_report(sample_report, PASSING, 1), PASSING))
    CliRunner().invoke(cli, ["batch", str(inbox), "--out", str(tmp_path / "结果"), "--jobs", "1"])
    text = (tmp_path / "结果" / "退回" / "通知.txt").read_text(encoding="utf-8")
    assert text.strip() == "本轮没有需要退回或催报的单位（2024年度）。"


def test_the_browser_starts_a_round_from_an_empty_folder(tmp_path):
    """Generate the roster, download it, upload it filled (its row problems shown), see the
    units; a roster that cannot be used is refused and the old one kept; empty states are
    sentences, never JSON."""
    import io

    root = tmp_path / "新的一轮"
    client = create_app(root).test_client()
    page = client.get("/").get_data(as_text=True)
    assert "生成名单模板" in page
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    assert client.post("/roster", data={"year": "2024", "csrf": csrf}).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "下载名单" in page and "上传名单" in page
    blank = client.get("/roster.xlsx")
    assert blank.status_code == 200 and blank.data[:2] == b"PK"
    blank.close()
    summary = client.get("/summary.xlsx")
    assert summary.status_code == 404 and "还没有汇总" in summary.get_data(as_text=True)
    assert summary.mimetype == "text/html"
    wb = openpyxl.load_workbook(io.BytesIO(blank.data))
    for r, (name, level) in enumerate([("井研县高凤镇人民政府", "乡镇"), ("", "乡镇"),
                                       ("井研县财政局", "县级部门"), ("井研县高凤镇人民政府", "乡镇")],
                                      start=2):
        wb["单位"].cell(r, 1, name or None)
        wb["单位"].cell(r, 3, level)
    buf = io.BytesIO()
    wb.save(buf)
    answer = client.post("/roster/upload", data={"csrf": csrf, "roster": (
        io.BytesIO(buf.getvalue()), "名单.xlsx")}, content_type="multipart/form-data")
    text = answer.get_data(as_text=True)
    assert "名单已保存：2024 年度，2 个单位" in text
    assert "第 3 行没有单位名称" in text and "第 5 行“井研县高凤镇人民政府”与第 2 行重复" in text
    overview = client.get("/").get_data(as_text=True)
    assert "井研县财政局" in overview and "未提交" in overview
    empty = client.get("/?status=无法读取").get_data(as_text=True)
    assert "没有状态为“无法读取”的单位" in empty and "名单中还没有单位" not in empty
    refused = client.post("/roster/upload", data={"csrf": csrf, "roster": (
        io.BytesIO(b"not a workbook"), "名单.xlsx")}, content_type="multipart/form-data")
    assert "名单没有保存" in refused.get_data(as_text=True)
    assert "井研县财政局" in client.get("/").get_data(as_text=True)  # the old roster is kept
