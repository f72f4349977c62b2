"""A published report's rows → the report model, every figure with the place it was printed.

The three tables are read by their printed row labels, not by their geometry: inside the part a
table belongs to (二、三、四), label text is gathered until figures follow, and the figures go
to the first row not yet read whose label words appear in it (rows read in the national order,
so a label wrapped over lines, numbered 1、 or （1）, spaced out as 规 章 or preceded by a header
repeated on a new page still finds its row, and a row left out is just absent). Figures are kept
exactly as printed: a blank cell stays blank, a printed total stays what was printed, and a
total that is not the sum of its parts is reported where it was printed.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .. import spec
from ..checks.findings import Finding, make
from ..errors import problem
from ..model.report import Report, default_title
from ..model.values import MAX_NUMBER_TEXT, fmt_number, parse_date
from ..outputs.outline import data_period
from ..spec.normalise import NUMBER_SHAPE, number_text
from .document import Cell, Document, Row, compact, join

#: The six part headings: number, and words one of which the heading has.
PART_WORDS = (("一", ("总体情况",)), ("二", ("主动公开",)), ("三", ("申请",)),
              ("四", ("复议", "诉讼")), ("五", ("问题",)), ("六", ("其他",)))
_HEADING = re.compile(r"^([一二三四五六])[、.．,，]")
MAX_HEADING = 40
#: A title is a line of its own (a sentence that names the report is not its title).
MAX_TITLE = 60

#: 淮安市人民政府2024年政府信息公开工作年度报告, 2024年高凤镇政府信息公开工作年度报告.
TITLE = re.compile(r"(?P<unit>[^\s，。：:；;“”\"《》]*?)(?P<year>(?:19|20)\d\d)年度?"
                   r"(?P<after>[^\s，。：:；;“”\"《》]{0,30}?)的?政府信息公开(?:工作)?(?:年度)?报告")
_ORGAN_END = re.compile(r"(人民政府|办公室|办公厅|委员会|办事处|街道|[局厅委院署部所站队乡镇]|中心|"
                        r"管理处|政府)$")

# ---------------------------------------------------------------- table rows


@dataclass(frozen=True)
class RowSpec:
    """A printed row: its key, the words its label has (any one), how many figures it has,
    and the code each figure is (``None``: a 2019 cell with no place in the 2021 model)."""

    key: str
    words: tuple[str, ...]
    codes: tuple[str | None, ...]


def _t3_row(key: str, *words: str) -> RowSpec:
    return RowSpec(key, words, tuple(f"T3_{key}_{c}" for c, _ in spec.T3_COLUMNS))


T3_ROWS = (
    _t3_row("NEW", "新收"), _t3_row("CARRIED_IN", "上年结转"),
    _t3_row("GRANTED", "予以公开"), _t3_row("PARTIAL", "部分公开"),
    _t3_row("DENIED_1", "国家秘密"), _t3_row("DENIED_2", "禁止公开", "其他法律行政"),
    _t3_row("DENIED_3", "三安全一稳定", "危及"), _t3_row("DENIED_4", "第三方"),
    _t3_row("DENIED_5", "内部事务"), _t3_row("DENIED_6", "过程性"),
    _t3_row("DENIED_7", "执法案卷"), _t3_row("DENIED_8", "行政查询"),
    _t3_row("UNABLE_1", "不掌握"), _t3_row("UNABLE_2", "另行制作", "没有现成"),
    _t3_row("UNABLE_3", "仍不明确", "补正后申请"),
    _t3_row("DECLINED_1", "信访", "举报投诉"), _t3_row("DECLINED_2", "重复申请"),
    _t3_row("DECLINED_3", "出版物"), _t3_row("DECLINED_4", "大量反复"),
    _t3_row("DECLINED_5", "重新出具", "行政机关确认"),
    _t3_row("MISC_1", "理由逾期", "不补正"), _t3_row("MISC_2", "收费通知", "缴纳费用", "逾期未按"),
    _t3_row("MISC_3", "其他"),
    _t3_row("TOTAL", "总计", "合计"), _t3_row("CARRIED_FORWARD", "结转下年", "下年度继续"),
)
_T2_2021 = (
    RowSpec("REG", ("规章",), ("T2_REG_ISSUED", "T2_REG_REPEALED", "T2_REG_INFORCE")),
    RowSpec("NORM", ("规范性文件",), ("T2_NORM_ISSUED", "T2_NORM_REPEALED", "T2_NORM_INFORCE")),
    RowSpec("LICENSE", ("行政许可",), ("T2_LICENSE",)),
    RowSpec("PENALTY", ("行政处罚",), ("T2_PENALTY",)),
    RowSpec("COERCION", ("行政强制",), ("T2_COERCION",)),
    RowSpec("FEES", (spec.FIGURES["T2_FEES"].row_name, "收费"), ("T2_FEES",)),
)
_T2_2019 = tuple(RowSpec(f"2019_{i}", words, codes)
                 for i, (words, codes) in enumerate(spec.T2_2019_ROWS))
T4_CODES = tuple(f.code for f in spec.T4.figures)
_DASHES = {"-", "—", "–", "－", "/", "／", "\\", "——", "--", "无", "空"}


@dataclass(frozen=True)
class Printed:
    """A figure as printed: its value (``None``: printed blank) and where."""

    value: Decimal | None
    where: str


@dataclass
class Parsed:
    """What a published report gave: the report, the place of every figure, the findings its
    printing itself breaks, and what was noticed on the way."""

    report: Report
    places: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    level_inferred: bool = False


# ---------------------------------------------------------------- cells and segments


def number(text: str) -> Decimal | None:
    """A printed figure (thousands separators, full-width digits, spaces allowed); else None."""
    cleaned = number_text(text).replace("，", "").replace(",", "")
    for unit in ("万元", "件", "个", "次", "元"):
        if cleaned.endswith(unit) and len(cleaned) > len(unit):
            cleaned = cleaned[: -len(unit)]
            break
    if (len(cleaned) <= MAX_NUMBER_TEXT and NUMBER_SHAPE.match(cleaned)
            and not cleaned.endswith(".") and any(ch.isdigit() for ch in cleaned)):
        return Decimal(cleaned)  # bounded like every number nianbao reads (model.values)
    return None


def is_blank(text: str) -> bool:
    return not compact(text) or compact(text) in _DASHES


@dataclass
class Segment:
    """Label text and the figures printed after it on one line or table row."""

    label: str
    values: list[Printed]
    xs: list[float | None]
    table: bool
    page: int


def segments(rows: Sequence[Row]) -> list[Segment]:
    """Each row cut into its label (leading text) and its figures (trailing numbers; in a table
    row, trailing blank cells too, when the row has a figure or is all blank after its label)."""
    out = []
    for row in rows:
        cells = list(row.cells)
        values: list[tuple[Cell, Decimal | None]] = []
        while cells:
            cell = cells[-1]
            value = number(cell.text)
            if value is None and not (row.table and is_blank(cell.text)):
                break
            values.append((cell, value))
            cells.pop()
        values.reverse()
        out.append(Segment(join(c.text for c in cells), [Printed(v, c.where) for c, v in values],
                           [c.x for c, _ in values], row.table, row.page))
    return out


# ---------------------------------------------------------------- parts


def part_starts(rows: Sequence[Row]) -> dict[str, int]:
    """Row index of each part heading found, in order (一 before 二 …)."""
    found: dict[str, int] = {}
    start = 0
    for number_, words in PART_WORDS:
        for i in range(start, len(rows)):
            row = rows[i]
            if row.table:
                continue
            text = compact(row.text)
            match = _HEADING.match(text)
            if (match and match.group(1) == number_ and len(text) <= MAX_HEADING
                    and any(w in text for w in words)):
                found[number_] = i
                start = i + 1
                break
    return found


def region(rows: Sequence[Row], parts: dict[str, int], first: str, after: Sequence[str]) -> list[Row]:
    """The rows of part ``first`` up to the next part found among ``after``."""
    if first not in parts:
        return []
    begin = parts[first] + 1
    end = min((parts[a] for a in after if a in parts and parts[a] >= begin), default=len(rows))
    return list(rows[begin:end])


# ---------------------------------------------------------------- tables


class TableReader:
    """Reads one table's rows by label; ``figures`` code → Printed; ``labels`` key → label."""

    def __init__(self, specs: Sequence[RowSpec]) -> None:
        self.specs = list(specs)
        self.found: dict[str, tuple[RowSpec, Segment, str]] = {}

    def feed(self, segs: Sequence[Segment]) -> None:
        buffer = ""
        for seg in segs:
            label = compact(seg.label)
            buffer += label
            # a table row's own label decides its row; a PDF line's label may have begun above
            own = self._match(label) if seg.table and seg.values else None
            if own is None and not any(p.value is not None for p in seg.values):
                continue
            chosen = own or self._match(buffer)
            if chosen is not None:
                self.found[chosen.key] = (chosen, seg, buffer)
            buffer = ""

    def _match(self, text: str) -> RowSpec | None:
        for row in self.specs:
            if row.key not in self.found and any(w in text for w in row.words):
                return row
        return None

    def figures(self, centres: list[float] | None = None) -> dict[str, Printed]:
        out: dict[str, Printed] = {}
        for row, seg, _ in self.found.values():
            values = _align(seg, len(row.codes), centres)
            for code, printed in zip(row.codes, values, strict=True):
                if code is not None:
                    out[code] = printed
        return out


def _align(seg: Segment, n: int, centres: list[float] | None) -> list[Printed]:
    """The segment's figures in the row's n columns: in order when all are there (the last n
    when more), by horizontal place when a PDF row has fewer (blank cells print nothing), else
    against the right edge (a 2019 row's 处理决定数量 is its last column)."""
    values = seg.values
    if len(values) >= n:
        return list(values[-n:])
    xs = seg.xs
    if centres and len(centres) == n and all(x is not None for x in xs):
        placed: list[Printed | None] = [None] * n
        for printed, x in zip(values, xs, strict=True):
            col = min(range(n), key=lambda c: abs(centres[c] - x))  # type: ignore[operator]
            if placed[col] is None:
                placed[col] = printed
        page = values[0].where if values else f"第{seg.page}页"
        return [p if p is not None else Printed(None, page) for p in placed]
    blank_where = values[0].where if values else f"第{seg.page}页"
    return [Printed(None, blank_where)] * (n - len(values)) + list(values)


def column_centres(segs: Sequence[Segment], n: int) -> list[float] | None:
    """Where each of the n figure columns stands on the page, from the rows that print all n."""
    full = [[x for x in s.xs if x is not None] for s in segs if len(s.values) == n]
    full = [xs for xs in full if len(xs) == n]
    if not full:
        return None
    return [statistics.median(xs[c] for xs in full) for c in range(n)]


def read_t4(segs: Sequence[Segment]) -> dict[str, Printed]:
    """The fifteen figures of table 四, in the national order, from the rows that print them."""
    values: list[Printed] = []
    for seg in segs:
        if any(p.value is not None for p in seg.values) or (seg.table and len(seg.values) >= 5):
            values.extend(seg.values)
    return {code: p for code, p in zip(T4_CODES, values[-len(T4_CODES):] if len(values) > 15
                                       else values, strict=False)}


# ---------------------------------------------------------------- text


def paragraphs(rows: Sequence[Row]) -> list[str]:
    """Printed lines joined into paragraphs (a PDF line that does not start one continues the
    last, unless it opens with a heading number: 一、 （一）); every paragraph or table-free row
    of a web page or Word file is one already."""
    return [text for _, text in _paragraph_rows(rows) if text]


_OPENS = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
_SUB = re.compile(r"^[（(]([一二三四五六七八九十]+)[)）]")
_NUMERALS = "一二三四五六七八九十"
_FOOTER = ("主办单位", "网站标识码", "版权所有", "ICP备", "打印本页", "关闭窗口", "【打印】", "分享到",
           "扫一扫", "网站地图", "联系我们", "技术支持", "公网安备")


def _strip_subheading(text: str) -> str:
    """（一）主动公开情况。正文… → 正文…; a heading on its own line → ''."""
    match = _SUB.match(text)
    if not match:
        return text
    rest = text[match.end():]
    stop = re.search(r"[。：:]", rest)
    if stop is None:
        return "" if len(rest) <= 30 else rest
    return rest[stop.end():].strip() if stop.start() <= 20 else rest


def split_part_one(paras: list[str]) -> dict[str, list[str]]:
    """（一）…（五） of part one into their fields; what comes before （一） opens （一）."""
    codes = [f.code for f in spec.TEXT_FIELDS if f.part == spec.PART_ONE]
    out: dict[str, list[str]] = {c: [] for c in codes}
    current = 0
    for text in paras:
        match = _SUB.match(text)
        if match and len(match.group(1)) == 1:
            index = _NUMERALS.index(match.group(1))
            if current <= index < len(codes) or (index >= len(codes) and current == len(codes) - 1):
                current = min(index, len(codes) - 1)
                text = _strip_subheading(text)
        if text:
            out[codes[current]].append(text)
    return out


def trim_end(paras: list[str], unit: str, year: int) -> tuple[list[str], object, str]:
    """The last part's paragraphs without what follows the text: the signature, the date, the
    data-period and website sentence a renderer adds, the site's footer."""
    date = None
    website = ""
    kept = list(paras)
    for i, text in enumerate(kept):
        if any(w in text for w in _FOOTER):
            kept = kept[:i]
            break
    while kept:
        last = kept[-1]
        value = parse_date(last)[0]
        if value is not None and date is None:
            date = value
        elif not (last == unit or (len(last) <= 30 and _ORGAN_END.search(last))):
            period = data_period(year)
            if last.startswith(period) or last.startswith("如需了解更多政府信息"):
                rest = last[len(period):] if last.startswith(period) else last
                site = re.match(r"如需了解更多政府信息，请登录(.+)查询。$", rest)
                website = site.group(1) if site else ""
                kept.pop()
                continue
            break
        kept.pop()
    return kept, date, website


# ---------------------------------------------------------------- identity


def _paragraph_rows(rows: Sequence[Row]) -> list[tuple[int, str]]:
    """Paragraphs (see :func:`paragraphs`) with the index of their last row."""
    out: list[tuple[int, str]] = []
    for i, row in enumerate(rows):
        if row.table:
            continue
        if out and not row.starts and not _OPENS.match(row.text):
            out[-1] = (i, join((out[-1][1], row.text)))
        else:
            out.append((i, row.text))
    return out


def is_title(text: str) -> bool:
    text = compact(text)
    return len(text) <= MAX_TITLE and TITLE.search(text) is not None


def find_title(doc: Document, rows: Sequence[Row], before: int) -> tuple[str, int | None, int,
                                                                     str]:
    """(unit, year, index of the last title row before part 一, the title as printed). The
    organ is the name before the year; else the line above a title printed on two lines (the
    organ above, 2024年…报告 below); else the name after the year (2024年高凤镇…)."""
    unit, year, index, title = "", None, -1, ""
    paras = _paragraph_rows(rows[:before])
    for k in range(len(paras)):
        # a title centred over two or three lines is one title
        for size in (1, 2, 3):
            pieces = [p for _, p in paras[k:k + size]]
            text = compact("".join(pieces))
            match = TITLE.search(text)
            if (len(pieces) == size and match and match.end() == len(text)
                    and len(text) <= MAX_TITLE):
                break
        else:
            continue
        year, index, title = int(match.group("year")), paras[k + size - 1][0], text
        above = compact(paras[k - 1][1]) if k > 0 else ""
        if match.group("unit"):
            unit = match.group("unit")
        elif len(above) <= 40 and _ORGAN_END.search(above):
            unit = above
        elif match.group("after"):
            unit = match.group("after")
    if year is None and doc.title:
        match = TITLE.search(compact(doc.title))
        if match:
            year = int(match.group("year"))
            unit = match.group("unit") or match.group("after")
    return unit, year, index, title


LEVEL_PATTERNS = (
    (re.compile(r"(乡|镇)(人民政府)?$"), "乡镇"),
    (re.compile(r"街道(办事处)?$"), "街道"),
    (re.compile(r"(省|自治区)人民政府(办公厅)?$"), "省级政府"),
    (re.compile(r"^(北京|天津|上海|重庆)市人民政府(办公厅)?$"), "省级政府"),
    (re.compile(r"(县|旗|区)人民政府(办公室)?$"), "县级政府"),
    (re.compile(r"(自治州|盟)人民政府(办公室)?$"), "市级政府"),
    (re.compile(r"(省|自治区)[^市县区]*(厅|委员会|局|办公室)$"), "省级部门"),
    (re.compile(r"(县|旗)[^市]*(局|委员会|委|办公室|中心|院|所|站|队|处)$"), "县级部门"),
)
_CITY_GOV = re.compile(r"市人民政府(办公室)?$")
#: A city government that writes of its counties is a 设区的市; one that writes of its townships
#: and none of its counties is a 县级市.
_HAS_COUNTIES = re.compile(r"县区|县（区）|县\(区\)|区县|各县|县（市、区）|县市区")
_HAS_TOWNSHIPS = re.compile(r"乡镇|镇（街道）|镇\(街道\)|各镇|街道")


def infer_level(unit: str, text: str) -> str | None:
    """The organ's level from its name where the name alone decides it; a 市人民政府 by what
    its report writes of (its counties, or only its townships); otherwise None."""
    for pattern, level in LEVEL_PATTERNS:
        if pattern.search(unit):
            return level
    if _CITY_GOV.search(unit):
        if _HAS_COUNTIES.search(text):
            return "市级政府"
        if _HAS_TOWNSHIPS.search(text):
            return "县级政府"
    return None


# ---------------------------------------------------------------- the whole report


def parse(doc: Document, *, unit: str = "", year: int | None = None,
          level: str = "") -> Parsed:
    rows = doc.rows
    parts = part_starts(rows)
    first = parts.get("一", parts.get("二", len(rows)))
    found_unit, found_year, title_at, printed_title = find_title(doc, rows, first)
    unit = unit or found_unit
    year = year or found_year
    if not any(p in parts for p in ("二", "三", "四")):
        raise problem("NOT_A_REPORT")

    t2_rows = region(rows, parts, "二", ("三", "四", "五", "六"))
    t3_rows = region(rows, parts, "三", ("四", "五", "六"))
    t4_rows = region(rows, parts, "四", ("五", "六"))
    findings: list[Finding] = []
    printed: dict[str, Printed] = {}

    t2_segs = segments(t2_rows)
    t2_text = compact("".join(s.label for s in t2_segs))
    old_t2 = any(w in t2_text for w in spec.T2_2019_HEADERS)
    t2 = TableReader(_T2_2019 if old_t2 else _T2_2021)
    t2.feed(t2_segs)
    printed.update(t2.figures())

    t3_segs = segments(t3_rows)
    t3 = TableReader(T3_ROWS)
    t3.feed(t3_segs)
    printed.update(t3.figures(column_centres(t3_segs, len(spec.T3_COLUMNS))))
    single_misc = ("MISC_3" in t3.found and "MISC_1" not in t3.found
                   and "MISC_2" not in t3.found and "其他处理" in t3.found["MISC_3"][2])

    printed.update(read_t4(segments(t4_rows)))

    if not printed or all(p.value is None for p in printed.values()):
        if _pictures(doc, rows, parts):
            raise problem("TABLE_AS_IMAGE")
        raise problem("NO_FIGURES")
    if year is None:
        raise problem("YEAR_UNKNOWN")
    if not unit:
        raise problem("UNIT_UNKNOWN")

    outdated = []
    if old_t2:
        outdated.append("表二是 2019 年试行格式（本年新制作/新公开数量、上一年项目数量等），"
                        "只读取了能对应的处理决定数量")
    if single_misc:
        group = spec.FIGURES["T3_MISC_3_NATURAL"].row_name.split()[0]
        outdated.append(f"表三“{group}”只印了一行（2019 年试行格式），已计入“3.其他”")
    if outdated and year >= spec.FORMAT_2021_FROM:
        codes = ([c for c in ("T2_LICENSE", "T2_PENALTY", "T2_COERCION")
                  if c in printed and printed[c].value is not None]
                 if old_t2 else []) + ([c for c in t3.found["MISC_3"][0].codes if c]
                                       if single_misc else [])
        findings.append(make("FORMAT_OUTDATED", "；".join(outdated), codes=codes[:1]))

    figures = {code: p.value for code, p in printed.items() if p.value is not None}
    findings += _blank_findings(printed)
    findings += _total_findings(figures, printed)

    text_rows = [r for r in rows if not r.table]
    preamble_rows = rows[title_at + 1:first] if title_at >= 0 else rows[:first]
    texts: dict[str, str] = {"TEXT_PREAMBLE": "\n".join(
        p for p in paragraphs(preamble_rows) if not is_title(p))}
    part_one = split_part_one(paragraphs(region(rows, parts, "一", ("二", "三", "四", "五", "六"))))
    texts.update({code: "\n".join(ps) for code, ps in part_one.items()})
    problems = paragraphs(region(rows, parts, "五", ("六",)))
    other = paragraphs(region(rows, parts, "六", ()))
    last_is_other = "六" in parts
    kept, date, website = trim_end(other if last_is_other else problems, unit, year)
    if last_is_other:
        other = kept
    else:
        problems = kept
    texts["TEXT_PROBLEMS"] = "\n".join(problems)
    texts["TEXT_OTHER"] = "\n".join(other)

    all_text = "\n".join(r.text for r in text_rows)
    inferred = infer_level(unit, all_text)
    report = Report(
        unit=unit, year=year, level=level or inferred or "其他", date=date,  # type: ignore[arg-type]
        title=printed_title if printed_title != default_title(unit, year) else "", texts=texts, figures=figures, website=website,
        format=spec.FORMAT_2019_ID if outdated else spec.FORMAT_ID)
    places = {code: p.where for code, p in printed.items() if p.where}
    return Parsed(report, places, findings, level_inferred=not level and inferred is not None)


def _pictures(doc: Document, rows: Sequence[Row], parts: dict[str, int]) -> bool:
    """Whether the tables' part of the report holds pictures (tables pasted as images)."""
    begin = min(parts.get(p, len(rows)) for p in ("二", "三", "四"))
    end = min((parts[p] for p in ("五", "六") if p in parts and parts[p] > begin),
              default=len(rows))
    inside = rows[begin:end]
    if any(r.image for r in inside):
        return True
    if doc.kind == "pdf" and inside:
        last = rows[end].page if end < len(rows) else inside[-1].page
        return any(p in doc.image_pages for p in range(inside[0].page, last + 1))
    return False


def _blank_findings(printed: dict[str, Printed]) -> list[Finding]:
    """One VALUE_BLANK per table with blank cells (a blank is not a 0), naming its columns."""
    tables: dict[str, list[str]] = {}
    for code, p in printed.items():
        if p.value is None:
            tables.setdefault(spec.FIGURE_TABLE[code].name, []).append(code)
    out = []
    for table, codes in tables.items():
        columns = "、".join(dict.fromkeys(spec.FIGURES[c].col_name for c in codes))
        rows = "、".join(dict.fromkeys(spec.FIGURES[c].short for c in codes))
        detail = (f"{len(codes)} 个单元格印成空白（{columns}列）" if len(codes) > 1
                  else f"“{rows}”印成空白")
        out.append(make("VALUE_BLANK", detail, table=table, codes=codes))
    return out


def _total_findings(figures: dict[str, Decimal], printed: dict[str, Printed]) -> list[Finding]:
    """PRINTED_TOTAL_MISMATCH where a printed total is not the sum of the figures printed
    beside it (a printed subtotal counts as printed; a blank counts 0)."""
    out = []
    for code, total in spec.COMPUTED.items():
        parts = [t.code for t in total.terms]
        if code not in figures or not any(c in printed for c in parts):
            continue
        summed = sum((figures.get(c, Decimal(0)) for c in parts), Decimal(0))
        if figures[code] != summed:
            fig = spec.FIGURES[code]
            out.append(make(
                "PRINTED_TOTAL_MISMATCH",
                f"印的是 {fmt_number(figures[code])}，{total.name or '各项之和'}为 {fmt_number(summed)}",
                table=spec.FIGURE_TABLE[code].name, row=fig.row_name, column=fig.col_name,
                codes=(code,)))
    return out
