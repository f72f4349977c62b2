"""The .docx as LibreOffice lays it out, measured on the PDF (word positions from pdftotext
-bbox-layout): 28 characters a line, 22 lines a page, the date two characters right of the
organ, titles broken at word boundaries, 表三 on one page, rows whole, every figure once."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections import Counter

import pytest
from lxml import etree

from conftest import city, needs
from nianbao import spec
from nianbao.model.values import fmt_number
from nianbao.outputs import docx, outline
from nianbao.outputs.pdf import convert_many

pytestmark = pytest.mark.office

PT_PER_MM = 72 / 25.4
LEFT, RIGHT = 28 * PT_PER_MM, (210 - 26) * PT_PER_MM
CHAR = 16 - 0.25  # 三号, condensed by ¼ pt


@pytest.fixture(scope="module")
def laid_out(sample_report, tmp_path_factory):
    needs("soffice")
    needs("pdftotext")
    tmp = tmp_path_factory.mktemp("typeset")
    reports = {"sample": sample_report, "city": city(sample_report)}
    sources = []
    for name, report in reports.items():
        path = tmp / f"{name}.docx"
        path.write_bytes(docx.render_bytes(report))
        sources.append(path)
    pdfs = convert_many(sources, "pdf", tmp / "pdf", jobs=2)
    return {name: (reports[name], _words(pdf)) for name, pdf in zip(reports, pdfs, strict=True)}


def _words(pdf) -> list[list[dict]]:
    """Per page, every line: its words with positions and its text."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                         check=True).stdout
    root = etree.fromstring(xml, etree.XMLParser(recover=True))
    pages = []
    for page in root.iter("{*}page"):
        lines = []
        for line in page.iter("{*}line"):
            words = [{"text": w.text or "", "x0": float(w.get("xMin")), "x1": float(w.get("xMax")),
                      "y0": float(w.get("yMin")), "y1": float(w.get("yMax"))}
                     for w in line.iter("{*}word")]
            if words:
                lines.append({"words": words, "text": "".join(w["text"] for w in words),
                              "x0": words[0]["x0"], "x1": words[-1]["x1"],
                              "y0": min(w["y0"] for w in words), "y1": max(w["y1"] for w in words)})
        pages.append(lines)
    return pages


def _wide(text: str) -> bool:
    return all(unicodedata.east_asian_width(ch) in "WF" for ch in text)


def _body_lines(pages):
    """Full lines of body text: 三号 Chinese text reaching the right margin."""
    for page in pages:
        for line in page:
            height = line["y1"] - line["y0"]
            if 18 < height < 24 and _wide(line["text"]) and abs(line["x1"] - RIGHT) < 4:
                yield line


@pytest.mark.parametrize("name", ["sample", "city"])
def test_28_characters_on_every_full_body_line(laid_out, name):
    _, pages = laid_out[name]
    counts = Counter()
    for line in _body_lines(pages):
        indent = round((line["x0"] - LEFT) / 16)  # the first line's indent is 2 × 16 pt
        counts[len(line["text"]) + indent] += 1
    assert counts, "no full body line found"
    assert max(counts) == 28 and counts[28] >= 0.9 * sum(counts.values()), counts


def test_22_lines_on_a_full_page(laid_out):
    _, pages = laid_out["city"]
    full = []
    for page in pages:
        body = {round(line["y0"]) for line in page if 18 < line["y1"] - line["y0"] < 24
                and line["x0"] < RIGHT - 40 and "—" not in line["text"]}
        full.append(len(body))
    assert max(full) == 22, full


@pytest.mark.parametrize("name", ["sample", "city"])
def test_the_date_starts_two_characters_right_of_the_organ(laid_out, name):
    report, pages = laid_out[name]
    last = pages[-1] if any(report.unit == line["text"] for line in pages[-1]) else pages[-2]
    organ = next(line for line in last if line["text"] == report.unit)
    date = next(line for line in last if line["text"] == outline.date_text(report.date))
    assert abs((date["x0"] - organ["x0"]) - 2 * CHAR) < 1.5
    # the longer of the two lines is 右空二字 (the date when it is longer: §7.3.5.2)
    assert abs(min(RIGHT - organ["x1"], RIGHT - date["x1"]) - 2 * CHAR) < 6.0
    assert pages.index(last) == next(i for i, p in enumerate(pages) if date in p)


@pytest.mark.parametrize("name", ["sample", "city"])
def test_title_lines_end_at_word_boundaries(laid_out, name):
    report, pages = laid_out[name]
    lines = [line["text"] for line in pages[0] if line["y1"] - line["y0"] > 25]
    expected = outline.title_lines(report.display_title, report.unit)
    assert [t for t in lines if t != report.unit] == list(expected)
    assert "".join(expected) == report.display_title


def _page_text(page) -> str:
    return "".join(line["text"] for line in page)


def test_table_three_is_on_one_page_in_the_demo(laid_out):
    _, pages = laid_out["sample"]
    first, last = "一、本年新收政府信息公开申请数量", "四、结转下年度继续办理"
    assert any(first in _page_text(p) and last in _page_text(p) for p in pages)


def test_no_table_row_is_split_across_pages(laid_out):
    """Each 表三 row's label begins on the page that holds the row's (distinct) figures, and
    the row's figures stand on one line."""
    report, pages = laid_out["city"]
    for lab in spec.T3.labels:
        if lab.row < spec.T3.header_rows or lab.rows != 1 or lab.col != 2:
            continue
        figures = {fmt_number(report.figures[f.code]) for f in spec.T3.figures
                   if f.row == lab.row}
        on = [i for i, page in enumerate(pages) for line in page for w in line["words"]
              if w["text"] in figures]
        starts = [i for i, page in enumerate(pages) if lab.text[:3] in
                  re.sub(r"\s", "", _page_text(page))]
        assert len(set(on)) == 1 and on[0] in starts, lab.text


def test_every_figure_once_and_in_its_row_in_column_order(laid_out):
    report, pages = laid_out["city"]
    words = [(i, w) for i, page in enumerate(pages) for line in page for w in line["words"]]
    for table in spec.TABLES:
        rows: dict[int, list[tuple[int, str]]] = {}
        for fig in table.figures:
            text = fmt_number(report.figures[fig.code])
            found = [(i, w) for i, w in words if w["text"] == text]
            assert len(found) == 1, (fig.code, text, len(found))
            rows.setdefault(fig.row, []).append((fig.col, found[0]))
        for cells in rows.values():
            cells.sort()
            ys = {(i, round(w["y0"] / 3)) for _, (i, w) in cells}
            xs = [w["x0"] for _, (_, w) in cells]
            assert len({i for i, _ in ys}) == 1 and xs == sorted(xs), cells


def test_the_pdf_names_the_organ(laid_out, tmp_path):
    report, _ = laid_out["city"]
    source = tmp_path / "city.docx"
    source.write_bytes(docx.render_bytes(report))
    pdf = convert_many([source], "pdf", tmp_path)[0]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"Author:\s+淮安市人民政府", info)
    assert "政府信息公开工作年度报告" in re.search(r"Title:\s+(.*)", info).group(1)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:] if line.strip())
