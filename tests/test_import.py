"""nianbao import and audit mode: published reports (PDF, web page, Word) read back.

Real samples in ../shared/published are compared figure for figure with their hand-read JSON;
reports built from the model (nianbao's renderers, a page rewritten with real pages' quirks,
and PDFs made by LibreOffice) are read back and compared with the model they came from.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
import zlib
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import consistent, needs, with_figures
from hostile import pdf_of
from nianbao import published, sources, spec
from nianbao.api import import_file, validate
from nianbao.cli import cli
from nianbao.errors import FileProblem
from nianbao.model.jsonform import dumps
from nianbao.outputs import docx as docx_out
from nianbao.outputs.pdf import convert_many
from nianbao.published import bounded, parse
from nianbao.published.document import Cell, Document, Row
from published_docs import page, quirky_bytes, single_misc

SHARED = Path(__file__).parent / "fixtures" / "published"  # copies of ../shared/published
SAMPLES = ["01_huaian-shi-zhengfu_2024.pdf", "04_shuyang-xian-fagaiju_2023.html"]
PARAGRAPHS = st.lists(st.sampled_from([
    "一是加强组织领导。", "二是完善制度，规范公开流程。", "（一）存在的问题", "全年收取信息处理费0元。",
    "2024年，本机关主动公开政府信息120条。", "坚持“先审查、后公开”原则，确保信息安全。"]),
    min_size=1, max_size=3).map("\n".join)


def sample_path(name: str) -> Path:
    path = SHARED / name
    if not path.exists():
        pytest.fail(f"{path} is missing (tests/fixtures/published)")
    return path


# ---------------------------------------------------------------- the real samples


@pytest.mark.parametrize("name", SAMPLES)
def test_every_real_sample_imports_figure_for_figure(name):
    hand = json.loads(sample_path(name).with_suffix(".json").read_text(encoding="utf-8"))
    parsed = import_file(sample_path(name))
    report = parsed.report
    assert (report.unit, report.year, report.level) == (hand["unit"], hand["year"], hand["level"])
    expected = {code: Decimal(str(v)) for code, v in hand["figures_as_printed"].items()
                if v is not None}
    assert report.figures == expected
    blanks = {code for code, v in hand["figures_as_printed"].items() if v is None}
    assert {c for c in parsed.places if c not in report.figures} == blanks


def test_the_pdf_sample_places_each_figure_on_its_page():
    parsed = import_file(sample_path(SAMPLES[0]))
    assert parsed.places["T2_FEES"] == "第4页"
    assert parsed.places["T3_DENIED_3_NATURAL"] == "第4页"
    assert parsed.places["T3_UNABLE_2_NATURAL"] == "第5页"  # the table continues on a new page
    assert parsed.places["T4_SUIT_AFTER_REVIEW_TOTAL"] == "第5页"
    texts = parsed.report.texts
    assert texts["TEXT_PROACTIVE"].startswith("2024年，我市坚持")
    assert texts["TEXT_ON_REQUEST"].startswith("定期对政府信息公开申请集中的领域")  # heading cut
    assert "还有一些需要加强和改进的地方。" in texts["TEXT_PROBLEMS"]  # joined over the page
    assert texts["TEXT_OTHER"].endswith("信息处理费3940元。")


def test_the_web_page_sample_finds_its_blank_cells_where_they_were_printed():
    result = validate(sample_path(SAMPLES[1]))
    blank = [f for f in result.findings if f.code == "VALUE_BLANK"]
    assert len(blank) == 1 and blank[0].table == "表三"
    assert blank[0].cells[0] == "网页表格3第4行第5列"  # 一、本年新收 商业企业
    assert len(blank[0].codes) == 25 * 5
    assert result.errors == 0
    report = import_file(sample_path(SAMPLES[1])).report
    assert report.date.isoformat() == "2024-01-17"
    assert report.texts["TEXT_ON_REQUEST"].startswith("2023年度我局共收到依申请信息公开26件")


def test_a_blank_national_form_has_no_figures_not_zeros(tmp_path):
    result = CliRunner().invoke(cli, ["import", str(sample_path("blank-national-form.docx")),
                                      "-o", str(tmp_path)])
    assert result.exit_code == 3
    assert "没有任何数字" in result.output
    assert list(tmp_path.iterdir()) == []


def test_import_writes_the_report_json_with_the_place_of_every_figure(tmp_path):
    result = CliRunner().invoke(cli, ["import", *(str(sample_path(n)) for n in SAMPLES),
                                      "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "2024_淮安市人民政府.json").read_text(encoding="utf-8"))
    assert data["schema"] == "nianbao.report/1"
    assert data["figures"]["T2_FEES"] == 96171.6
    assert data["places"]["T3_DENIED_3_NATURAL"] == \
        "第4页 表三 “（三）不予公开 3.危及“三安全一稳定””行 自然人列"
    assert data["places"]["T2_PENALTY"] == "第4页 表二 “行政处罚”行"
    assert set(data["places"]) == set(data["figures"])
    shuyang = tmp_path / "2023_沭阳县发展和改革局.json"
    # the JSON is a report like batch writes: it reads back the same
    assert sources.read(shuyang).report == import_file(sample_path(SAMPLES[1])).report


def test_import_overrides_unit_year_and_level(tmp_path):
    result = CliRunner().invoke(cli, ["import", str(sample_path(SAMPLES[1])), "-o", str(tmp_path),
                                      "--unit", "沭阳县发改局", "--year", "2023",
                                      "--level", "市级部门"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "2023_沭阳县发改局.json").read_text(encoding="utf-8"))
    assert data["meta"]["level"] == "市级部门"


# ---------------------------------------------------------------- built from the model


def _report(sample_report, seed: int, fee: Decimal, problems: str, other: str):
    report = with_figures(consistent(sample_report, seed), T2_FEES=str(fee))
    texts = {**report.texts, "TEXT_PROBLEMS": problems, "TEXT_OTHER": other}
    return dataclasses.replace(report, texts=texts)


def assert_same(got, want, *, texts=True):
    assert got.figures == want.figures
    assert (got.unit, got.year, got.level, got.date) == (want.unit, want.year, want.level, want.date)
    if texts:
        for f in spec.TEXT_FIELDS:
            assert got.texts.get(f.code, "") == want.texts.get(f.code, "").strip(), f.code


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10_000), st.decimals(0, 99999, places=6), PARAGRAPHS, PARAGRAPHS)
def test_any_report_reads_back_from_its_web_page_and_its_word_file(sample_report, tmp_path, seed,
                                                                    fee, problems, other):
    report = _report(sample_report, seed, fee, problems, other)
    (tmp_path / "r.html").write_text(page(report), encoding="utf-8")
    (tmp_path / "r.docx").write_bytes(docx_out.render_bytes(report))
    for name in ("r.html", "r.docx"):
        reading = sources.read(tmp_path / name)
        assert_same(reading.report, report)
        assert not [f for f in reading.findings if f.code != "VALUE_BLANK"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10_000), st.integers(0, 2_000_000), st.decimals(0, 99999, places=2))
def test_any_report_reads_back_from_a_page_with_real_pages_quirks(sample_report, tmp_path, seed,
                                                                   big, fee):
    """GBK bytes, Word markup, numbers split over spans, thousands separators, spaced and
    renumbered labels, 规范性文件, wrapped labels, merged cells repeated instead of spanned."""
    report = with_figures(consistent(sample_report, seed), T2_FEES=str(fee), T2_PENALTY=big)
    path = tmp_path / "quirky.shtml"
    path.write_bytes(quirky_bytes(report))
    reading = sources.read(path)
    assert reading.source == "published-html"
    assert_same(reading.report, report)
    assert not reading.findings


def test_the_2019_single_other_row_is_read_into_3_other_and_reported(sample_report, tmp_path):
    report = with_figures(sample_report, T3_MISC_3_NATURAL=2, T3_NEW_NATURAL=2)
    path = tmp_path / "old.html"
    path.write_text(single_misc(page(report)), encoding="utf-8")
    result = validate(path)
    codes = [f.code for f in result.findings if f.code != "TEXT_NO_REQUESTS"]  # the sample's text
    assert codes == ["FORMAT_OUTDATED"], result.findings
    assert sources.read(path).report.figures["T3_MISC_3_NATURAL"] == 2
    assert sources.read(path).report.format == spec.FORMAT_2019_ID


def test_a_printed_total_that_is_not_the_sum_is_an_error_where_it_was_printed(sample_report,
                                                                            tmp_path):
    report = with_figures(sample_report, T3_NEW_NATURAL=2, T3_GRANTED_NATURAL=2)
    figures = {**report.figures, "T3_NEW_TOTAL": Decimal(3)}
    path = tmp_path / "r.docx"
    path.write_bytes(docx_out.render_bytes(dataclasses.replace(report, figures=figures)))
    result = validate(path)
    wrong = [f for f in result.findings if f.code == "PRINTED_TOTAL_MISMATCH"]
    assert [f.cells for f in wrong] == [("第2个表格第4行第10列",)]
    assert "印的是 3，六类申请人之和为 2" in wrong[0].message
    assert not [f for f in result.findings if f.code == "T3_APPLICANT_TOTAL"]  # not twice
    # the printed figure is kept, never repaired
    assert sources.read(path).report.figures["T3_NEW_TOTAL"] == 3


def _rows(*lines: str | tuple[str, ...]) -> Document:
    """A PDF-like document: each line a row of whitespace-separated words."""
    doc = Document("pdf")
    for line in lines:
        words = line.split() if isinstance(line, str) else line
        doc.rows.append(Row(tuple(Cell(w, "第1页", float(i * 40)) for i, w in enumerate(words)),
                            page=1))
    return doc


T3_HEAD = ["三、收到和处理政府信息公开申请情况", "申请人情况 自然人 法人或其他组织 总计",
           "商 业 企 科研机 社会公益 法律服务 其他", "业 构 组织 机构"]


def test_labels_wrapped_spaced_renumbered_and_a_repeated_header_find_their_rows():
    doc = _rows("某某镇人民政府2024年政府信息公开工作年度报告", "二、主动公开政府信息情况",
                "规 章 0 0 0", "规范性文件 1 0 3", "行政许可 1,234", "行政处罚 5", "行政强制 0",
                "行政事业性收费 0.5", *T3_HEAD,
                "一、本年新收政府信息公开申请数量 2 0 0 0 0 0 2",
                "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0",
                "（一）予以公开 1 0 0 0 0 0 1", "（二）部分公开（区分处理的，只计这一情",
                "1 0 0 0 0 0 1", "形，不计其他情形）",
                *T3_HEAD[1:],  # the header again on a new page
                "（六）其他处理 （1）申请人无正当理由逾期不补",
                "正、行政机关不再处理其政府信 0 0 0 0 0 0 0", "（七）总计 2 0 0 0 0 0 2",
                "四、结转下年度继续办理 0 0 0 0 0 0 0",
                "四、政府信息公开行政复议、行政诉讼情况", "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
                "五、存在的主要问题及改进情况")
    parsed = parse.parse(doc)
    figures = parsed.report.figures
    assert parsed.report.unit == "某某镇人民政府" and parsed.report.level == "乡镇"
    assert figures["T2_REG_INFORCE"] == 0 and figures["T2_NORM_INFORCE"] == 3
    assert figures["T2_LICENSE"] == 1234 and figures["T2_FEES"] == Decimal("0.5")
    assert figures["T3_PARTIAL_NATURAL"] == 1 and figures["T3_GRANTED_TOTAL"] == 1
    assert figures["T3_MISC_1_TOTAL"] == 0 and "T3_MISC_3_TOTAL" not in figures  # left out
    assert figures["T3_TOTAL_TOTAL"] == 2 and len([c for c in figures if c.startswith("T4")]) == 15


def test_a_pdf_row_with_blank_cells_places_its_figures_by_column():
    doc = _rows("X县人民政府2024年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况",
                "一、本年新收政府信息公开申请数量 2 0 0 0 0 0 2",
                ("二、上年结转政府信息公开申请数量", "", "", "", "", "", "", ""),
                "四、政府信息公开行政复议、行政诉讼情况")
    # 二、: only 自然人 (x=40) and 总计 (x=280) printed
    doc.rows[3] = Row((Cell("二、上年结转政府信息公开申请数量", "第1页", 0.0),
                       Cell("1", "第1页", 40.0), Cell("1", "第1页", 280.0)), page=1)
    parsed = parse.parse(doc)
    figures = parsed.report.figures
    assert figures["T3_CARRIED_IN_NATURAL"] == 1 and figures["T3_CARRIED_IN_TOTAL"] == 1
    assert "T3_CARRIED_IN_COMMERCIAL" not in figures
    assert "T3_CARRIED_IN_COMMERCIAL" in parsed.places  # printed blank, not absent
    assert parsed.report.level == "县级政府"


@pytest.mark.parametrize("unit, text, level", [
    ("井研县高凤镇人民政府", "", "乡镇"), ("研城街道办事处", "", "街道"),
    ("沭阳县发展和改革局", "", "县级部门"), ("洪泽区人民政府", "", "县级政府"),
    ("江苏省人民政府", "", "省级政府"), ("上海市人民政府", "", "省级政府"),
    ("淮安市人民政府", "出具各县区、各部门政务公开评估分报告", "市级政府"),
    ("昆山市人民政府", "组织各镇（街道）开展培训", "县级政府"),
    ("淮安市人民政府", "", None), ("淮安市财政局", "", None),
])
def test_the_level_is_inferred_only_where_the_name_decides_it(unit, text, level):
    assert parse.infer_level(unit, text) == level


# ---------------------------------------------------------------- audit mode


def test_a_folder_of_published_reports_gives_the_same_round_as_workbooks(sample_report, tmp_path,
                                                                         sample_template):
    from nianbao.workbook.fill import fill_bytes

    names = ["井研县高凤镇人民政府", "井研县马踏镇人民政府", "井研县千佛镇人民政府"]
    books, pages = tmp_path / "books", tmp_path / "pages"
    books.mkdir()
    pages.mkdir()
    for i, name in enumerate(names):
        report = dataclasses.replace(consistent(sample_report, i), unit=name, title="")
        if i == 2:  # one with an error both ways
            report = with_figures(report, T2_REG_INFORCE=1)
        from nianbao.model.unit import Settings, Unit
        from nianbao.workbook import template

        blank = template.build_bytes(Unit(name, "井研县", "乡镇"),
                                     Settings(2024, website=report.website))
        (books / f"{i}.xlsx").write_bytes(fill_bytes(blank, report))
        kind = ("html", "docx", "html")[i]
        body = page(report).encode() if kind == "html" else docx_out.render_bytes(report)
        (pages / f"{i}.{kind}").write_bytes(body)
    del sample_template
    runs = {}
    for box in (books, pages):
        out = tmp_path / f"out-{box.name}"
        result = CliRunner().invoke(cli, ["batch", str(box), "--out", str(out)])
        assert result.exit_code == 1, result.output  # the 规章 error
        found = json.loads((out / "findings.json").read_text(encoding="utf-8"))
        wb = openpyxl.load_workbook(out / "汇总.xlsx")
        data = [r[:1] + r[3:] for r in wb["数据汇总"].iter_rows(min_row=2, values_only=True)]
        runs[box.name] = ({(r["unit"], f["code"]) for r in found for f in r["findings"]}, data)
        assert sorted((out / "data").iterdir())  # the report JSON of each unit
    assert runs["books"][0] == runs["pages"][0]
    assert ("井研县千佛镇人民政府", "REGULATION_NOT_ALLOWED") in runs["pages"][0]
    assert runs["books"][1] == runs["pages"][1]


def test_previous_accepts_a_published_report_or_a_folder_of_them(sample_report, tmp_path):
    last = with_figures(sample_report, T3_NEW_NATURAL=3, T3_CARRIED_FORWARD_NATURAL=3)
    last = dataclasses.replace(last, year=2023, title="")
    folder = tmp_path / "去年"
    folder.mkdir()
    (folder / "高凤镇2023.html").write_text(page(last), encoding="utf-8")
    this = tmp_path / "2024.json"
    this.write_text(dumps(sample_report), encoding="utf-8")
    for previous in (folder / "高凤镇2023.html", folder):
        result = CliRunner().invoke(cli, ["validate", str(this), "--previous", str(previous)])
        assert result.exit_code == 1, result.output
        assert "PREVIOUS_CARRIED" in result.output


def test_render_makes_a_report_from_a_published_one(tmp_path):
    out = tmp_path / "淮安.docx"
    result = CliRunner().invoke(cli, ["render", str(sample_path(SAMPLES[0])), "-o", str(out)])
    assert result.exit_code == 0, result.output
    again = import_file(out).report
    assert again.figures == import_file(sample_path(SAMPLES[0])).report.figures


# ---------------------------------------------------------------- LibreOffice-made PDFs


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d6c3a30000000049454e44ae426082")


@pytest.mark.office
def test_pdfs_made_by_libreoffice_read_back(sample_report, tmp_path):
    """Word files and web pages (plain and quirky) through LibreOffice: tables split over
    pages, labels wrapped in cells; and pages whose tables are pictures, or all picture."""
    import base64

    needs("soffice")
    reports = [_report(sample_report, seed, Decimal(fee), "一是问题。\n二是改进。", "未收取信息处理费。")
               for seed, fee in ((1, "0"), (2, "96171.6"), (3, "12.345678"))]
    reports[1] = with_figures(reports[1], T2_PENALTY=3985758, T3_NEW_NATURAL=1500 + reports[1]
                              .figures["T3_NEW_NATURAL"], T3_CARRIED_FORWARD_NATURAL=1500 + reports[1]
                              .figures["T3_CARRIED_FORWARD_NATURAL"])
    made = []
    for i, report in enumerate(reports):
        (tmp_path / f"w{i}.docx").write_bytes(docx_out.render_bytes(report))
        made.append(tmp_path / f"w{i}.docx")
    (tmp_path / "quirky.html").write_bytes(quirky_bytes(reports[1]))
    picture = f'<p><img alt="表" width="600" height="300" src="data:image/png;base64,{base64.b64encode(PNG).decode()}"></p>'
    (tmp_path / "pictures.html").write_text(re.sub(r"(?s)<table.*?</table>", picture,
                                                   page(reports[0])), encoding="utf-8")
    (tmp_path / "scan.html").write_text(f"<html><body>{picture * 3}</body></html>", encoding="utf-8")
    convert_many(made, "pdf", tmp_path)
    convert_many([tmp_path / n for n in ("quirky.html", "pictures.html", "scan.html")],
                 "pdf:writer_web_pdf_Export", tmp_path)
    for i, report in enumerate(reports):
        got = sources.read(tmp_path / f"w{i}.pdf").report
        assert_same(got, report, texts=False)
        # LibreOffice drops a comma it hangs at a line end; every other character is there
        for f in spec.TEXT_FIELDS:
            strip = re.compile(r"[，、。；：\s]")
            assert strip.sub("", got.texts[f.code]) == strip.sub("", report.texts[f.code]), f.code
    quirky = sources.read(tmp_path / "quirky.pdf").report
    assert quirky.figures == reports[1].figures
    for name, code in (("pictures.pdf", "TABLE_AS_IMAGE"), ("scan.pdf", "NO_TEXT_LAYER")):
        with pytest.raises(FileProblem) as caught:
            sources.read(tmp_path / name)
        assert caught.value.code == code


# ---------------------------------------------------------------- hostile files


def test_a_pdf_claiming_a_million_pages_is_refused_quickly(tmp_path):
    kids = b" ".join(b"3 0 R" for _ in range(200_000))
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf_of([b"<< /Type /Catalog /Pages 2 0 R >>",
                           b"<< /Type /Pages /Count 200000 /Kids [" + kids + b"] >>",
                           b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]))
    started = time.monotonic()
    with pytest.raises(FileProblem) as caught:
        sources.read(path)
    assert caught.value.code == "TOO_MANY_PAGES"
    assert time.monotonic() - started < 20


def test_a_pdf_whose_streams_inflate_without_end_is_bounded(tmp_path, monkeypatch):
    """A content stream of 400 MB of text operators in 400 KB: stopped by the time or memory
    bound of the child that reads it, with a one-line problem."""
    monkeypatch.setattr(bounded, "SECONDS", 8.0)
    monkeypatch.setattr(bounded, "MEMORY", 512 * 1024 * 1024)
    stream = zlib.compress(b"BT /F1 12 Tf 72 712 Td (A) Tj ET\n" * 12_000_000, 9)
    path = tmp_path / "bomb.pdf"
    path.write_bytes(pdf_of([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]))
    started = time.monotonic()
    with pytest.raises(FileProblem) as caught:
        sources.read(path)
    assert caught.value.code in ("TIMEOUT", "MEMORY")
    assert time.monotonic() - started < 20


def test_a_web_page_of_50_mb_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.html"
    with path.open("wb") as fh:
        fh.write(b"<html><body><table>")
        fh.write(b"<tr><td>1</td></tr>" * (50 * 1024 * 1024 // 18))
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["import", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 3 and "文件过大" in result.output
    assert time.monotonic() - started < 5


def test_a_page_that_is_not_a_report_says_so(tmp_path):
    path = tmp_path / "news.html"
    path.write_text("<html><head><title>新闻</title></head><body><p>一、会议召开</p>"
                    "<table><tr><td>1</td><td>2</td></tr></table></body></html>", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 3 and "不是政府信息公开工作年度报告" in result.output
    assert "Traceback" not in result.output


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=3000), st.sampled_from(["", "utf-8", "gbk", "big5", "no-such"]))
def test_broken_encodings_are_a_problem_or_a_reading_never_a_crash(tmp_path, body, charset):
    path = tmp_path / "page.html"
    head = f'<html><head><meta charset="{charset}"></head><body><p>二、主动公开政府信息情况</p>'
    path.write_bytes(head.encode() + body)
    try:
        sources.read(path)
    except FileProblem as exc:
        assert "\n" not in exc.message


def test_a_gbk_page_and_a_page_saved_as_utf8_with_a_stale_gbk_declaration_both_read(
        sample_report, tmp_path):
    text = page(sample_report).replace('<meta charset="utf-8">',
                                       '<meta http-equiv="Content-Type" content="text/html; charset=GBK">')
    (tmp_path / "gbk.htm").write_bytes(text.encode("gbk", "replace"))
    (tmp_path / "stale.htm").write_bytes(text.encode("utf-8"))
    for name in ("gbk.htm", "stale.htm"):
        assert sources.read(tmp_path / name).report.figures == sample_report.figures


def test_the_kind_of_a_published_file_is_told_by_its_content_not_its_name(sample_report, tmp_path):
    (tmp_path / "report.xlsx").write_text(page(sample_report), encoding="utf-8")
    (tmp_path / "report.pdf").write_bytes(docx_out.render_bytes(sample_report))
    assert sources.read(tmp_path / "report.xlsx").source == "published-html"
    assert sources.read(tmp_path / "report.pdf").source == "published-docx"
    assert published.kind_of(b"\xef\xbb\xbf\n<!DOCTYPE html>", tmp_path / "x") == "html"


def _placed(*lines: tuple[float, str | tuple[str, ...]]) -> Document:
    """A PDF-like document whose lines stand at a height (top, 10 pt tall) on page 1."""
    doc = Document("pdf")
    for top, line in lines:
        words = line.split() if isinstance(line, str) else line
        cells = tuple(Cell(w, "第1页", float(i * 40)) for i, w in enumerate(words))
        doc.rows.append(Row(cells, page=1, top=top, bottom=top - 10))
    return doc


_T3_TOP = ((800, "X县人民政府2024年政府信息公开工作年度报告"), (780, "三、收到和处理政府信息公开申请情况"),
           (760, "申请人情况 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计"))


def test_a_pdf_row_printed_blank_keeps_its_blank_cells_not_the_next_rows_figures():
    """Decided by height: 二、 printed blank between 一、 and （一）; （二） wraps over two lines
    with its figures centred between them."""
    doc = _placed(*_T3_TOP, (740, "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1"),
                  (720, "二、上年结转政府信息公开申请数量"),
                  (700, "（一）予以公开 1 0 0 0 0 0 1"),
                  (680, "（二）部分公开（区分处理的，只计"), (673, "0 0 0 0 0 0 0"),
                  (666, "这一情形，不计其他情形）"),
                  (640, "四、政府信息公开行政复议、行政诉讼情况"))
    parsed = parse.parse(doc)
    figures = parsed.report.figures
    assert figures["T3_NEW_TOTAL"] == 1 and figures["T3_GRANTED_TOTAL"] == 1
    assert figures["T3_PARTIAL_TOTAL"] == 0
    assert not [c for c in figures if c.startswith("T3_CARRIED_IN")]
    blank = {c for f in parsed.findings if f.code == "VALUE_BLANK" for c in f.codes}
    assert {f"T3_CARRIED_IN_{c}" for c, _ in spec.T3_COLUMNS} <= blank
    assert not [f for f in parsed.findings if f.code == "PRINTED_PLACE_UNSURE"]


def test_pdf_figures_beside_no_label_are_unsure_never_a_neighbours():
    """（一）'s label is missing and its figures stand a row away from every label: not read,
    and a finding says where they are; 表四 with fewer figures than columns is not guessed."""
    doc = _placed(*_T3_TOP, (740, "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1"),
                  (720, "二、上年结转政府信息公开申请数量"),
                  (680, "5 0 0 0 0 0 5"),
                  (640, "四、政府信息公开行政复议、行政诉讼情况"),
                  (620, "行政复议 行政诉讼"), (600, "1 0 0 0 1"),
                  (580, "五、存在的主要问题及改进情况"))
    parsed = parse.parse(doc)
    figures = parsed.report.figures
    assert figures["T3_NEW_TOTAL"] == 1 and not [c for c in figures if c.startswith("T3_CAR")]
    assert 5 not in figures.values() and not [c for c in figures if c.startswith("T4")]
    unsure = [f for f in parsed.findings if f.code == "PRINTED_PLACE_UNSURE"]
    assert [f.table for f in unsure] == ["表三", "表四"]
    assert "5 0 0 0 0 0 5" in unsure[0].detail and unsure[0].where == "第1页 表三"


def _chars(*words: tuple[str, float, float, float]):
    """Characters of words (text, left, bottom, top), each 10 pt wide."""
    from nianbao.published.pdf import _Char

    out = []
    for text, left, bottom, top in words:
        for i, ch in enumerate(text):
            out.append(_Char(ch, left + 10 * i, bottom, left + 10 * i + 10, top))
    return out


def test_pdf_quotation_marks_boxed_high_stay_on_their_line():
    from nianbao.published.pdf import _lines

    # the marks' boxes reach above the ideographs' (as Chromium's and LibreOffice's fonts box them)
    chars = _chars(("严格落实", 0, 100, 110), ("“", 40, 106, 113), ("三审三校", 50, 100, 110),
                   ("”", 90, 106, 113), ("机制。", 100, 100, 110), ("下一行", 0, 84, 94))
    rows = _lines(chars, 1, [True, 0.0])
    assert [r.text for r in rows] == ["严格落实“三审三校”机制。", "下一行"]


def test_a_last_line_of_figures_is_not_taken_for_a_page_number():
    from nianbao.published.pdf import _lines

    figures = [(d, 40.0 * i, 100, 110) for i, d in enumerate("100000000000000")]
    rows = _lines(_chars(("正文一行", 0, 130, 140), *figures), 1, [True, 0.0])
    assert [r.text for r in rows] == ["正文一行", " ".join("100000000000000")]  # 表四 at the foot
    rows = _lines(_chars(("正文一行", 0, 130, 140), ("-", 280, 60, 70), ("3", 300, 60, 70),
                         ("-", 320, 60, 70)), 1, [True, 0.0])
    assert [r.text for r in rows] == ["正文一行"]
