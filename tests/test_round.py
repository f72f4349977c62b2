"""A round as offices run it: reruns into the same folder, archives inside archives, litter,
one file as an inbox, duplicates without a save time, exit codes."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import consistent, make_zip, with_figures
from nianbao.cli import cli
from nianbao.errors import OutputError
from nianbao.model.unit import Settings, Unit
from nianbao.round import cache, publish
from nianbao.round.inbox import is_litter
from nianbao.workbook import template
from nianbao.workbook.fill import fill_bytes
from rule_cases import patch_member

A = Unit("井研县高凤镇人民政府", "井研县", "乡镇")
B = Unit("井研县马踏镇人民政府", "井研县", "乡镇")
C = Unit("井研县千佛镇人民政府", "井研县", "乡镇")


def workbook(unit: Unit, report, *, broken: bool = False, saved: str | None = "2025-01-10T08:00:00Z"
             ) -> bytes:
    short = unit.name.removeprefix(unit.parent).removesuffix("人民政府")
    texts = {k: v.replace("高凤镇", short) for k, v in report.texts.items()}
    rep = dataclasses.replace(report, unit=unit.name, level=unit.level, texts=texts)
    if broken:
        rep = with_figures(rep, T3_NEW_LEGAL=int(rep.figure("T3_NEW_LEGAL")) + 1)
    data = fill_bytes(template.build_bytes(unit, Settings(2024)), rep)
    if saved is None:  # a tool that writes no save time
        return patch_member(data, "docProps/core.xml",
                            lambda xml: re.sub(r"<dcterms:modified[^>]*>[^<]*</dcterms:modified>",
                                               "", xml))
    return patch_member(data, "docProps/core.xml", lambda xml: re.sub(
        r"(<dcterms:modified[^>]*>)[^<]*<", rf"\g<1>{saved}<", xml))


@pytest.fixture
def clean(sample_report):
    text = {**sample_report.texts, "TEXT_ON_REQUEST": "本年度依申请公开工作按规定办理。"}
    return lambda seed: dataclasses.replace(consistent(sample_report, seed), texts=text)


def batch(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["batch", *map(str, args), "--jobs", "1"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def listed(out: Path) -> tuple[set[str], set[str]]:
    """The reports and data files 汇总 and findings.json say this run made."""
    status = openpyxl.load_workbook(out / "汇总.xlsx")["提交情况"]
    reports = {r[11] for r in status.iter_rows(min_row=2, values_only=True) if r[11]}
    units = {f["unit"] for f in json.loads((out / "findings.json").read_text(encoding="utf-8"))
             if f["unit"]}
    return reports, {f"data/2024_{u}.json" for u in units}


def on_disk(out: Path) -> tuple[set[str], set[str]]:
    return ({p.relative_to(out).as_posix() for p in (out / "reports").iterdir()},
            {p.relative_to(out).as_posix() for p in (out / "data").iterdir()})


def test_a_rerun_leaves_exactly_this_runs_reports_and_data(tmp_path, clean):
    box, out = tmp_path / "in", tmp_path / "out"
    box.mkdir()
    (box / "a.xlsx").write_bytes(workbook(A, clean(1)))
    (box / "b.xlsx").write_bytes(workbook(B, clean(2)))
    (box / "c.xlsx").write_bytes(workbook(C, clean(3)))
    assert batch(box, "--out", out)[0] == 0
    assert on_disk(out) == listed(out) and len(on_disk(out)[0]) == 3
    # a resubmission turns 高凤镇 into 有错误, 马踏镇's file leaves the inbox
    (box / "a.xlsx").write_bytes(workbook(A, clean(1), broken=True))
    (box / "b.xlsx").unlink()
    assert batch(box, "--out", out)[0] == 1
    reports, data = on_disk(out)
    assert (reports, data) == listed(out)
    assert reports == {f"reports/2024_{C.name}.docx"}
    assert data == {f"data/2024_{A.name}.json", f"data/2024_{C.name}.json"}
    # a --draft run renders 高凤镇's draft; the normal run after it removes the draft
    batch(box, "--out", out, "--draft")
    assert f"reports/2024_{A.name}.docx" in on_disk(out)[0]
    batch(box, "--out", out)
    assert on_disk(out) == listed(out) and f"reports/2024_{A.name}.docx" not in on_disk(out)[0]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".nianbao")) == sorted(
        [publish.LOCK, cache.FOLDER, cache.MANIFEST])  # no stage, no journal, no part left


def test_a_run_that_fails_half_way_leaves_the_last_complete_run(tmp_path, clean, monkeypatch):
    from nianbao.round import batch as batch_module

    box, out = tmp_path / "in", tmp_path / "out"
    box.mkdir()
    (box / "a.xlsx").write_bytes(workbook(A, clean(1)))
    batch(box, "--out", out)
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (box / "b.xlsx").write_bytes(workbook(B, clean(2)))

    def fail(path, result):
        raise OutputError(f"无法写入 {path}：No space left on device")

    monkeypatch.setattr(batch_module, "write_summary", fail)
    code, output = batch(box, "--out", out)
    assert code == 3 and "无法写入" in output
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    results = lambda found: {k: v for k, v in found.items()  # noqa: E731 - the cache aside
                             if not k.startswith(cache.FOLDER + "/")}
    assert results(after) == results(before)


_zip = make_zip


def test_archives_inside_the_inbox_are_opened_and_litter_is_skipped(tmp_path, clean):
    box, out = tmp_path / "in", tmp_path / "out"
    (box / "微信").mkdir(parents=True)
    inner = _zip({"马踏镇.xlsx": workbook(B, clean(2)), "__MACOSX/._马踏镇.xlsx": b"\0\5\x16\7",
                  ".DS_Store": b"\0\0\0\1Bud1"})
    (box / "微信" / "乡镇.zip").write_bytes(_zip({"千佛镇.xlsx": workbook(C, clean(3)),
                                               "再压一层.zip": inner}))
    (box / "高凤镇.xlsx").write_bytes(workbook(A, clean(1)))
    (box / "Thumbs.db").write_bytes(b"\0" * 10)
    deep = _zip({"太深.zip": _zip({"x.zip": _zip({"a.xlsx": workbook(A, clean(1))})})})
    (box / "深.zip").write_bytes(deep)
    code, _ = batch(box, "--out", out)
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    files = {f["file"]: f for f in findings}
    assert files["微信/乡镇.zip/千佛镇.xlsx"]["ok"]
    assert files["微信/乡镇.zip/再压一层.zip/马踏镇.xlsx"]["ok"]
    assert not [n for n in files if "MACOSX" in n or "DS_Store" in n or "Thumbs" in n]
    too_deep = [f for n, f in files.items() if f["findings"] and
                f["findings"][0]["code"] == "NESTED_TOO_DEEP"]
    assert len(too_deep) == 1
    assert code == 1  # the archive nested too deep is a file that could not be read


@pytest.mark.parametrize("name, litter", [
    ("__MACOSX/._a.xlsx", True), ("a/.DS_Store", True), ("Thumbs.db", True),
    ("._高凤镇.xlsx", True), ("desktop.ini", True), ("报表/高凤镇.xlsx", False),
    ("macosx.xlsx", False),
])
def test_platform_litter(name, litter):
    assert is_litter(name) is litter


def test_one_workbook_is_an_inbox_of_one(tmp_path, clean):
    path = tmp_path / "高凤镇.xlsx"
    path.write_bytes(workbook(A, clean(1)))
    code, _ = batch(path, "--out", tmp_path / "out")
    assert code == 0
    findings = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    assert [f["file"] for f in findings] == ["高凤镇.xlsx"]


def test_without_a_roster_an_unreadable_file_exits_1(tmp_path, clean):
    box = tmp_path / "in"
    box.mkdir()
    (box / "a.xlsx").write_bytes(workbook(A, clean(1)))
    (box / "坏.xlsx").write_bytes(b"PK\x03\x04 broken")
    assert batch(box, "--out", tmp_path / "out")[0] == 1


def test_an_earlier_results_folder_in_the_inbox_is_not_read(tmp_path, clean):
    box = tmp_path / "in"
    box.mkdir()
    (box / "a.xlsx").write_bytes(workbook(A, clean(1)))
    batch(box, "--out", tmp_path / "elsewhere")
    os.replace(tmp_path / "elsewhere", box / "上次结果")
    batch(box, "--out", tmp_path / "out")
    findings = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    assert [f["file"] for f in findings] == ["a.xlsx"]


def test_duplicates_without_a_save_time_are_decided_by_file_time(tmp_path, clean):
    box = tmp_path / "in"
    box.mkdir()
    old, new = box / "高凤镇.xlsx", box / "高凤镇-修改后.xlsx"
    old.write_bytes(workbook(A, clean(1), broken=True, saved=None))
    new.write_bytes(workbook(A, clean(1), saved=None))
    os.utime(old, (1_736_000_000, 1_736_000_000))
    os.utime(new, (1_736_100_000, 1_736_100_000))
    code, _ = batch(box, "--out", tmp_path / "out")
    assert code == 0
    rows = list(openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")["提交情况"].iter_rows(
        min_row=2, values_only=True))
    unit = next(r for r in rows if r[1] == A.name)
    assert unit[2] == "已更正" and unit[16] == "高凤镇-修改后.xlsx"  # the older one had an error
    assert "依据：文件修改时间" in unit[12]
    superseded = next(r for r in rows if r[16] == "高凤镇.xlsx")
    assert "依据：文件修改时间" in superseded[12]


def test_a_save_time_beats_the_file_time(tmp_path, clean):
    box = tmp_path / "in"
    box.mkdir()
    early, late = box / "a.xlsx", box / "b.xlsx"
    early.write_bytes(workbook(A, clean(1), saved="2025-01-12T08:00:00Z"))
    late.write_bytes(workbook(A, clean(1), broken=True, saved="2025-01-09T08:00:00Z"))
    os.utime(early, (1_736_000_000, 1_736_000_000))
    os.utime(late, (1_736_900_000, 1_736_900_000))  # copied later, saved earlier
    assert batch(box, "--out", tmp_path / "out")[0] == 0
    rows = list(openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")["提交情况"].iter_rows(
        min_row=2, values_only=True))
    unit = next(r for r in rows if r[1] == A.name)
    assert unit[16] == "a.xlsx" and "依据：工作簿保存时间" in unit[12]


def test_another_units_text_is_noted_in_the_status(tmp_path, clean, sample_report):
    box = tmp_path / "in"
    box.mkdir()
    (box / "a.xlsx").write_bytes(workbook(A, clean(1)))
    wrong = dataclasses.replace(clean(2), texts={**clean(2).texts, **{
        code: "千佛镇按规定开展工作。" for code in ("TEXT_PROACTIVE", "TEXT_MANAGEMENT")}})
    texts = {k: v.replace("高凤镇", "千佛镇") for k, v in wrong.texts.items()}
    (box / "b.xlsx").write_bytes(fill_bytes(template.build_bytes(B, Settings(2024)),
                                            dataclasses.replace(wrong, unit=B.name, texts=texts)))
    roster = tmp_path / "名单.xlsx"
    from nianbao.workbook.roster import roster_template_bytes

    roster.write_bytes(roster_template_bytes(2024))
    wb = openpyxl.load_workbook(roster)
    for r, unit in enumerate((A, B, C), start=2):
        wb["单位"].cell(r, 1, unit.name)
        wb["单位"].cell(r, 2, unit.parent)
        wb["单位"].cell(r, 3, unit.level)
    wb.save(roster)
    batch(box, "--out", tmp_path / "out", "--roster", roster)
    rows = list(openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")["提交情况"].iter_rows(
        min_row=2, values_only=True))
    row = next(r for r in rows if r[1] == B.name)
    assert row[2] == "有提示" and "千佛镇" in row[12]
    assert next(r for r in rows if r[1] == C.name)[2] == "未提交"


def test_batch_writes_the_web_page_beside_the_document(tmp_path, clean):
    box, out = tmp_path / "in", tmp_path / "out"
    box.mkdir()
    (box / "a.xlsx").write_bytes(workbook(A, clean(1)))
    assert batch(box, "--out", out, "--formats", "docx,html")[0] == 0
    assert sorted(p.name for p in (out / "reports").iterdir()) == [
        f"2024_{A.name}.docx", f"2024_{A.name}.html"]
    page = (out / "reports" / f"2024_{A.name}.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and A.name in page
    assert batch(box, "--out", out, "--formats", "docx,pptx")[0] == 2  # not a format


def test_files_past_the_inbox_cap_are_rows_that_say_so_never_dropped(tmp_path, clean,
                                                                     monkeypatch):
    """A province-scale inbox once lost every file after the 5,000th without a row."""
    from nianbao.round import inbox

    monkeypatch.setattr(inbox, "MAX_INBOX_FILES", 2)
    box, out = tmp_path / "in", tmp_path / "out"
    box.mkdir()
    (box / "1 高凤镇.xlsx").write_bytes(workbook(A, clean(1)))
    (box / "2 马踏镇.xlsx").write_bytes(workbook(B, clean(2)))
    (box / "3 千佛镇.xlsx").write_bytes(workbook(C, clean(3)))
    (box / "4 包.zip").write_bytes(_zip({"a.xlsx": workbook(A, clean(4)),
                                         "b.xlsx": workbook(B, clean(5))}))
    code, output = batch(box, "--out", out)
    files = {f["file"]: f for f in json.loads((out / "findings.json").read_text("utf-8"))}
    assert files["1 高凤镇.xlsx"]["ok"] and files["2 马踏镇.xlsx"]["ok"]
    refused = {n for n, f in files.items()
               if f["findings"] and f["findings"][0]["code"] == "TOO_MANY_FILES"}
    assert refused == {"3 千佛镇.xlsx", "4 包.zip/a.xlsx", "4 包.zip/b.xlsx"}
    assert "收件箱中的文件超过 2 个：3 个未处理" in output and code == 1
    assert not list(tmp_path.rglob("*-1/a.xlsx"))  # members past the cap are not unpacked
