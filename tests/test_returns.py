"""The way back to the units: 退回件, 通知.txt, 说明 for 提示, and a second round."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import consistent, with_figures
from nianbao import spec
from nianbao.api import validate
from nianbao.cli import cli
from nianbao.model.unit import Settings, Unit
from nianbao.workbook import layout, template
from nianbao.workbook.fill import fill_bytes
from nianbao.workbook.roster import roster_template_bytes
from rule_cases import patch_member

UNITS = [Unit(f"井研县{n}", "井研县", "乡镇") for n in (
    "高凤镇人民政府", "马踏镇人民政府", "千佛镇人民政府", "周坡镇人民政府", "东林镇人民政府",
    "宝五镇人民政府", "门坎镇人民政府", "三江镇人民政府", "集益镇人民政府", "纯复镇人民政府",
    "镇阳镇人民政府", "金峰镇人民政府")]
PASSING, FAILING, WARNING, UNREADABLE = UNITS[:4]


def _texts(report, unit: Unit):
    short = unit.name.removeprefix(unit.parent).removesuffix("人民政府")
    text = {k: v.replace("高凤镇", short) for k, v in report.texts.items()}
    text["TEXT_ON_REQUEST"] = "本年度依申请公开工作按规定办理。"
    return dataclasses.replace(report, unit=unit.name, texts=text)


def _workbook(unit: Unit, report, raw=None) -> bytes:
    return fill_bytes(template.build_bytes(unit, Settings(2024)), _texts(report, unit), raw)


def _roster(path: Path) -> Path:
    path.write_bytes(roster_template_bytes(2024))
    wb = openpyxl.load_workbook(path)
    wb["设置"]["B3"] = "2025-01-25"
    for r, unit in enumerate(UNITS, start=2):
        for c, value in enumerate((unit.name, unit.parent, unit.level, f"联系人{r}",
                                   f"0833-55{r:05d}"), start=1):
            wb["单位"].cell(r, c, value)
    wb.save(path)
    return path


def _batch(*args) -> int:
    result = CliRunner().invoke(cli, ["batch", *map(str, args), "--jobs", "1"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code


@pytest.fixture(scope="module")
def round_one(sample_report, tmp_path_factory):
    root = tmp_path_factory.mktemp("returns")
    box = root / "收件箱"
    box.mkdir()
    base = consistent(sample_report, 4)
    (box / "高凤镇.xlsx").write_bytes(_workbook(PASSING, base))
    broken = with_figures(base, T3_NEW_NATURAL=int(base.figure("T3_NEW_NATURAL")) + 2)
    (box / "马踏镇.xlsx").write_bytes(_workbook(FAILING, broken, {
        "T2_LICENSE": "5件", "T4_REVIEW_UPHELD": None, "T2_PENALTY": " 1,234 "}))
    (box / "千佛镇.xlsx").write_bytes(_workbook(WARNING, with_figures(base, T2_FEES=35000)))
    (box / "周坡镇.xlsx").write_bytes(b"PK\x03\x04 truncated")
    roster = _roster(root / "名单.xlsx")
    out = root / "结果1"
    _batch(box, "--out", out, "--roster", roster)
    return root, box, roster, out


def _later(data: bytes) -> bytes:
    """The workbook as saved a day after today (its core properties' modified time)."""
    import datetime as dt

    when = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return patch_member(data, "docProps/core.xml", lambda xml: re.sub(
        r"<dcterms:modified([^>]*)>[^<]*<", rf"<dcterms:modified\1>{when}<", xml))


def _findings(path) -> list[tuple[str, tuple[str, ...], str]]:
    return [(f.code, f.cells, f.message) for f in validate(path).findings]


def test_a_returned_copy_for_each_unit_with_errors(round_one):
    root, box, _, out = round_one
    made = sorted(p.name for p in (out / "退回").iterdir())
    assert made == [f"2024_{FAILING.name}.xlsx", "通知.txt"]


def test_the_returned_copy_keeps_everything_and_marks_the_findings(round_one):
    _, box, _, out = round_one
    copy = out / "退回" / f"2024_{FAILING.name}.xlsx"
    source = _findings(box / "马踏镇.xlsx")
    assert _findings(copy) == source  # re-validated untouched: the same findings
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == layout.REVIEW
    review = wb[layout.REVIEW]
    rows = [r for r in review.iter_rows(min_row=5, values_only=True) if r[0]]
    assert len(rows) == len(source)
    links = [c.hyperlink.location for c in review["C"][4:] if c.hyperlink]
    assert links and all(re.match(r"'.+'!\$?[A-Z]+\$?\d+", loc) for loc in links)
    commented = {f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows()
                 for c in row if c.comment}
    assert commented == {cell for _, cells, _ in source for cell in cells}
    assert wb["表二"]["B9"].value == "5件"  # what the clerk typed is carried over as typed
    assert wb["表四"]["A6"].value is None  # a blank stays blank
    assert wb["表二"]["B12"].value == " 1,234 "


def test_the_notice_has_a_message_and_the_reminders(round_one):
    _, _, _, out = round_one
    lines = (out / "退回" / "通知.txt").read_text(encoding="utf-8").splitlines()
    failing = [line for line in lines if line.startswith(f"【{FAILING.name}】")]
    assert len(failing) == 1 and "错误" in failing[0] and f"2024_{FAILING.name}.xlsx" in failing[0]
    assert "2025年1月25日前" in failing[0]
    reminders = [line for line in lines if line.startswith("【催报】")]
    assert len(reminders) == len(UNITS) - 4  # 周坡镇 sent a file: it is told, not asked for
    broken = [line for line in lines if line.startswith("【井研县周坡镇人民政府】")]
    assert len(broken) == 1 and "“周坡镇.xlsx”无法读取" in broken[0] and "重新报送" in broken[0]
    assert not any("周坡镇" in r for r in reminders)
    assert any(f"{UNITS[4].name}（联系人 联系人6，电话 0833-5500006）" in r for r in reminders)


def test_a_second_round_tells_what_was_fixed(round_one, sample_report, tmp_path):
    root, box, roster, out = round_one
    corrected = tmp_path / "马踏镇-改.xlsx"
    wb = openpyxl.load_workbook(out / "退回" / f"2024_{FAILING.name}.xlsx")  # the clerk's edit
    base = consistent(sample_report, 4)
    for code in spec.INPUT_CODES:
        sheet, coord = next(iter(wb.defined_names[code].destinations))
        wb[sheet][coord.replace("$", "")] = int(base.figures[code]) if code != "T2_FEES" else 0
    wb.save(corrected)
    # the second submissions are saved a day later: files made within one second of the first
    # would tie on their saved time, and a tie falls back to the file name
    corrected.write_bytes(_later(corrected.read_bytes()))
    explained = tmp_path / "千佛镇-说明.xlsx"
    data = fill_bytes(template.build_bytes(WARNING, Settings(2024)),
                      _texts(with_figures(base, T2_FEES=35000), WARNING),
                      {"NOTE_FEE_IMPLAUSIBLE": "本镇代收的水资源费计入，属实。"})
    explained.write_bytes(_later(data))
    box2 = root / "收件箱2"
    box2.mkdir()
    for path in box.iterdir():
        (box2 / path.name).write_bytes(path.read_bytes())
    (box2 / corrected.name).write_bytes(corrected.read_bytes())
    (box2 / explained.name).write_bytes(explained.read_bytes())
    out2 = root / "结果2"
    _batch(box2, "--out", out2, "--roster", roster, "--since", out)
    status: dict = {}
    for r in openpyxl.load_workbook(out2 / "汇总.xlsx")["提交情况"].iter_rows(min_row=2,
                                                                           values_only=True):
        status.setdefault(r[1], r)  # unit rows first, then the files they did not use
    assert status[FAILING.name][2] == "已更正"
    assert status[FAILING.name][6] == 2 and "已改" in status[FAILING.name][9]  # 报送次数, changes
    assert status[WARNING.name][2] == "通过"  # its 提示 is explained
    assert status[WARNING.name][4:6] == (0, 1)  # no 提示 left, one 已说明
    state = json.loads((out2 / "round.json").read_text(encoding="utf-8"))["units"]
    assert state[FAILING.name]["submissions"] == 2 and state[FAILING.name]["corrected"]
    assert state[FAILING.name]["errors"] == 0
    findings = json.loads((out2 / "findings.json").read_text(encoding="utf-8"))
    fee = [f for item in findings if item["unit"] == WARNING.name and item["file"] == explained.name
           for f in item["findings"] if f["code"] == "FEE_IMPLAUSIBLE"]
    assert fee and fee[0]["explained"] == "本镇代收的水资源费计入，属实。"
    assert not (out2 / "退回" / f"2024_{FAILING.name}.xlsx").exists()  # it passes now


def test_an_error_cannot_be_explained_away(sample_report, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(fill_bytes(template.build_bytes(PASSING, Settings(2024)),
                                _texts(with_figures(sample_report, T2_FEES=35000,
                                                    T2_REG_INFORCE=1), PASSING),
                                {"NOTE_FEE_IMPLAUSIBLE": "属实。", "NOTE_REGULATION_UNUSUAL": "x"}))
    result = validate(path)
    by_code = {f.code: f for f in result.findings}
    assert by_code["FEE_IMPLAUSIBLE"].explained == "属实。" and result.warnings == 0
    assert by_code["REGULATION_NOT_ALLOWED"].is_error and not by_code[
        "REGULATION_NOT_ALLOWED"].explained
    assert result.to_dict()["findings"][-1]["explained"] == "属实。"


@pytest.mark.parametrize("seed", range(6))
def test_any_returned_copy_revalidates_to_its_sources_findings(sample_report, tmp_path, seed):
    from nianbao import sources
    from nianbao.checks import check_reading
    from nianbao.workbook.template import build_bytes

    rng = random.Random(seed)
    report = consistent(sample_report, seed)
    code = rng.choice(spec.INPUT_CODES[:-1])
    broken = with_figures(report, **{code: int(report.figure(code)) + rng.randint(1, 3)})
    raw = {rng.choice(spec.INPUT_CODES): rng.choice(["5件", None, "１２", "—"])}
    source = tmp_path / "source.xlsx"
    source.write_bytes(fill_bytes(template.build_bytes(PASSING, Settings(2024)),
                                  _texts(broken, PASSING), raw))
    read = sources.read(source)
    result = check_reading(read, "x")
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(build_bytes(PASSING, Settings(2024, read.report.deadline), prefill=read.report,
                                 typed=read.typed, review=result.findings))
    assert _findings(copy) == _findings(source)


@pytest.mark.office
def test_the_returned_copy_works_in_libreoffice(round_one, tmp_path):
    from conftest import needs
    from nianbao.outputs.pdf import convert_many

    needs("soffice")
    _, box, _, out = round_one
    copy = out / "退回" / f"2024_{FAILING.name}.xlsx"
    saved = convert_many([copy], "xlsx", tmp_path, recalc=True)[0]
    values = openpyxl.load_workbook(saved, data_only=True)
    assert values[layout.PANEL]["B1"].value == "不通过"  # the panel still computes
    assert values["表二"]["B1"].value.startswith("不通过（")
    book = openpyxl.load_workbook(saved)
    original = openpyxl.load_workbook(copy)
    for name in layout.READ_SHEETS:
        assert book[name].protection.sheet, name
        assert len(book[name].data_validations.dataValidation) == len(
            original[name].data_validations.dataValidation), name
    assert _findings(saved) == _findings(box / "马踏镇.xlsx")
