"""A saved web page (a 政府信息公开专栏 article, with or without the site around it) as rows.

The page is decoded by what its bytes are, not only by what it declares (a page saved as UTF-8
often still declares GBK), parsed by lxml's HTML parser (libxml2: fast, forgiving of the markup
Word pastes into a CMS), and walked once: every block's text is a row, every table row a row of
its cells, with the cell's place in the table's grid (colspan and rowspan counted).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import lxml.html
from lxml import etree

from ..errors import problem
from .document import Cell, Document, Row, tidy

MAX_HTML = 16 * 1024 * 1024
#: The HTML standard's own limit on colspan (rowspan is clipped to the table's rows).
MAX_COLSPAN = 1000
#: Grid columns claimed by all table cells of one page: a national-format report has ~700.
MAX_GRID = 200_000
#: Share of undecodable characters above which a page's encoding is broken, not just a typo.
MAX_REPLACED = 0.01
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_GB = {"gbk", "gb2312", "gb_2312-80", "x-gbk", "gb18030", "cp936", "ms936", "euc-cn", "hz-gb-2312"}
BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
          "section", "article", "header", "footer", "nav", "aside", "main", "blockquote", "pre",
          "center", "form", "hr", "br", "address", "figure", "figcaption", "caption", "body"}
SKIP = {"script", "style", "noscript", "template", "head", "title", "select", "option", "button",
        "iframe", "object", "svg", "canvas", "textarea", "input"}
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def decode(data: bytes) -> str:
    """The page's text: a BOM wins; then UTF-8 when the bytes are UTF-8 (a saved page often
    keeps a stale GBK declaration); then the declared charset; then GB18030 (GBK and GB2312
    are subsets). A page none of these decode is ``ENCODING_BROKEN``."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    declared = _CHARSET.search(data[:8192])
    names = ["utf-8"]
    if declared:
        name = _codec(declared.group(1).decode("ascii", "replace"))
        if name:
            names.append(name)
    names.append("gb18030")
    for name in dict.fromkeys(names):
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            continue
    text = data.decode(names[-2] if len(names) > 2 else "gb18030", "replace")
    if text.count("\ufffd") > MAX_REPLACED * max(len(text), 1):
        raise problem("ENCODING_BROKEN")
    return text


def _codec(name: str) -> str | None:
    """The codec a declared charset names (GBK and GB2312 read as GB18030); None if unknown."""
    name = name.strip().lower()
    if name in _GB:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def read(path: Path) -> Document:
    size = path.stat().st_size
    if size > MAX_HTML:
        raise problem("PUBLISHED_TOO_LARGE", f"{size // 1024 // 1024} MB")
    text = decode(path.read_bytes())
    try:
        root = lxml.html.document_fromstring(text.replace("\x00", ""))
    except (etree.ParserError, ValueError) as exc:
        raise problem("HTML_CORRUPT", type(exc).__name__) from exc
    doc = Document("html")
    title = root.find(".//title")
    if title is not None:
        doc.title = tidy(title.text_content())
    _Walker(doc).walk(root)
    return doc


class _Walker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.pieces: list[str] = []
        self.tables = 0
        self.grid = 0  # grid columns claimed by all cells of the page so far

    def flush(self) -> None:
        text = tidy("".join(self.pieces))
        self.pieces = []
        if text:
            self.doc.rows.append(Row((Cell(text, ""),)))

    def walk(self, element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.rsplit("}", 1)[-1].lower()
        if tag and (tag in SKIP or _HIDDEN.search(element.get("style") or "")):
            self.tail(element)
            return
        if tag == "img":
            self.flush()
            self.doc.rows.append(Row((), image=True))
        if tag == "table":
            self.flush()
            self.table(element)
            self.tail(element)
            return
        block = tag in BLOCKS
        if block:
            self.flush()
        if tag and element.text:
            self.pieces.append(element.text)
        for child in element:
            self.walk(child)
        if block:
            self.flush()
        self.tail(element)

    def tail(self, element) -> None:
        if element.tail:
            self.pieces.append(element.tail)

    def table(self, table) -> None:
        """The table's rows, each cell with its place in the grid. A rowspan is tracked per
        column (the row it covers until), so a cell costs its colspan, not its area; the page's
        spans together are bounded (MAX_GRID), whatever they claim."""
        self.tables += 1
        number = self.tables
        busy: dict[int, int] = {}  # column → first row no longer covered by a rowspan above
        rows = [tr for tr in table.iter("tr") if _owner(tr) is table]
        for r, tr in enumerate(rows):
            cells = []
            col = 0
            for td in tr:
                if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                    continue
                while busy.get(col, 0) > r:
                    col += 1
                span = _span(td.get("colspan"), MAX_COLSPAN)
                until = r + _span(td.get("rowspan"), len(rows) - r)
                self.grid += span
                if self.grid > MAX_GRID:
                    raise problem("TOO_COMPLEX", "网页表格的格子过多")
                for dc in range(span):
                    busy[col + dc] = max(busy.get(col + dc, 0), until)
                cells.append(Cell(_cell_text(td), f"网页表格{number}第{r + 1}行第{col + 1}列"))
                col += span
            if cells:
                self.doc.rows.append(Row(tuple(cells), table=True))


def _owner(tr):
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _span(value: str | None, most: int) -> int:
    """A colspan or rowspan as browsers read it: a whole number from 1 to ``most``."""
    text = str(value).strip()[:8] if value is not None else ""
    return min(max(int(text), 1), max(most, 1)) if text.isdigit() else 1


def _cell_text(td) -> str:
    for junk in td.xpath(".//script|.//style"):
        junk.drop_tree()
    return tidy("".join(td.itertext()))
