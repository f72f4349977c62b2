"""Published PDFs as office software and browsers print them (#24).

The same report goes out as a web page and a Word file, and from those through the producers
the offices use: LibreOffice from .docx and from .html (the page opened in Writer), with and
without tagged text, and Chromium's print to PDF. Titles are printed the ways producers and
clerks print them (the year spaced out, letter-spaced, in full-width digits or Chinese
numerals, split over lines, the unit on a line of its own), and some rows are printed blank.
Every PDF must read figure for figure as the page or the Word file it was printed from: the
same figures, the same cells blank, the same unit and year.
"""

from __future__ import annotations

import base64
import dataclasses
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import consistent, needs, with_figures
from nianbao.api import import_file
from nianbao.outputs import docx as docx_out, html
from test_html import chromium_driver

UNIT, YEAR = "井研县财政局", 2023
#: The title as producers and clerks print it (a <br> is where the page breaks the line).
TITLES = {
    "plain": f"{UNIT}{YEAR}年政府信息公开工作年度报告",
    "spaced": f"{UNIT} {YEAR} 年政府信息公开工作年度报告",
    "letters": f"{UNIT} 2 0 2 3 年政府信息公开工作年度报告",
    "fullwidth": f"{UNIT}２０２３年政府信息公开工作年度报告",
    "fullwidth_spaced": f"{UNIT} ２ ０ ２ ３ 年度政府信息公开工作年度报告",
    "chinese": f"{UNIT}二〇二三年政府信息公开工作年度报告",
    "split_year": f"{UNIT}20<br>23年政府信息公开工作年度报告",
    "unit_above": f"{UNIT}<br>{YEAR}年政府信息公开工作年度报告",
    "tracking": f'<span style="letter-spacing:0.6em">{UNIT}{YEAR}年政府信息公开工作年度报告</span>',
}
#: Rows printed with every cell empty: at the top of 表三, inside a merged group, a long label
#: wrapped over three lines inside the last group, and one of 表二.
BLANK_ROWS = {"二、上年结转": "T3_CARRIED_IN_", "3.危及": "T3_DENIED_3_",
              "2.申请人逾期未按收费通知": "T3_MISC_2_", "行政强制": "T2_COERCION"}


def _report(sample_report, seed: int):
    report = consistent(sample_report, seed)
    zeros = {code: 0 for code in report.figures if code.startswith(tuple(BLANK_ROWS.values()))
             and not code.endswith("_TOTAL") or code == "T2_COERCION"}
    report = with_figures(report, **zeros)
    return dataclasses.replace(report, unit=UNIT, year=YEAR, title="")


def _page(report, title: str, blank: bool) -> str:
    text = re.sub(r"(?s)<h1>.*?</h1>", f"<h1>{title}</h1>", html.render_html(report), count=1)
    if not blank:
        return text

    def row(match: re.Match[str]) -> str:
        body = match.group(0)
        if any(label in body for label in BLANK_ROWS):
            body = re.sub(r"(<td[^>]*>)[^<]*(</td>)", r"\1\2", body)
        return body

    return re.sub(r"(?s)<tr>.*?</tr>", row, text)


def _writer(sources: list[Path], outdir: Path, tagged: bool) -> None:
    """The files opened in LibreOffice Writer and exported to PDF (a web page opened in
    Writer, as a clerk does, not the Writer/Web export)."""
    options = '{"UseTaggedPDF":{"type":"boolean","value":"%s"}}' % ("true" if tagged else "false")
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as profile:
        for kind in ("html", "docx"):
            group = [s for s in sources if s.suffix == f".{kind}"]
            if not group:
                continue
            infilter = ["--infilter=HTML (StarWriter)"] if kind == "html" else []
            subprocess.run([needs("soffice"), f"-env:UserInstallation={Path(profile).as_uri()}",
                            "--headless", "--norestore", *infilter, "--convert-to",
                            f"pdf:writer_pdf_Export:{options}", "--outdir", str(outdir),
                            *map(str, group)], check=True, capture_output=True, timeout=600)


def _chromium(pages: list[Path], outdir: Path) -> list[Path]:
    driver = chromium_driver(1200, 900)
    made = []
    try:
        for page in pages:
            driver.get(page.as_uri())
            out = outdir / f"{page.stem}.chromium.pdf"
            out.write_bytes(base64.b64decode(driver.print_page()))
            made.append(out)
    finally:
        driver.quit()
    return made


def _blank(parsed) -> set[str]:
    return {c for f in parsed.findings if f.code == "VALUE_BLANK" for c in f.codes}


@pytest.mark.office
def test_pdfs_from_every_producer_read_as_the_file_they_were_printed_from(sample_report,
                                                                           tmp_path):
    report = _report(sample_report, 7)
    pages, docs = [], []
    for i, (name, title) in enumerate(TITLES.items()):
        page = tmp_path / f"{name}.html"
        page.write_text(_page(report, title, blank=i % 2 == 0), encoding="utf-8")
        pages.append(page)
        if "<" not in title:  # a Word file's title is text; its line breaks are the renderer's
            doc = tmp_path / f"{name}-word.docx"
            doc.write_bytes(docx_out.render_bytes(dataclasses.replace(report, title=title)))
            docs.append(doc)
    printed: dict[Path, list[Path]] = {}
    for tagged in (False, True):
        out = tmp_path / ("tagged" if tagged else "untagged")
        _writer(pages + docs, out, tagged)
        for source in pages + docs:
            printed.setdefault(source, []).append(out / f"{source.stem}.pdf")
    for page, pdf in zip(pages, _chromium(pages, tmp_path), strict=True):
        printed[page].append(pdf)

    checked = 0
    for source, pdfs in printed.items():
        want = import_file(source)
        assert (want.report.unit, want.report.year) == (UNIT, YEAR), source.name
        for pdf in pdfs:
            got = import_file(pdf)
            where = f"{pdf.parent.name}/{pdf.name}"
            assert (got.report.unit, got.report.year) == (UNIT, YEAR), where
            assert got.report.figures == want.report.figures, where
            assert _blank(got) == _blank(want), (where, _blank(got) ^ _blank(want))
            assert not [f for f in got.findings if f.code == "PRINTED_PLACE_UNSURE"], where
            checked += 1
    assert checked == 3 * len(pages) + 2 * len(docs)
    # the judge is awake: the blank rows are blank in the page itself, the others are not
    blank = _blank(import_file(pages[0]))
    assert all(any(c.startswith(prefix) for c in blank) for prefix in BLANK_ROWS.values())
    assert not _blank(import_file(pages[1]))
