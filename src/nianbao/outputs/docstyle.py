"""The reference .docx: GB/T 9704-2012 page, styles and page numbers, built once and bundled."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, fields
from importlib import resources

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from . import schema

BODY_PT = 16.0  # 三号
TITLE_PT = 22.0  # 二号
PAGE_PT = 14.0  # 四号
LINE_PT = 28.95  # exact spacing that gives 22 lines in the 225 mm text block
TABLE_PT = 10.5  # 五号, every table
#: Each character condensed by ¼ pt: 28 characters of 3号 fill the 156 mm line in Word and in
#: LibreOffice alike (a docGrid of characters is read differently by the two).
CONDENSE_TWIPS = -5
TEXT_WIDTH_MM = 156

STYLE_BODY = "Normal"
STYLE_TITLE = "Title"
STYLE_H1 = "Heading1"
STYLE_H2 = "Heading2"
STYLE_TABLE = "TableText"
STYLE_SIGN = "Signature"
STYLE_DRAFT = "DraftMark"


@dataclass(frozen=True)
class Fonts:
    """East Asian font names; offices without the _GB2312 fonts use 仿宋 / 楷体."""

    title: str = "方正小标宋简体"
    body: str = "仿宋_GB2312"
    heading1: str = "黑体"
    heading2: str = "楷体_GB2312"
    page: str = "宋体"
    latin: str = "Times New Roman"

    @classmethod
    def from_options(cls, pairs: dict[str, str]) -> Fonts:
        known = {f.name for f in fields(cls)}
        unknown = set(pairs) - known
        if unknown:
            raise ValueError(f"未知的字体项：{'、'.join(sorted(unknown))}（可用：{'、'.join(sorted(known))}）")
        return cls(**pairs)


def set_fonts(element, east_asia: str, latin: str) -> None:
    """Set w:rFonts with an explicit eastAsia name and no theme fonts (they override names)."""
    rpr = element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")


def _paragraph_style(doc: DocumentObject, style_id: str, name: str):
    styles = doc.styles
    for style in styles:
        if style.style_id == style_id:
            return style
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.element.set(qn("w:styleId"), style_id)
    style.base_style = styles["Normal"]
    return style


def _shape(style, size: float, east_asia: str, latin: str, *, bold: bool = False,
           align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: float = 0.0, exact: float | None = LINE_PT,
           grid: bool = True, condense: bool = False) -> None:
    font = style.font
    font.size = Pt(size)
    font.bold = bold
    font.italic = False
    rpr = style.element.get_or_add_rPr()
    for child in rpr.findall(qn("w:color")) + rpr.findall(qn("w:spacing")):
        rpr.remove(child)
    if condense:
        schema.put(rpr, "w:spacing", val=str(CONDENSE_TWIPS))
    set_fonts(style.element, east_asia, latin)
    pf = style.paragraph_format
    pf.alignment = align
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.first_line_indent = Pt(indent) if indent else Pt(0)
    pf.keep_with_next = None
    if exact:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(exact)
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    ppr = style.element.get_or_add_pPr()
    if not grid:
        schema.put(ppr, "w:snapToGrid", val="0")


def apply_styles(doc: DocumentObject, fonts: Fonts) -> None:
    """Restyle the built-in styles (keeping outline levels) and add nianbao's own."""
    latin = fonts.latin
    _shape(doc.styles["Normal"], BODY_PT, fonts.body, latin, indent=2 * BODY_PT, condense=True)
    _shape(doc.styles["Title"], TITLE_PT, fonts.title, latin, align=WD_ALIGN_PARAGRAPH.CENTER,
           exact=None)
    doc.styles["Title"].paragraph_format.space_after = Pt(LINE_PT)
    for child in doc.styles["Title"].element.get_or_add_pPr().findall(qn("w:pBdr")):
        child.getparent().remove(child)
    for name, font in (("Heading 1", fonts.heading1), ("Heading 2", fonts.heading2)):
        _shape(doc.styles[name], BODY_PT, font, latin, indent=2 * BODY_PT, condense=True)
        doc.styles[name].paragraph_format.keep_with_next = True  # never last on a page
    table = _paragraph_style(doc, STYLE_TABLE, "Table Text")
    _shape(table, TABLE_PT, fonts.body, latin, align=WD_ALIGN_PARAGRAPH.CENTER, exact=None,
           grid=False)
    sign = _paragraph_style(doc, STYLE_SIGN, "Signature")
    _shape(sign, BODY_PT, fonts.body, latin, align=WD_ALIGN_PARAGRAPH.LEFT, condense=True)
    draft = _paragraph_style(doc, STYLE_DRAFT, "Draft Mark")
    _shape(draft, 12, fonts.heading1, latin, align=WD_ALIGN_PARAGRAPH.CENTER, exact=None)
    page = _paragraph_style(doc, "PageNumber", "Page Number Line")
    _shape(page, PAGE_PT, fonts.page, latin, exact=None)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        for lang in defaults.iter(qn("w:lang")):
            lang.set(qn("w:eastAsia"), "zh-CN")
        for rfonts in defaults.iter(qn("w:rFonts")):
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                rfonts.attrib.pop(qn(attr), None)
            rfonts.set(qn("w:eastAsia"), fonts.body)
            rfonts.set(qn("w:ascii"), latin)
            rfonts.set(qn("w:hAnsi"), latin)


def _page_field(paragraph) -> None:
    """— PAGE — as a field, so every page shows its own number."""
    paragraph.add_run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"),
                       ("end", None)):
        run = paragraph.add_run()
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text
    paragraph.add_run(" —")


def _footers(doc: DocumentObject) -> None:
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    section.footer_distance = Mm(25)
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = doc.styles["Page Number Line"]
        p.paragraph_format.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = Pt(PAGE_PT)
        else:
            p.paragraph_format.left_indent = Pt(PAGE_PT)
        _page_field(p)


def build_reference(fonts: Fonts = Fonts()) -> bytes:
    """The bundled reference document: A4, GB/T 9704 margins and styles, odd/even page numbers."""
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    apply_styles(doc, fonts)
    _footers(doc)
    fix_properties(doc, "nianbao 年度报告样式", dt.datetime(2021, 9, 26))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def fix_properties(doc: DocumentObject, title: str, when: dt.datetime, *, author: str = "nianbao",
                   subject: str = "") -> None:
    """Deterministic document properties (python-docx would otherwise stamp the current time);
    a report names its organ as author, so the PDF does too."""
    core = doc.core_properties
    core.title = title
    core.author = author
    core.subject = subject
    core.last_modified_by = author
    core.created = when
    core.modified = when
    core.revision = 1
    core.comments = ""
    core.keywords = ""


def reference_bytes() -> bytes:
    return resources.files("nianbao").joinpath("data/reference.docx").read_bytes()
