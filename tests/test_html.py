"""The web page: the outline's content, the national merges as spans, every figure once in its
cell with its headers, valid (W3C Nu HTML Checker) and accessible (axe-core in Chromium)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import consistent, needs
from nianbao import spec
from nianbao.model.values import fmt_number
from nianbao.outputs import html, outline

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / ".ci" / "web" / "node_modules"


def city_scale(report):
    """7-digit figures, each distinct, and long multi-paragraph texts."""
    figures = {code: Decimal(1_000_000 + i * 7919) for i, code in enumerate(spec.INPUT_CODES)}
    figures["T2_FEES"] = Decimal("96171.6")
    long = "\n".join(f"第{i}段。" + "政务公开工作持续深化，" * 12 for i in range(1, 6))
    texts = {code: long for code in spec.NARRATIVE_CODES}
    return dataclasses.replace(report, figures=figures, texts={**report.texts, **texts}).with_totals()


def grid(table_el) -> dict[tuple[int, int], object]:
    """(row, col) → the cell element covering it, spans expanded."""
    cells: dict[tuple[int, int], object] = {}
    for r, tr in enumerate(table_el.findall(".//tr")):
        c = 0
        for cell in tr:
            while (r, c) in cells:
                c += 1
            for dr in range(int(cell.get("rowspan", 1))):
                for dc in range(int(cell.get("colspan", 1))):
                    cells[(r + dr, c + dc)] = cell
            c += int(cell.get("colspan", 1))
    return cells


def assert_tables_match(page: str, report) -> None:
    doc = lxml_html.fromstring(page)
    tables = doc.findall(".//table")
    assert len(tables) == len(spec.TABLES)
    text = doc.text_content()
    for table, element in zip(spec.TABLES, tables, strict=True):
        assert element.find("caption").text == table.title
        cells = grid(element)
        assert max(r for r, _ in cells) + 1 == table.n_rows
        assert max(c for _, c in cells) + 1 == table.n_cols
        for lab in table.labels:
            cell = cells[(lab.row, lab.col)]
            assert cell.tag == "th" and cell.text_content() == lab.text
            assert cells[(lab.row + lab.rows - 1, lab.col + lab.cols - 1)] is cell
            assert cell.get("scope") in ("row", "col", "rowgroup", "colgroup")
        ids = {el.get("id"): el for el in element.iter("th")}
        for fig in table.figures:
            cell = cells[(fig.row, fig.col)]
            figure = fmt_number(report.figures[fig.code])
            assert cell.tag == "td" and cell.text_content() == figure, fig.code
            heads = [ids[h].text_content() for h in cell.get("headers").split()]
            assert fig.col_name in heads or fig.col_name.replace("·", "") in "".join(heads), (
                fig.code, heads)
            assert any(fig.row_name.split(" ")[-1] in h for h in heads) or table is spec.T4
    return text


@pytest.mark.parametrize("fill", ["sample", "city"])
def test_every_figure_once_in_its_cell(sample_report, fill):
    report = sample_report if fill == "sample" else city_scale(sample_report)
    page = html.render_html(report)
    text = assert_tables_match(page, report)
    if fill == "city":
        for code in spec.INPUT_CODES:
            assert text.count(fmt_number(report.figures[code])) == 1, code


def test_the_page_follows_the_outline(sample_report):
    report = consistent(sample_report, 3)
    doc = lxml_html.fromstring(html.render_html(report))
    blocks = outline.outline(report)
    headings = [b.text for b in blocks if isinstance(b, outline.Heading)]
    assert [h.text_content() for h in doc.iter("h2", "h3")] == headings
    paragraphs = [b.text for b in blocks if isinstance(b, outline.Paragraph)
                  and b.role == outline.BODY]
    shown = [p.text_content() for p in doc.iter("p") if not p.get("class")]
    assert shown == paragraphs
    assert doc.get("lang") == "zh-CN" and doc.find(".//title").text == report.display_title


def test_a_fragment_has_inline_styles_only(sample_report):
    fragment = html.render_html(sample_report, fragment=True)
    assert fragment.startswith("<article") and "<style" not in fragment
    assert "class=" not in fragment and "<html" not in fragment
    assert_tables_match(f"<html><body>{fragment}</body></html>", sample_report)


def test_untrusted_text_is_escaped(sample_report):
    report = dataclasses.replace(sample_report, texts={
        **sample_report.texts, "TEXT_OTHER": "<script>alert(1)</script>未收取信息处理费"})
    page = html.render_html(report)
    assert "<script>" not in page and "&lt;script&gt;" in page


def _vnu(path: Path) -> subprocess.CompletedProcess:
    needs("java")
    jar = WEB / "vnu-jar" / "build" / "dist" / "vnu.jar"  # installed by the judges fixture
    return subprocess.run(["java", "-jar", str(jar), "--errors-only", "--format", "json",
                           str(path)], capture_output=True, text=True, timeout=300)


@pytest.mark.office
def test_the_w3c_checker_finds_no_error(sample_report, tmp_path, judges):
    paths = []
    for name, report in (("sample", sample_report), ("city", city_scale(sample_report))):
        page = tmp_path / f"{name}.html"
        page.write_text(html.render_html(report), encoding="utf-8")
        fragment = tmp_path / f"{name}-fragment.html"
        fragment.write_text('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                            "<title>片段</title></head><body><main>"
                            + html.render_html(report, fragment=True) + "</main></body></html>",
                            encoding="utf-8")
        paths += [page, fragment]
    for path in paths:
        done = _vnu(path)
        messages = json.loads(done.stderr or "{}").get("messages", [])
        assert messages == [], (path.name, messages[:3])


def chromium_driver(width: int, height: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    needs("chromium")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--window-size={width},{height}"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(needs("chromedriver")), options=options)


@pytest.mark.office
def test_axe_finds_no_violation_at_desktop_and_phone_width(sample_report, tmp_path, judges):
    axe = (WEB / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    page = tmp_path / "report.html"
    page.write_text(html.render_html(city_scale(sample_report)), encoding="utf-8")
    for width, height in ((1366, 768), (390, 844)):
        driver = chromium_driver(width, height)
        try:
            driver.get(page.as_uri())
            driver.execute_script(axe)
            result = driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']})"
                ".then(r => done(r.violations.map(v => [v.id, v.nodes.length])));")
            driver.save_screenshot(str(tmp_path / f"page-{width}.png"))
        finally:
            driver.quit()
        assert result == [], (width, result)
