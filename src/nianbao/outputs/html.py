"""The report as the web page every organ posts in its 政府信息公开专栏, rendered from the outline.

One self-contained page (``lang="zh-CN"``, no external resource) that reads well on a phone,
or a fragment — the article alone, inline styles only — to paste into a site's editor. The
three tables keep the national merges as ``rowspan``/``colspan``, with a ``<caption>``, header
cells with ``scope`` and every figure's ``headers`` (GB/T 37668-2019, WCAG 2.0 AA).
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from . import outline

DRAFT_MARK = outline.DRAFT_MARK

CSS = """
body{margin:0;background:#fff;color:#1a1a1a;font-family:"FangSong","仿宋","STFangsong",
"Noto Serif CJK SC","Songti SC",serif;font-size:1.125rem;line-height:1.8}
main{max-width:48rem;margin:0 auto;padding:1.5rem 1rem 3rem}
.organ,h1{font-family:"SimSun","宋体","Noto Serif CJK SC",serif;text-align:center;margin:0}
.organ{font-size:1.5rem}
h1{font-size:1.625rem;line-height:1.5;margin-bottom:1.5rem;word-break:keep-all;
overflow-wrap:anywhere}
h2{font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif;font-size:1.125rem;margin:1.2rem 0 .4rem;
text-indent:2em}
h3{font-family:"KaiTi","楷体","STKaiti","Noto Serif CJK SC",serif;font-size:1.125rem;
font-weight:normal;margin:.4rem 0;text-indent:2em}
p{margin:0;text-indent:2em;text-align:justify}
.draft{color:#9c0006;border:1px solid #9c0006;padding:.2rem .5rem;text-align:center;text-indent:0}
.table{overflow-x:auto;margin:.6rem 0 1rem}
.table:focus{outline:2px solid #1d4ed8}
table{border-collapse:collapse;width:100%;font-family:"SimSun","宋体","Noto Serif CJK SC",serif;
font-size:.875rem;line-height:1.4}
caption{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}
th,td{border:1px solid #000;padding:.2rem .3rem;text-align:center;vertical-align:middle}
th{font-weight:normal}
th.left{text-align:left}
td{white-space:nowrap;font-variant-numeric:tabular-nums}
.signature{margin-top:2em;text-align:right;text-indent:0}
.signature span{display:inline-block;text-align:left}
@media (max-width:40rem){main{padding:1rem .6rem}body{font-size:1rem}h1{font-size:1.3rem}
table{font-size:.8125rem}}
.tujie{margin:2rem 0 0;text-align:center}.tujie img{max-width:100%;height:auto}@media print{main{max-width:none}.table{overflow:visible}.tujie{display:none}}
""".replace("\n", "")

#: The same look as inline styles, for a fragment pasted into an editor that drops <style>.
INLINE = {
    "article": "font-family:FangSong,仿宋,serif;font-size:16pt;line-height:1.8;color:#000",
    "organ": "text-align:center;font-family:SimSun,宋体,serif;font-size:20pt;margin:0",
    "h1": "text-align:center;font-family:SimSun,宋体,serif;font-size:22pt;margin:0 0 16pt;"
          "word-break:keep-all",
    "h2": "font-family:SimHei,黑体,sans-serif;font-size:16pt;margin:12pt 0 4pt;text-indent:2em",
    "h3": "font-family:KaiTi,楷体,serif;font-size:16pt;font-weight:normal;margin:4pt 0;"
          "text-indent:2em",
    "p": "margin:0;text-indent:2em;text-align:justify",
    "table": "border-collapse:collapse;width:100%;font-family:SimSun,宋体,serif;font-size:10.5pt",
    "caption": "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);"
               "white-space:nowrap",
    "cell": "border:1px solid #000;padding:2pt 3pt;text-align:center;vertical-align:middle;"
            "font-weight:normal",
    "left": "text-align:left",
    "signature": "margin-top:2em;text-align:right;text-indent:0",
    "draft": "color:#9c0006;border:1px solid #9c0006;text-align:center;text-indent:0",
}


@dataclass
class _Out:
    fragment: bool
    parts: list[str]

    def attrs(self, name: str, css_class: str = "") -> str:
        if self.fragment:
            return f' style="{INLINE[name]}"'
        return f' class="{css_class}"' if css_class else ""


def _text(text: str) -> str:
    return "<br>".join(escape(line) for line in text.split("\n"))


def _header_ids(block: outline.Table, index: int) -> dict[tuple[int, int], str]:
    """Every label cell's id, by its grid position."""
    return {(c.row, c.col): f"t{index}-{c.row}-{c.col}" for c in block.cells if not c.code}


def _covers(cell: outline.Cell, row: int, col: int) -> bool:
    return cell.row <= row < cell.row + cell.rows and cell.col <= col < cell.col + cell.cols


Geometry = tuple[tuple[int, int, int, int, bool], ...]  # row, col, rows, cols, is a figure


def _geometry(block: outline.Table) -> Geometry:
    return tuple((c.row, c.col, c.rows, c.cols, bool(c.code)) for c in block.cells)


@functools.lru_cache(maxsize=16)
def _relations(geometry: Geometry) -> tuple[dict, dict]:
    """For one table layout (the same in every report): each figure's header cells, as grid
    positions, and each label's scope. Worked out once per layout, not per cell per report."""
    cells = [outline.Cell(r, c, rows, cols, "", code="x" if figure else None)
             for r, c, rows, cols, figure in geometry]
    headers = {(c.row, c.col): headers_of(cells, c) for c in cells if c.code}
    scopes = {(c.row, c.col): _scope(cells, c) for c in cells if not c.code}
    return headers, scopes


def headers_of(cells: Sequence[outline.Cell], figure: outline.Cell) -> tuple:
    """The grid positions of the label cells a figure belongs to: those to its left in its
    row, and the block of labels above its column (the nearest one: 表二 repeats 信息内容 for
    every section)."""
    labels = [c for c in cells if not c.code]
    row_heads = [c for c in labels if c.col < figure.col and
                 c.row <= figure.row < c.row + c.rows]
    col_heads: list[outline.Cell] = []
    seen_label = False
    for row in range(figure.row - 1, -1, -1):
        above = [c for c in labels if _covers(c, row, figure.col)]
        if above:
            col_heads += [c for c in above if c not in col_heads]
            seen_label = True
        elif seen_label:
            break
    return tuple((c.row, c.col) for c in sorted(col_heads + row_heads, key=lambda c: (c.row, c.col)))


def _scope(cells: Sequence[outline.Cell], cell: outline.Cell) -> str:
    """A label is a row header when figures sit to its right in its rows, else a column header."""
    right = any(c.code and c.col > cell.col and c.row < cell.row + cell.rows and
                c.row + c.rows > cell.row for c in cells)
    if right:
        return "rowgroup" if cell.rows > 1 else "row"
    return "colgroup" if cell.cols > 1 else "col"


def _table(out: _Out, block: outline.Table, index: int) -> None:
    table = block.table
    ids = _header_ids(block, index)
    headers, scopes = _relations(_geometry(block))
    caption_id = f"t{index}-caption"
    wrap = (f'<div class="table" role="region" aria-labelledby="{caption_id}" tabindex="0">'
            if not out.fragment else "<div>")
    # the caption names the table for assistive technology; the part's heading shows it
    total = sum(block.widths) or 1.0
    cols = "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in block.widths)
    out.parts.append(f'{wrap}<table{out.attrs("table")}>'
                     f'<caption id="{caption_id}"{out.attrs("caption")}>{escape(table.title)}'
                     f"</caption><colgroup>{cols}</colgroup>")
    starts = {(c.row, c.col): c for c in block.cells}
    for row in range(table.n_rows):
        out.parts.append("<tr>")
        for col in range(table.n_cols):
            cell = starts.get((row, col))
            if cell is None:
                continue  # covered by a span
            span = (f' rowspan="{cell.rows}"' if cell.rows > 1 else "") + (
                f' colspan="{cell.cols}"' if cell.cols > 1 else "")
            style = ""
            if out.fragment:
                extra = INLINE["left"] if cell.align == "left" else ""
                style = f' style="{INLINE["cell"]};{extra}"' if extra else f' style="{INLINE["cell"]}"'
            if cell.code:
                heads = " ".join(ids[key] for key in headers[(row, col)])
                out.parts.append(f'<td headers="{heads}"{span}{style}>{escape(cell.text)}</td>')
            else:
                css = ' class="left"' if cell.align == "left" and not out.fragment else ""
                out.parts.append(f'<th id="{ids[(row, col)]}" scope="{scopes[(row, col)]}"'
                                 f'{span}{css}{style}>{_text(cell.text)}</th>')
        out.parts.append("</tr>")
    out.parts.append("</table></div>")


def _signature(out: _Out, block: outline.Signature) -> None:
    out.parts.append(f'<p{out.attrs("signature", "signature")}>'
                     f"<span>{escape(block.organ)}<br>"
                     f'{"&emsp;&emsp;" if block.date_indent > block.organ_indent else ""}'
                     f"{escape(block.date)}</span></p>")


def _body(blocks: tuple[outline.Block, ...], fragment: bool, draft: bool, unit: str) -> str:
    out = _Out(fragment, [])
    if draft:
        out.parts.append(f'<p{out.attrs("draft", "draft")}>{DRAFT_MARK}</p>')
    tables = 0
    for block in blocks:
        if isinstance(block, outline.Paragraph):
            if block.role == outline.ORGAN:
                out.parts.append(f'<p{out.attrs("organ", "organ")}>{_text(block.text)}</p>')
            elif block.role == outline.TITLE:  # it breaks only where words end, at any width
                lines = ["<wbr>".join(escape(p) for p in outline.title_pieces(line, unit))
                         for line in block.text.split("\n")]
                out.parts.append(f"<h1{out.attrs('h1')}>{'<br>'.join(lines)}</h1>")
            elif block.role == outline.SUBHEADING:
                out.parts.append(f"<h3{out.attrs('h3')}>{_text(block.text)}</h3>")
            else:
                out.parts.append(f"<p{out.attrs('p')}>{_text(block.text)}</p>")
        elif isinstance(block, outline.Heading):
            tag = "h2" if block.level == 1 else "h3"
            out.parts.append(f"<{tag}{out.attrs(tag)}>{escape(block.text)}</{tag}>")
        elif isinstance(block, outline.Table):
            tables += 1
            _table(out, block, tables)
        else:
            _signature(out, block)
    return "\n".join(out.parts)


def _title(blocks: tuple[outline.Block, ...]) -> str:
    title = next(b.text for b in blocks if isinstance(b, outline.Paragraph) and
                 b.role == outline.TITLE)
    return title.replace("\n", "")


def render_html(report, *, draft: bool = False, fragment: bool = False) -> str:
    """The report as HTML text: a whole page, or the article alone with inline styles."""
    blocks = outline.outline(report)
    body = _body(blocks, fragment, draft, outline.clean(report.unit))
    if fragment:
        return f'<article lang="zh-CN" style="{INLINE["article"]}">\n{body}\n</article>\n'
    title = escape(_title(blocks))
    author = escape(outline.clean(report.unit))
    return ("<!DOCTYPE html>\n"
            '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}</title>\n"
            f'<meta name="author" content="{author}">\n'
            f"<style>{CSS}</style>\n</head>\n<body>\n<main>\n<article>\n{body}\n"
            f"</article>\n{'' if draft else _tujie(report)}</main>\n</body>\n</html>\n")


def _tujie(report) -> str:
    """The 图解 under the report (not printed: the report's own tables are on paper), its
    figures in words as the picture's text alternative."""
    from . import tujie

    data = base64.b64encode(tujie.render_svg(report)).decode("ascii")
    return (f'<figure class="tujie"><img src="data:image/svg+xml;base64,{data}" '
            f'width="{tujie.WIDTH}" alt="{tujie.alt_text(report)}"></figure>\n')


def render_bytes(report, *, draft: bool = False, fragment: bool = False) -> bytes:
    return render_html(report, draft=draft, fragment=fragment).encode("utf-8")
