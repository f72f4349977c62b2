"""汇总.xlsx as LibreOffice prints it: never below 8 pt, a wide sheet over several pages, each
with the header row and the unit's columns."""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest

from conftest import needs
from nianbao.outputs.pdf import convert
from nianbao.round import results, summary
from nianbao.serve.folder import RESULTS

pytestmark = pytest.mark.office


def _sizes_and_pages(pdf) -> tuple[list[float], list[str]]:
    doc = pdfium.PdfDocument(str(pdf))
    sizes, pages = [], []
    for page in doc:
        text = page.get_textpage()
        pages.append(text.get_text_range())
        sizes += [raw.FPDFText_GetFontSize(text, i) for i in range(raw.FPDFText_CountChars(text))
                  if text.get_text_range(i, 1).strip()]
    return sizes, pages


def test_the_summary_prints_at_8_pt_or_more_with_the_unit_on_every_page(demo_round, tmp_path):
    needs("soffice")
    pdf = convert(demo_round / RESULTS / results.SUMMARY, "pdf", tmp_path)
    sizes, pages = _sizes_and_pages(pdf)
    assert min(sizes) >= 8.0, min(sizes)
    assert len(pages) > 4  # the wide 数据 sheet goes over several pages rather than shrinking
    assert all("单位" in text.split("\n", 2)[1] for text in pages)  # the header row, with 单位
    continued = [t for t in pages if "状态" not in t.split("\n", 2)[1] and "级别" not in t]
    assert continued and all("井研县马踏镇人民政府" in t for t in continued)


@pytest.mark.parametrize(("widths", "scale"), [
    ([10] * 5, 100),  # fits: printed as is
    ([13] * 12, 100 * summary.PRINT_WIDTH_PT // sum((7 * 13 + 5) * 0.75 for _ in range(12))),
    ([12] * 200, 74),  # never below 8 pt
])
def test_print_scale(widths, scale):
    assert summary.print_scale(widths) == int(scale)
    assert summary.FONT_PT * summary.print_scale(widths) / 100 >= summary.MIN_PRINT_PT
