"""The Word report: tables exactly as the national format, GB/T 9704 typography, PDF in CI."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from hypothesis import given, settings, strategies as st

from conftest import consistent, needs, with_figures
from nianbao import assets, spec
from nianbao.cli import cli
from nianbao.errors import ConversionError
from nianbao.model.values import fmt_number
from nianbao.outputs import docstyle, docx as render, outline
from nianbao.outputs.pdf import to_pdf


def parse(data: bytes):
    return Document(io.BytesIO(data))


def assert_tables_match(doc, report):
    """Every label, merge and figure of the three tables, cell by cell (each grid read once)."""
    assert len(doc.tables) == len(spec.TABLES)
    for table, dtable in zip(spec.TABLES, doc.tables, strict=False):
        assert len(dtable.rows) == table.n_rows and len(dtable.columns) == table.n_cols
        flat = dtable._cells  # python-docx rebuilds this list on every Table.cell() call
        grid = [flat[r * table.n_cols:(r + 1) * table.n_cols] for r in range(table.n_rows)]
        for lab in table.labels:
            cell = grid[lab.row][lab.col]
            assert cell.text.replace("\n", "") == lab.text
            last = grid[lab.row + lab.rows - 1][lab.col + lab.cols - 1]
            assert last._tc is cell._tc, (table.name, lab.text)  # merged region
            if lab.cols == 1 and lab.col + 1 < table.n_cols:
                assert grid[lab.row][lab.col + 1]._tc is not cell._tc
        for fig in table.figures:
            cell = grid[fig.row][fig.col]
            assert cell.text == fmt_number(report.figures[fig.code]), fig.code
            assert grid[fig.row][fig.col + fig.cols - 1]._tc is cell._tc


def test_sample_tables_are_the_national_tables(sample_report):
    assert_tables_match(parse(render.render_bytes(sample_report)), sample_report)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000), st.decimals(0, 99999, places=6))
def test_any_fill_renders_every_figure_in_its_cell(sample_report, seed, fee):
    report = with_figures(consistent(sample_report, seed), T2_FEES=str(fee))
    assert_tables_match(parse(render.render_bytes(report)), report)


def body_paragraphs(doc):
    return [(p.style.style_id, p.text) for p in doc.paragraphs]


def test_golden_content_of_the_sample(sample_report):
    doc = parse(render.render_bytes(sample_report))
    paras = body_paragraphs(doc)
    assert paras[0] == ("Title", "井研县高凤镇人民政府")
    assert paras[1] == ("Title", "2024年高凤镇政府信息公开工作年度报告")
    assert paras[2] == ("Normal", sample_report.texts["TEXT_PREAMBLE"])
    headings = [t for s, t in paras if s == "Heading1"]
    assert headings == [p.heading for p in spec.PARTS]
    subheads = [t for s, t in paras if s == "Heading2"]
    assert subheads == ["（一）主动公开", "（二）依申请公开", "（三）政府信息管理",
                        "（四）政府信息公开平台建设", "（五）监督保障"]
    text = [t for _, t in paras]
    for fld in spec.TEXT_FIELDS:
        assert sample_report.texts[fld.code] in text
    assert ("本报告中所列数据统计期限自2024年1月1日起至2024年12月31日止。如需了解更多政府信息，"
            "请登录井研县政府网站（http://www.\u200bjingyan.\u200bgov.\u200bcn/）查询。") in text
    assert sum("统计期限" in t for t in text) == 1  # the unit's own sentence, not a second one
    assert paras[-2:] == [("Signature", "井研县高凤镇人民政府"), ("Signature", "2025年1月9日")]


def test_multi_line_cells_become_paragraphs(sample_report):
    import dataclasses

    report = dataclasses.replace(sample_report, texts={**sample_report.texts,
                                                       "TEXT_PROBLEMS": "一是问题。\n\n二是改进。\r\n三是计划。"})
    text = [p.text for p in parse(render.render_bytes(report)).paragraphs]
    i = text.index("一是问题。")
    assert text[i:i + 3] == ["一是问题。", "二是改进。", "三是计划。"]


def test_typography_follows_gb_t_9704(sample_report):
    doc = parse(render.render_bytes(sample_report))
    sec = doc.sections[0]
    measured = [round(x.mm) for x in (sec.page_width, sec.page_height, sec.top_margin,
                                        sec.bottom_margin, sec.left_margin, sec.right_margin)]
    assert measured == [210, 297, 37, 35, 28, 26]
    expected = {"Normal": ("仿宋_GB2312", 16), "Title": ("方正小标宋简体", 22),
                "Heading1": ("黑体", 16), "Heading2": ("楷体_GB2312", 16)}
    for style_id, (font, size) in expected.items():
        style = next(s for s in doc.styles if s.style_id == style_id)
        rfonts = style.element.rPr.find(qn("w:rFonts"))
        assert rfonts.get(qn("w:eastAsia")) == font
        assert rfonts.get(qn("w:eastAsiaTheme")) is None
        assert style.font.size == Pt(size)
    normal = doc.styles["Normal"].paragraph_format
    assert normal.line_spacing == Pt(28.95) and normal.first_line_indent == Pt(32)
    assert doc.settings.odd_and_even_pages_header_footer
    for footer in (sec.footer, sec.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and "— " in footer.paragraphs[0].text
    assert sec.footer.paragraphs[0].alignment == 2 and sec.even_page_footer.paragraphs[0].alignment == 0
    table = doc.tables[1]._tbl
    assert table.xpath("./w:tr[1]/w:trPr/w:tblHeader") and table.xpath("./w:tr/w:trPr/w:cantSplit")
    for t in doc.tables:  # every table fits the 156 mm text block
        widths = [int(w) for w in t._tbl.xpath("./w:tblGrid/w:gridCol/@w:w")]
        assert sum(widths) <= 156 / 25.4 * 1440 + len(widths)  # rounding to whole twips
        assert t._tbl.xpath("./w:tblPr/w:tblLayout/@w:type") == ["fixed"]


def test_signature_and_date_indents():
    sign, date = outline.signature_indents("井研县高凤镇人民政府", "2025年1月9日")
    assert (sign, date) == (28 - 2 - 10, 28 - 2 - 10 + 2)  # 右空二字; the date two to the right
    sign, date = outline.signature_indents("某局", "2025年12月31日")
    assert date + outline.rendered_width("2025年12月31日") == 26 and sign == date - 2


def test_draft_marks_every_page_header(sample_report):
    doc = parse(render.render_bytes(sample_report, draft=True))
    sec = doc.sections[0]
    for header in (sec.header, sec.even_page_header, sec.first_page_header):
        assert header.paragraphs[0].text == render.DRAFT_MARK


def test_the_same_input_gives_the_same_document(sample_report):
    a = assets.zip_content(render.render_bytes(sample_report))
    b = assets.zip_content(render.render_bytes(sample_report))
    assert a == b


def test_render_refuses_with_errors_unless_draft(sample_report, filled, tmp_path):
    bad = filled(with_figures(sample_report, T3_NEW_NATURAL=1))
    out = tmp_path / "r.docx"
    result = CliRunner().invoke(cli, ["render", str(bad), "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert "T3_BALANCE" in result.output
    result = CliRunner().invoke(cli, ["render", str(bad), "-o", str(out), "--draft"])
    assert result.exit_code == 0 and out.exists()
    assert Document(out).sections[0].header.paragraphs[0].text == render.DRAFT_MARK


def test_fonts_and_reference_docx_restyle_without_code(sample_report, filled, tmp_path):
    src = filled(sample_report)
    out = tmp_path / "plain.docx"
    result = CliRunner().invoke(cli, ["render", str(src), "-o", str(out), "--font", "body=仿宋",
                                      "--font", "heading2=楷体"])
    assert result.exit_code == 0, result.output
    doc = Document(out)
    assert doc.styles["Normal"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋"
    ref = tmp_path / "ref.docx"
    ref.write_bytes(docstyle.build_reference(docstyle.Fonts(title="华文中宋")))
    out2 = tmp_path / "styled.docx"
    result = CliRunner().invoke(cli, ["render", str(src), "-o", str(out2), "--reference-docx",
                                      str(ref)])
    assert result.exit_code == 0
    title = Document(out2).styles["Title"].element.rPr.find(qn("w:rFonts"))
    assert title.get(qn("w:eastAsia")) == "华文中宋"
    bad = CliRunner().invoke(cli, ["render", str(src), "-o", str(out), "--font", "nope=x"])
    assert bad.exit_code == 2


@pytest.mark.office
def test_libreoffice_makes_a_pdf_with_the_tables_in_order(sample_report, filled, tmp_path):
    needs("soffice")
    needs("pdftotext")
    out = tmp_path / "report.docx"
    result = CliRunner().invoke(cli, ["render", str(filled(sample_report)), "-o", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    pdf = out.with_suffix(".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 4 <= pages <= 7
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                                             text=True).stdout)
    position = 0
    for label in ["第二十条第（一）项", "行政事业性收费", "申请人情况", "3.危及“三安全一稳定”",
                  "（七）总计", "四、结转下年度继续办理", "行政复议", "复议后起诉",
                  "五、存在的主要问题及改进情况", "2025年1月9日"]:
        found = text.find(label, position)
        assert found >= 0, label
        position = found
    assert "—1—" in text and "—2—" in text


@pytest.mark.office
def test_the_pdf_is_named_after_the_output_whatever_its_suffix(sample_report, tmp_path):
    needs("soffice")
    out = tmp_path / "高凤镇.v1"
    out.write_bytes(render.render_bytes(sample_report))
    assert to_pdf(out) == tmp_path / "高凤镇.v1.pdf"
    assert (tmp_path / "高凤镇.v1.pdf").read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "高凤镇.pdf").exists()


@pytest.mark.office
def test_pdf_without_libreoffice_says_so(tmp_path, monkeypatch):
    from nianbao.outputs import pdf

    monkeypatch.setattr(pdf, "soffice", lambda: None)
    (tmp_path / "x.docx").write_bytes(b"")
    with pytest.raises(ConversionError, match="未安装 LibreOffice"):
        to_pdf(tmp_path / "x.docx")


def test_render_from_the_report_json(sample_report, tmp_path):
    from nianbao.model import jsonform as rj

    src = tmp_path / "高凤镇.json"
    src.write_text(rj.dumps(sample_report), encoding="utf-8")
    out = tmp_path / "from-json.docx"
    result = CliRunner().invoke(cli, ["render", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert_tables_match(Document(out), sample_report)


def _expected_sequence(blocks):
    """What the outline says the document holds, as (kind, style, text) in order."""
    styles = {outline.ORGAN: "Title", outline.TITLE: "Title", outline.BODY: "Normal",
              outline.SUBHEADING: "Heading2"}
    seq = []
    for block in blocks:
        if isinstance(block, outline.Paragraph):
            seq.append(("p", styles[block.role], block.text.replace("\u200b", "")))
        elif isinstance(block, outline.Heading):
            seq.append(("p", f"Heading{block.level}", block.text))
        elif isinstance(block, outline.Table):
            seq.append(("table", block.table.name, ""))
        else:
            seq += [("p", "Normal", ""), ("p", "Signature", block.organ),
                    ("p", "Signature", block.date)]
    return seq


def _document_sequence(doc):
    """The body's paragraphs and tables in document order."""
    seq = []
    names = iter(t.name for t in spec.TABLES)
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            p = next(p for p in doc.paragraphs if p._p is child)
            seq.append(("p", p.style.style_id, p.text.replace("\u200b", "")))
        elif child.tag == qn("w:tbl"):
            seq.append(("table", next(names), ""))
    return seq


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000), st.lists(st.sampled_from(["一是问题。", "二是改进。", "", "（一）小标题"]),
                                        max_size=4))
def test_the_outline_drives_the_document(sample_report, seed, problems):
    import dataclasses

    report = dataclasses.replace(consistent(sample_report, seed),
                                 texts={**sample_report.texts, "TEXT_PROBLEMS": "\n".join(problems)})
    blocks = outline.outline(report)
    doc = parse(render.render_bytes(report))
    assert _document_sequence(doc) == _expected_sequence(blocks)
    cells = [c for b in blocks if isinstance(b, outline.Table) for c in b.cells if c.code]
    assert len(cells) == len(spec.FIGURES)


def test_a_title_that_names_the_organ_has_no_organ_line(sample_report):
    import dataclasses

    named = dataclasses.replace(sample_report, title="井研县高凤镇人民政府2024年政府信息公开工作年度报告")
    blocks = outline.outline(named)
    assert [b.role for b in blocks if isinstance(b, outline.Paragraph)][0] == outline.TITLE
    assert _document_sequence(parse(render.render_bytes(named))) == _expected_sequence(blocks)


@pytest.mark.parametrize("field", ["TEXT_PREAMBLE", "TEXT_OTHER"])
def test_the_data_period_is_stated_once(sample_report, field):
    import dataclasses

    own = "本报告中所列数据的统计期限自2024年1月1日起至2024年12月31日止。"
    report = dataclasses.replace(sample_report, texts={
        **sample_report.texts, field: sample_report.texts[field] + "\n" + own})
    text = "".join(p.text for p in parse(render.render_bytes(report)).paragraphs)
    assert text.count("统计期限") == 1


def test_subheadings_in_any_part_take_the_heading_style(sample_report):
    import dataclasses

    report = dataclasses.replace(sample_report, texts={
        **sample_report.texts, "TEXT_PROBLEMS": "（一）2023年度问题整改情况\n已整改。\n"
        "（二）存在的主要问题\n（三）改进措施。一是加强培训，二是完善制度，三是强化考核。"})
    paras = body_paragraphs(parse(render.render_bytes(report)))
    assert ("Heading2", "（一）2023年度问题整改情况") in paras
    assert ("Heading2", "（二）存在的主要问题") in paras
    assert ("Normal", "（三）改进措施。一是加强培训，二是完善制度，三是强化考核。") in paras


@pytest.mark.parametrize("title, unit, lines", [
    ("淮安市人民政府2024年政府信息公开工作年度报告", "淮安市人民政府",
     ("淮安市人民政府2024年", "政府信息公开工作年度报告")),
    ("中华人民共和国国家发展和改革委员会2024年政府信息公开工作年度报告",
     "中华人民共和国国家发展和改革委员会",
     ("中华人民共和国国家发展和改革委员会", "2024年政府信息公开工作年度报告")),
    ("2024年高凤镇政府信息公开工作年度报告", "井研县高凤镇人民政府",
     ("2024年高凤镇政府信息公开工作年度报告",)),
])
def test_titles_break_at_word_boundaries(title, unit, lines):
    assert outline.title_lines(title, unit) == lines


def test_a_table_too_tall_for_a_page_breaks_only_between_groups(sample_report, monkeypatch):
    table = next(b for b in outline.outline(sample_report) if isinstance(b, outline.Table)
                 and b.table is spec.T3)
    assert render._kept_rows(table) == set(range(spec.T3.n_rows - 1))  # fits: kept whole
    monkeypatch.setattr(outline, "PAGE_BODY_PT", 100.0)
    kept = render._kept_rows(table)
    groups = [lab for lab in spec.T3.labels if lab.rows > 1 and lab.row >= spec.T3.header_rows
              and lab.col == 1]
    assert len(groups) == 4  # （三）–（六）
    for lab in groups:  # inside a group every row keeps with the next; its last row may break
        assert set(range(lab.row, lab.row + lab.rows - 1)) <= kept
        assert lab.row + lab.rows - 1 not in kept
    assert set(range(spec.T3.header_rows)) <= kept
