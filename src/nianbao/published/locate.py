"""Where a published report's parts are: the six part headings, the title (unit and year),
the paragraphs of text and where the text ends (the signature, the date, the site's footer).

A title is read as producers print it: the year spaced out (``2 0 2 3 年``), in full-width
digits (``２０２３``) or in Chinese numerals (``二〇二三年``), split over lines, with the unit
on a line of its own above it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .. import spec
from ..model.values import parse_date
from ..outputs.outline import data_period
from .document import Document, Row, compact, join

#: The six part headings: number, and words one of which the heading has.
PART_WORDS = (("一", ("总体情况",)), ("二", ("主动公开",)), ("三", ("申请",)),
              ("四", ("复议", "诉讼")), ("五", ("问题",)), ("六", ("其他",)))
_HEADING = re.compile(r"^([一二三四五六])[、.．,，]")
MAX_HEADING = 40
#: A title is a line of its own (a sentence that names the report is not its title).
MAX_TITLE = 60

#: 淮安市人民政府2024年政府信息公开工作年度报告, 2024年高凤镇政府信息公开工作年度报告.
_CN_DIGITS = {ch: str(i) for i, ch in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0"}
TITLE = re.compile(r"(?P<unit>[^\s，。：:；;“”\"《》]*?)(?P<year>(?:19|20)\d\d|[一二][〇零○一二三四五六七八九]{3})"
                   r"年度?(?P<after>[^\s，。：:；;“”\"《》]{0,30}?)的?政府信息公开(?:工作)?(?:年度)?报告")


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def title_text(text: str) -> str:
    """Printed title text as it is matched: no spaces (2 0 2 3 年), ASCII digits (２０２３);
    everything else as printed (the unit's own brackets stay full-width)."""
    return compact(text).translate(_FULL_WIDTH_DIGITS)


def title_year(match: re.Match[str]) -> int:
    """The year of a matched title: 2023, or 二〇二三 read digit by digit."""
    return int("".join(_CN_DIGITS.get(ch, ch) for ch in match.group("year")))


_ORGAN_END = re.compile(r"(人民政府|办公室|办公厅|委员会|办事处|街道|[局厅委院署部所站队乡镇]|中心|"
                        r"管理处|政府)$")


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
    text = title_text(text)
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
            text = title_text("".join(pieces))
            match = TITLE.search(text)
            if (len(pieces) == size and match and match.end() == len(text)
                    and len(text) <= MAX_TITLE):
                break
        else:
            continue
        year, index, title = title_year(match), paras[k + size - 1][0], compact("".join(pieces))
        above = compact(paras[k - 1][1]) if k > 0 else ""
        if match.group("unit"):
            unit = match.group("unit")
        elif len(above) <= 40 and _ORGAN_END.search(above):
            unit = above
        elif match.group("after"):
            unit = match.group("after")
    if year is None and doc.title:
        match = TITLE.search(title_text(doc.title))
        if match:
            year = title_year(match)
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
