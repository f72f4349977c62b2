"""Per rule, named passing and failing cases, as data (sqlfluff-style). Each case starts from
the built-in sample (all figures 0, published text) and changes only what it names."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import openpyxl

from published_docs import old_t2, single_misc


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    fails: bool
    figures: dict = field(default_factory=dict)  # set after the sample; totals recomputed
    totals: dict = field(default_factory=dict)  # set after recomputing (a total that disagrees)
    texts: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)  # level, date, year, deadline
    previous: dict | None = None  # figures of last year's report (same unit, year - 1)
    previous_meta: dict = field(default_factory=dict)
    raw: dict | None = None  # a workbook filled with these raw cell values by code
    mutate: Callable[[bytes], bytes] | None = None  # a workbook changed after filling
    cells: tuple[str, ...] = ()  # a failing case: the places its findings name, in order
    units: tuple[tuple[str, str], ...] = ()  # the round's roster (name, parent)
    round_year: int | None = None  # the year of the round the file was sent into
    #: audit mode: the case's report published as a web page, rewritten by this function
    published: Callable[[str], str] | None = None
    #: and then printed to PDF (LibreOffice Writer, the page opened in it)
    printed: bool = False


def patch_member(data: bytes, member: str, edit: Callable[[str], str]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == member:
                body = edit(body.decode("utf-8")).encode("utf-8")
            dst.writestr(info, body)
    return out.getvalue()


def sheet_member(data: bytes, name: str) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    index = wb.sheetnames.index(name) + 1
    return f"xl/worksheets/sheet{index}.xml"


def cache_total(value: str) -> Callable[[bytes], bytes]:
    """Give 表三!J6 (T3_NEW_TOTAL) a cached result, as an office program would on save."""

    def edit(data: bytes) -> bytes:
        def put(xml: str) -> str:
            return re.sub(r'(<c r="J6"[^>]*>\s*<f>[^<]*</f>)\s*(<v>[^<]*</v>|<v/>)?',
                          lambda m: m.group(1) + f"<v>{value}</v>", xml, count=1)
        return patch_member(data, sheet_member(data, "表三"), put)

    return edit


def with_openpyxl(change: Callable[[openpyxl.Workbook], None]) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        wb = openpyxl.load_workbook(io.BytesIO(data))
        change(wb)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    return edit


def _set_label(wb):
    wb["表三"]["B9"].value = "（一）予以公开（含部分）"


def _set_formula(wb):
    wb["表三"]["J6"].value = "=D6"


def _add_sheet(wb):
    wb.create_sheet("备注")["A1"] = "本表仅供本单位记录"


def _set_prop(name: str, value: str):
    def change(wb):
        for prop in wb.custom_doc_props.props:
            if prop.name == name:
                prop.value = value
    return change


ROSTER = (("井研县高凤镇人民政府", "井研县"), ("井研县千佛镇人民政府", "井研县"),
          ("井研县财政局", "井研县"))
#: 千佛镇's text typed into 高凤镇's template: every narrative section, as a clerk pastes it.
OTHER_TOWN = {"TEXT_PROACTIVE": "千佛镇全年主动公开信息120条。", "TEXT_ON_REQUEST": "按规定办理。",
              "TEXT_MANAGEMENT": "规范信息发布。", "TEXT_PLATFORM": "加强网站建设。",
              "TEXT_OVERSIGHT": "加强监督。", "TEXT_PROBLEMS": "公开内容需进一步丰富。",
              "TEXT_OTHER": "未收取信息处理费。"}

T3_ROW = {"T3_GRANTED_NATURAL": 2, "T3_NEW_NATURAL": 2}

CASES = [
    # ---- arithmetic (declared in the spec, also the template's formulas)
    Case("T3_BALANCE", "column reconciles", False, figures={"T3_NEW_NATURAL": 3,
         "T3_GRANTED_NATURAL": 2, "T3_CARRIED_FORWARD_NATURAL": 1}),
    Case("T3_BALANCE", "new without result", True, figures={"T3_NEW_LEGAL": 3},
         cells=('表三!H6', '表三!H7', '表三!H29', '表三!H30', '表三!J6', '表三!J7', '表三!J29', '表三!J30')),
    Case("T3_RESULT_TOTAL", "total is the sum", False, figures={"T3_NEW_OTHER": 1,
         "T3_DENIED_3_OTHER": 1}),
    Case("T3_RESULT_TOTAL", "total typed over", True, totals={"T3_TOTAL_OTHER": 5},
         cells=('表三!I29', '表三!I8', '表三!I9', '表三!I10', '表三!I11', '表三!I12', '表三!I13', '表三!I14', '表三!I15', '表三!I16', '表三!I17', '表三!I18', '表三!I19', '表三!I20', '表三!I21', '表三!I22', '表三!I23', '表三!I24', '表三!I25', '表三!I26', '表三!I27', '表三!I28')),
    Case("T3_APPLICANT_TOTAL", "row total is the sum", False, figures=T3_ROW),
    Case("T3_APPLICANT_TOTAL", "row total typed over", True, totals={"T3_NEW_TOTAL": 7},
         cells=('表三!J6', '表三!D6', '表三!E6', '表三!F6', '表三!G6', '表三!H6', '表三!I6')),
    Case("T4_GROUP_TOTAL", "group total is the sum", False, figures={"T4_REVIEW_UPHELD": 2,
         "T4_REVIEW_PENDING": 1}),
    Case("T4_GROUP_TOTAL", "group total typed over", True, totals={"T4_SUIT_DIRECT_TOTAL": 4},
         cells=('表四!J6', '表四!F6', '表四!G6', '表四!H6', '表四!I6')),
    Case("COUNT_RANGE", "whole counts", False, figures={"T2_LICENSE": 12}),
    Case("COUNT_RANGE", "negative count", True, figures={"T2_PENALTY": -1},
         cells=('表二!B12',)),
    Case("COUNT_RANGE", "fractional count", True, figures={"T4_REVIEW_UPHELD": "1.5",
         "T3_NEW_NATURAL": 0},
         cells=('表四!A6',)),
    Case("FEE_RANGE", "six decimals", False, figures={"T2_FEES": "5.088667"}),
    Case("FEE_RANGE", "seven decimals", True, figures={"T2_FEES": "5.0886671"},
         cells=('表二!B16',)),
    Case("FEE_RANGE", "negative amount", True, figures={"T2_FEES": "-2"},
         cells=('表二!B16',)),
    # ---- domain (立法法)
    Case("REGULATION_NOT_ALLOWED", "township with no 规章", False),
    Case("REGULATION_NOT_ALLOWED", "township with 规章", True, figures={"T2_REG_INFORCE": 2},
         cells=('表二!D5',)),
    Case("REGULATION_NOT_ALLOWED", "city government may", False, figures={"T2_REG_INFORCE": 2},
         meta={"level": "市级政府"}),
    Case("REGULATION_UNUSUAL", "city department without", False, meta={"level": "市级部门"}),
    Case("REGULATION_UNUSUAL", "city department with", True, figures={"T2_REG_ISSUED": 1,
         "T2_REG_INFORCE": 1}, meta={"level": "市级部门"},
         cells=('表二!B5', '表二!D5')),
    Case("FEE_IMPLAUSIBLE", "township 3.5 万元", False, figures={"T2_FEES": "3.5"}),
    Case("FEE_IMPLAUSIBLE", "township typed 元", True, figures={"T2_FEES": 35000},
         cells=('表二!B16',)),
    # ---- text
    Case("TEXT_EMPTY", "published text", False),
    Case("TEXT_EMPTY", "section left empty", True, texts={"TEXT_PLATFORM": "  "},
         cells=('正文!B8',)),
    Case("TEXT_PLACEHOLDER", "published text", False),
    Case("TEXT_PLACEHOLDER", "XX left in", True, texts={"TEXT_PROACTIVE": "全年公开信息XX条。"},
         cells=('正文!B5',)),
    Case("TEXT_PLACEHOLDER", "待补充 left in", True, texts={"TEXT_PROBLEMS": "待补充"},
         cells=('正文!B10',)),
    Case("FEE_NOT_STATED", "states the fee", False),
    Case("FEE_NOT_STATED", "silent on the fee", True, texts={"TEXT_OTHER": "无其他需要报告的事项。"},
         cells=('正文!B11',)),
    Case("TEXT_FIGURE_MISMATCH", "text agrees", False,
         figures={"T3_NEW_NATURAL": 2, "T3_GRANTED_NATURAL": 2},
         texts={"TEXT_ON_REQUEST": "全年共收到政府信息公开申请2件，均已按期办结。"}),
    Case("TEXT_FIGURE_MISMATCH", "text says 3, table 2", True,
         figures={"T3_NEW_NATURAL": 2, "T3_GRANTED_NATURAL": 2},
         texts={"TEXT_ON_REQUEST": "全年共收到政府信息公开申请3件，均已按期办结。"},
         cells=('表三!J6',)),
    Case("TEXT_FIGURE_MISMATCH", "the table's cell is typed as 5件: not compared as 0", False,
         raw={"T3_NEW_NATURAL": "5件", "TEXT_ON_REQUEST": "全年共收到政府信息公开申请5件。"}),
    Case("TEXT_FIGURE_MISMATCH", "a carried-over count is not read as received", False,
         texts={"TEXT_ON_REQUEST": "本年度未收到新的申请，上年结转0件，行政复议0件、行政诉讼0件。"}),
    Case("TEXT_FIGURE_MISMATCH", "review count differs", True,
         texts={"TEXT_ON_REQUEST": "本年度发生政府信息公开行政复议1件。"},
         cells=('表四!E6',)),
    Case("TEXT_NO_REQUESTS", "none received, none in table", False),
    Case("TEXT_NO_REQUESTS", "none received, but 2 in table", True,
         figures={"T3_NEW_NATURAL": 2, "T3_GRANTED_NATURAL": 2},
         cells=('表三!J6',)),
    Case("TEXT_OTHER_UNIT", "names its own unit", False,
         texts={"TEXT_PROACTIVE": "高凤镇全年主动公开信息120条。"}, units=ROSTER),
    Case("TEXT_OTHER_UNIT", "no roster to compare with", False,
         texts={"TEXT_PROACTIVE": "千佛镇全年主动公开信息120条。"}),
    Case("TEXT_OTHER_UNIT", "another township's text", True, texts=OTHER_TOWN, units=ROSTER,
         cells=("正文!B5",)),
    # ---- years and dates
    Case("YEAR_MISMATCH", "this year's report in this year's round", False, round_year=2024),
    Case("YEAR_MISMATCH", "outside a round", False),
    Case("YEAR_MISMATCH", "last year's template sent into this year's round", True,
         round_year=2025, cells=("基本信息!B7",)),
    Case("YEAR_MISMATCH", "a report of a later year", True, meta={"year": 2025}, round_year=2024,
         cells=("基本信息!B7",)),
    Case("DATE_MISSING", "date given", False),
    Case("DATE_MISSING", "no date", True, meta={"date": None},
         cells=('基本信息!B8',)),
    Case("DATE_OUT_OF_RANGE", "in January", False),
    Case("DATE_OUT_OF_RANGE", "after the deadline", True, meta={"date": dt.date(2025, 2, 10)},
         cells=('基本信息!B8',)),
    Case("DATE_OUT_OF_RANGE", "in the report year", True, meta={"date": dt.date(2024, 12, 30)},
         cells=('基本信息!B8',)),
    Case("DATE_OUT_OF_RANGE", "after 31 January without a campaign deadline", True,
         meta={"date": dt.date(2025, 2, 3), "deadline": None},
         cells=('基本信息!B8',)),
    Case("DATE_OUT_OF_RANGE", "campaign deadline later", False,
         meta={"date": dt.date(2025, 2, 10), "deadline": dt.date(2025, 2, 20)}),
    # ---- cross-year (--previous)
    Case("PREVIOUS_CARRIED", "carried over matches", False,
         figures={"T3_CARRIED_IN_NATURAL": 1, "T3_GRANTED_NATURAL": 1},
         previous={"T3_CARRIED_FORWARD_NATURAL": 1, "T3_NEW_NATURAL": 1}),
    Case("PREVIOUS_CARRIED", "carried over differs", True,
         previous={"T3_CARRIED_FORWARD_NATURAL": 1, "T3_NEW_NATURAL": 1},
         cells=('表三!D7', '表三!J7')),
    Case("PREVIOUS_INFORCE", "in force follows", False,
         figures={"T2_NORM_ISSUED": 2, "T2_NORM_REPEALED": 1, "T2_NORM_INFORCE": 6},
         previous={"T2_NORM_INFORCE": 5}),
    Case("PREVIOUS_INFORCE", "in force jumps", True,
         figures={"T2_NORM_INFORCE": 9}, previous={"T2_NORM_INFORCE": 5},
         cells=('表二!D6',)),
    Case("PREVIOUS_UNIT", "same unit, last year", False, previous={}),
    Case("PREVIOUS_UNIT", "another unit", True, previous={}, previous_meta={"unit": "某街道办事处"}),
    # ---- values (through a filled workbook)
    Case("VALUE_NORMALISED", "plain numbers", False, raw={"T2_LICENSE": 12}),
    Case("VALUE_NORMALISED", "full-width digits", True, raw={"T2_LICENSE": "１２"},
         cells=('表二!B9',)),
    Case("VALUE_NORMALISED", "thousands separator and spaces", True, raw={"T2_PENALTY": " 1,234 "},
         cells=('表二!B12',)),
    Case("VALUE_NOT_NUMBER", "a number", False, raw={"T2_COERCION": 3}),
    Case("VALUE_NOT_NUMBER", "5件", True, raw={"T2_COERCION": "5件"},
         cells=('表二!B13',)),
    Case("VALUE_NOT_NUMBER", "a dash", True, raw={"T4_REVIEW_UPHELD": "—"},
         cells=('表四!A6',)),
    Case("INPUT_FORMULA", "typed values", False, raw={"T2_LICENSE": 3, "TEXT_OTHER": "未收取信息处理费。"}),
    Case("INPUT_FORMULA", "a sum typed into a count", True, raw={"T2_LICENSE": "=1+2"},
         cells=('表二!B9',)),
    Case("INPUT_FORMULA", "a formula in a text cell", True,
         raw={"TEXT_OTHER": '=HYPERLINK("http://example.invalid","未收取信息处理费")'},
         cells=('正文!B11',)),
    # ---- published reports (audit mode)
    Case("PRINTED_TOTAL_MISMATCH", "printed totals add up", False, figures=T3_ROW,
         published=lambda page: page),
    Case("PRINTED_TOTAL_MISMATCH", "row total printed wrong", True, figures=T3_ROW,
         totals={"T3_GRANTED_TOTAL": 3}, published=lambda page: page,
         cells=("网页表格2第27行第10列", "网页表格2第6行第10列")),
    Case("PRINTED_TOTAL_MISMATCH", "review total printed wrong", True,
         totals={"T4_REVIEW_TOTAL": 1}, published=lambda page: page,
         cells=("网页表格3第4行第5列",)),
    Case("PRINTED_PLACE_UNSURE", "every row printed with its label", False,
         published=lambda page: page, printed=True),
    Case("PRINTED_PLACE_UNSURE", "a row's label left out of the print", True,
         published=lambda page: page.replace(">（一）予以公开<", "><"), printed=True),
    Case("FORMAT_OUTDATED", "2021 form", False, published=lambda page: page),
    Case("FORMAT_OUTDATED", "2019 form in a 2020 report", False, meta={"year": 2020, "title": ""},
         published=single_misc),
    Case("FORMAT_OUTDATED", "（六）其他处理 as one row", True, published=single_misc,
         cells=("网页表格2第24行第4列",)),
    Case("FORMAT_OUTDATED", "2019 table 二", True, published=lambda page: old_t2(page),
         cells=("网页表格1第7行第2列",)),
    Case("VALUE_BLANK", "printed blank in a published report", True,
         published=lambda page: page.replace('2-0-3 t2-1-9 t2-5-0 t2-23-1 t2-24-2">0<',
                                             '2-0-3 t2-1-9 t2-5-0 t2-23-1 t2-24-2"><'),
         cells=("网页表格2第25行第10列",)),
    Case("VALUE_BLANK", "zero", False, raw={"T4_REVIEW_UPHELD": 0}),
    Case("VALUE_BLANK", "left blank", True, raw={"T4_REVIEW_UPHELD": None},
         cells=('表四!A6',)),
    Case("DATE_UNREADABLE", "Chinese date text", False, raw={"META_DATE": "2025年1月9日"}),
    Case("DATE_UNREADABLE", "dotted date text", False, raw={"META_DATE": "2025.1.9"}),
    Case("DATE_UNREADABLE", "words", True, raw={"META_DATE": "明年一月"},
         cells=('基本信息!B8',)),
    # ---- identity (through a filled workbook)
    Case("TEMPLATE_ALTERED", "inputs changed only", False, raw={"T2_LICENSE": 4}),
    Case("TEMPLATE_ALTERED", "label rewritten", True, raw={}, mutate=with_openpyxl(_set_label)),
    Case("TEMPLATE_ALTERED", "total formula replaced", True, raw={},
         mutate=with_openpyxl(_set_formula)),
    Case("META_MISSING", "metadata complete", False, raw={}),
    Case("META_MISSING", "unit removed", True, raw={},
         mutate=with_openpyxl(_set_prop("nianbao_unit", ""))),
    Case("EXTRA_SHEET", "the template's sheets only", False, raw={}),
    Case("EXTRA_SHEET", "a notes sheet added", True, raw={}, mutate=with_openpyxl(_add_sheet)),
    Case("TEMPLATE_OUTDATED", "current version", False, raw={}),
    Case("TEMPLATE_OUTDATED", "older version", True, raw={},
         mutate=with_openpyxl(_set_prop("nianbao_template_version", "0"))),
    Case("CACHED_MISMATCH", "cached total agrees", False, raw={}, mutate=cache_total("0")),
    Case("CACHED_MISMATCH", "cached total disagrees", True, raw={}, mutate=cache_total("9"),
         cells=('表三!J6',)),
]
