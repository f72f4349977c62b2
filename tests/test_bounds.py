"""Hostile inputs that once hung a command or ended as INTERNAL are refused with their own code,
fast, and the input is left as it was: absurd numbers in workbooks, JSON and cells typed as
text; a shared formula with a great many dependants; web pages whose spans claim a huge grid."""

from __future__ import annotations

import io
import re
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from nianbao.api import check_file
from nianbao.model import jsonform
from nianbao.model.values import NOT_NUMBER, OK, parse_number
from nianbao.workbook import layout

#: Seconds any of these may take on a loaded 2-core machine: a bound, not a benchmark (each
#: once took minutes or never finished).
BOUND = 10.0


def checked(path: Path) -> tuple[str, float]:
    before = path.read_bytes()
    start = time.monotonic()
    _, result = check_file(path)
    elapsed = time.monotonic() - start
    assert path.read_bytes() == before
    return result.problem_code or "", elapsed


def with_sheet(template: bytes, code: str, edit) -> bytes:
    """The template with the worksheet holding ``code`` rewritten by ``edit(xml) -> xml``."""
    cell = layout.address_of(code)
    src = zipfile.ZipFile(io.BytesIO(template))
    book = src.read("xl/workbook.xml").decode()
    names = re.findall(r'<sheet name="([^"]+)"', book)
    part = f"xl/worksheets/sheet{names.index(cell.sheet) + 1}.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                data = edit(data.decode(), cell.a1).encode()
            dst.writestr(info, data)
    return out.getvalue()


def number_in_cell(value: str):
    def edit(xml: str, a1: str) -> str:
        new, n = re.subn(rf'(<c r="{a1}"[^>]*><v>)[^<]*(</v>)', rf"\g<1>{value}\g<2>", xml,
                         count=1)
        assert n == 1
        return new
    return edit


@pytest.mark.parametrize("value", ["1e999999999", "-1E+400", "1" * 10_000, "1e-999999999",
                                   "9" * 65, "NaN", "Infinity"])
def test_a_number_no_office_program_writes_is_refused_at_once(tmp_path, sample_template, value):
    path = tmp_path / "number.xlsx"
    path.write_bytes(with_sheet(sample_template, "T3_NEW_NATURAL", number_in_cell(value)))
    code, elapsed = checked(path)
    assert code == "NUMBER_INVALID"
    assert elapsed < BOUND


@pytest.mark.parametrize("value", ["12", "1.5E+3", "96171.600000000006", "1e308", "0"])
def test_numbers_office_programs_write_are_still_read(tmp_path, sample_template, value):
    path = tmp_path / "number.xlsx"
    path.write_bytes(with_sheet(sample_template, "T3_NEW_NATURAL", number_in_cell(value)))
    assert checked(path)[0] == ""


@pytest.mark.parametrize("raw", ["1" * 10_000, "１" * 70, "9" * 65 + ".5", float("inf"),
                                 float("nan"), 10 ** 400, Decimal("1e999999999")])
def test_a_number_cell_holding_an_absurd_number_is_not_a_number(raw):
    assert parse_number(raw) == (None, NOT_NUMBER)


@pytest.mark.parametrize("raw", [12, 1.5, Decimal("3"), 10 ** 15, 1e300])
def test_a_number_cell_holding_a_real_number_is_one(raw):
    assert parse_number(raw)[1] == OK


def _json(sample_report, old: str, new: str) -> str:
    text = jsonform.dumps(sample_report)
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize("case", ["deep", "nan", "infinity", "1e999", "long-int", "long-year",
                                  "long-fraction"])
def test_hostile_report_json_is_refused_fast(tmp_path, sample_report, case):
    fee = '"T2_FEES": '
    text = {
        "deep": '{"x": ' + "[" * 200_000 + "]" * 200_000 + "}",
        "nan": _json(sample_report, fee, fee + "NaN, \"x\": "),
        "infinity": _json(sample_report, fee, fee + "-Infinity, \"x\": "),
        "1e999": _json(sample_report, fee, fee + "1e999, \"x\": "),
        "long-int": _json(sample_report, fee, fee + "1" * 200_000 + ", \"x\": "),
        "long-year": _json(sample_report, '"year": ', '"year": ' + "9" * 200_000 + ", \"y\": "),
        "long-fraction": _json(sample_report, fee, fee + "0." + "1" * 200_000 + ", \"x\": "),
    }[case]
    path = tmp_path / "report.json"
    path.write_text(text, encoding="utf-8")
    code, elapsed = checked(path)
    assert code == "JSON_INVALID"
    assert elapsed < BOUND


def test_report_json_keeps_reading_what_nianbao_writes(sample_report):
    assert jsonform.loads(jsonform.dumps(sample_report)) == sample_report


def test_a_shared_formula_with_a_great_many_dependants_is_bounded(tmp_path, sample_template):
    long = "+".join(f"A{i}" for i in range(1, 1500))  # ~8,000 characters, under Excel's limit
    rows = "".join(
        f'<row r="{r}"><c r="Z{r}"><f t="shared" si="0"'
        + (f' ref="Z1:Z4000">{long}</f>' if r == 1 else "/>") + "<v>0</v></c></row>"
        for r in range(1, 4001))

    def edit(xml: str, a1: str) -> str:
        return re.sub(r"<sheetData>.*</sheetData>", f"<sheetData>{rows}</sheetData>", xml,
                      flags=re.S)
    path = tmp_path / "shared.xlsx"
    path.write_bytes(with_sheet(sample_template, "T3_NEW_NATURAL", edit))
    code, elapsed = checked(path)
    assert code == "TOO_COMPLEX"
    assert elapsed < BOUND


def test_a_formula_longer_than_excel_allows_is_refused(tmp_path, sample_template):
    def edit(xml: str, a1: str) -> str:
        return xml.replace("</sheetData>", '<row r="4000"><c r="A4000"><f>'
                           + "1+" * 5000 + "1</f></c></row></sheetData>")
    path = tmp_path / "long.xlsx"
    path.write_bytes(with_sheet(sample_template, "T3_NEW_NATURAL", edit))
    assert checked(path)[0] == "TOO_COMPLEX"


def _page(cells: str) -> str:
    return ("<html><head><meta charset='utf-8'><title>某镇2024年政府信息公开工作年度报告</title>"
            f"</head><body><h1>某镇2024年政府信息公开工作年度报告</h1><table>{cells}</table>"
            "</body></html>")


@pytest.mark.parametrize("cells", [
    "<tr>" + '<td colspan="1000" rowspan="65534">x</td>' * 4000 + "</tr>" * 50,
    ('<tr><td rowspan="999999">1</td>' + '<td colspan="999999">2</td>' * 300 + "</tr>") * 100,
])
def test_a_web_page_whose_spans_claim_a_huge_grid_is_refused_fast(tmp_path, cells):
    path = tmp_path / "page.html"
    path.write_text(_page(cells), encoding="utf-8")
    assert path.stat().st_size < 1_000_000  # the review's page was 228 KB
    code, elapsed = checked(path)
    assert code == "TOO_COMPLEX"
    assert elapsed < BOUND


def test_ordinary_spans_still_place_cells_where_the_national_table_has_them():
    import lxml.html

    from nianbao.published.html import Document, _Walker

    root = lxml.html.document_fromstring(
        "<table><tr><td rowspan='2'>a</td><td colspan='2'>b</td><td>c</td></tr>"
        "<tr><td>d</td><td>e</td><td>f</td></tr></table>")
    doc = Document("html")
    _Walker(doc).walk(root)
    places = [[c.where for c in row.cells] for row in doc.rows if row.table]
    assert places == [["网页表格1第1行第1列", "网页表格1第1行第2列", "网页表格1第1行第4列"],
                      ["网页表格1第2行第2列", "网页表格1第2行第3列", "网页表格1第2行第4列"]]


def test_bidirectional_controls_never_reach_a_published_report(sample_report):
    """U+202E in the unit's name or a text would make the published page read reversed."""
    import dataclasses

    from nianbao.outputs import docx, html

    sneaky = dataclasses.replace(
        sample_report, unit="某镇\u202e人民政府", texts={**sample_report.texts,
                                                       "TEXT_PROACTIVE": "本年度\u2066公开\u202a了"})
    page = html.render_bytes(sneaky).decode("utf-8")
    document = docx.render_bytes(sneaky)
    body = zipfile.ZipFile(io.BytesIO(document)).read("word/document.xml").decode("utf-8")
    for out in (page, body):
        assert not any(ch in out for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
        assert "某镇人民政府" in out and "本年度公开了" in out
