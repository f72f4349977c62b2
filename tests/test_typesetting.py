"""The .docx as LibreOffice lays it out, measured on the PDF (word positions from pdftotext
-bbox-layout): 28 characters a line, 22 lines a page, the date two characters right of the
organ, titles broken at word boundaries, 表三 on one page, rows whole, every figure once."""

from __future__ import annotations

import dataclasses
import random
import re
import subprocess
import unicodedata
from collections import Counter
from decimal import Decimal

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


#: Real-world magnitudes, from nothing to a province: (表二 counts, 表三 counts, 表四 counts).
MAGNITUDES = {"zeros": (0, 0, 0), "township": (30, 20, 3), "department": (2_000, 400, 40),
              "city": (900_000, 9_000, 900), "province": (9_000_000, 2_000_000, 200_000)}


def random_fill(report, rng: random.Random, scale: tuple[int, int, int]):
    """A fill at one magnitude, every input figure drawn from [0, scale] of its table."""
    figures = {}
    for table, top in zip(spec.TABLES, scale, strict=True):
        for fig in table.figures:
            if not fig.computed:
                figures[fig.code] = Decimal(rng.randint(top // 3, top) if top else 0)
    figures["T2_FEES"] = Decimal(rng.randint(0, 10**6)) / 100 if scale[0] else Decimal(0)
    return dataclasses.replace(report, title="", figures=figures).with_totals()


@pytest.fixture(scope="module")
def random_fills(sample_report, tmp_path_factory):
    """Random fills at every magnitude through the real PDF path (fonts included)."""
    needs("soffice")
    needs("pdftotext")
    from nianbao.outputs.formats import Options, write

    rng = random.Random(2026)
    out = tmp_path_factory.mktemp("fills")
    made = []
    for name, scale in MAGNITUDES.items():
        for k in range(2 if name != "zeros" else 1):
            report = random_fill(sample_report, rng, scale)
            pdf = write(report, out / f"{name}-{k}", ("pdf",), Options())["pdf"]
            made.append((f"{name}-{k}", report, _words(pdf)))
    return made


def _t3_pages(pages) -> list[int]:
    return [i for i, page in enumerate(pages)
            if any(lab.text[:6] in re.sub(r"\s", "", _page_text(page)) for lab in spec.T3.labels
                   if lab.row >= spec.T3.header_rows and lab.col == 2)]


def test_no_figure_is_broken_across_lines_in_any_fill(random_fills):
    """Every figure stands whole on one line: found as one word (or, where figures repeat, at
    least as often as it is printed in that table)."""
    for name, report, pages in random_fills:
        words = Counter(w["text"] for page in pages for line in page for w in line["words"])
        for table in spec.TABLES:
            printed = Counter(fmt_number(report.figures[f.code]) for f in table.figures)
            for text, times in printed.items():
                assert words[text] >= times, (name, table.key, text, times, words[text])


def _rows_whole(report, pages, name: str) -> None:
    """Each table row's figures stand on one line of one page (checked where the row's figures
    are printed nowhere else)."""
    words = [(i, w) for i, page in enumerate(pages) for line in page for w in line["words"]]
    counts = Counter(w["text"] for _, w in words)
    for table in spec.TABLES:
        rows: dict[int, list[str]] = {}
        for fig in table.figures:
            rows.setdefault(fig.row, []).append(fmt_number(report.figures[fig.code]))
        for row, texts in rows.items():
            if any(counts[t] != 1 for t in texts):
                continue
            places = {(i, round(w["y0"] / 3)) for i, w in words if w["text"] in texts}
            assert len(places) == 1, (name, table.key, row, places)


def test_every_row_is_whole_and_table_three_breaks_only_between_major_items(random_fills):
    tops = {lab.text: lab.row for lab in spec.T3.labels if lab.col == 0
            and lab.row >= spec.T3.header_rows}
    for name, report, pages in random_fills:
        _rows_whole(report, pages, name)
        t3 = _t3_pages(pages)
        if len(t3) < 2:
            continue
        later = re.sub(r"\s", "", _page_text(pages[t3[1]]))
        first_row = min(lab.row for lab in spec.T3.labels if lab.col == 2 and lab.row >= 2
                        and lab.text[:6] in later)
        assert first_row in tops.values(), (name, first_row)
