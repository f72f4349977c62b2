"""Published reports built from the report model, plain and with the quirks real ones have.

The plain forms are nianbao's own renderers (HTML page, .docx, and the .docx through
LibreOffice to PDF). ``quirky`` rewrites a rendered page the way a CMS, Word pasting and
clerks do: spaced labels, 1、 numbering, thousands separators, numbers split across spans,
Word markup, merged cells repeated instead of spanned, wrapped labels, the short label
规范性文件, GBK bytes. ``single_misc`` prints （六）其他处理 as one row (the 2019 form).
"""

from __future__ import annotations

import re

from nianbao.model.report import Report
from nianbao.outputs import html


def page(report: Report) -> str:
    return html.render_html(report)


def _number(match: re.Match) -> str:
    value = match.group(2)
    if len(value) > 3 and value.isdigit():
        value = f"{int(value):,}"
    split = "".join(f"<span>{ch}</span>" for ch in value) if len(value) > 1 else value
    return f"{match.group(1)}<font face=\"仿宋_GB2312\">{split}</font><o:p></o:p></td>"


def quirky(text: str) -> str:
    """The page as a CMS shows a report pasted from Word."""
    text = re.sub(r"(<td[^>]*>)([0-9.]+)</td>", _number, text)
    text = text.replace(">规章<", ">规 章<")
    text = text.replace(">行政规范性文件<", ">规范性文件<")
    text = re.sub(r">(\d)\.(申请人|其他<)", lambda m: f">{m.group(1)}、{m.group(2)}", text)
    text = text.replace("（三）<br>不予公开", "（三）不<br>予公开")
    text = text.replace("部分公开（区分处理的，", "部分公开<br>（区分处理的，")
    # merged group cells printed again in every row instead of spanned
    for group in ("（四）<br>无法提供",):
        text = re.sub(rf'(<th[^>]*) rowspan="3"([^>]*>{re.escape(group)}</th>)', r"\1\2", text)
        rows = re.findall(r'<tr>\s*<th id="[^"]*" scope="row" class="left">[23]\.(?:没有现成|补正后)',
                          text)
        for row in rows:
            text = text.replace(row, row.replace("<tr>", f"<tr>\n<th>{group}</th>", 1))
    text = text.replace('<meta charset="utf-8">', '<meta http-equiv="Content-Type" '
                        'content="text/html; charset=gb2312">')
    return text


def quirky_bytes(report: Report) -> bytes:
    return quirky(page(report)).encode("gb18030")


def single_misc(text: str) -> str:
    """（六）其他处理 as one row carrying 3.其他's figures (the 2019 form), 1. and 2. left out:
    give it a report whose （六） 1. and 2. are 0, or its printed totals will not add up."""
    start = text.index('<th id="', text.index("（六）<br>其他处理") - 40)
    first = text.rindex("<tr>", 0, start)
    third = text.index("3.其他")
    row_start = text.rindex("<tr>", 0, third)
    cells = text[text.index("</th>", third) + len("</th>"):text.index("</tr>", third)]
    merged = f'<tr>\n<th colspan="2">（六）其他处理</th>{cells}</tr>'
    return text[:first] + merged + text[text.index("</tr>", third) + len("</tr>"):] \
        if row_start > first else text


def old_t2(text: str) -> str:
    """Table 二 in the 2019 form: 新制作/新公开/对外公开总数量, 上一年项目数量/本年增减/处理决定数量."""
    text = text.replace("本年制发件数", "本年新制作数量").replace("本年废止件数", "本年新公开数量")
    text = text.replace("现行有效件数", "对外公开总数量")
    return text
