"""The hostile corpus: one generated file per class of hostile or broken input, for every kind
nianbao reads (returned workbooks, report JSON, web pages, PDFs, Word files, odd file names).

``python tests/hostile.py DIR`` writes the corpus into DIR, reads every file through the same
entry point ``validate`` and ``batch`` use (``api.check_file``) in this fresh process, and
prints one JSON line per class: the problem code (or ``""`` when the file was read, with its
finding codes), seconds, how far the process's peak memory grew, and whether the file was left
unchanged. ``tests/test_hostile.py`` runs it and asserts each class's code and bounds.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

#: Classes whose file is read (findings, not a file problem): expected code "".
READ = ""


@dataclass(frozen=True)
class Case:
    name: str  # the class, as a sentence fragment
    filename: str
    make: Callable[[Context], bytes]
    expected: frozenset[str]  # problem codes that are right for it ("" = read)


class Context:
    """What the makers build on: a real template, a filled return, the report, its web page,
    Word file and the published samples."""

    def __init__(self) -> None:
        from conftest import consistent
        from nianbao.demo import sample
        from nianbao.model import jsonform
        from nianbao.model.unit import Settings, Unit
        from nianbao.outputs import docx as docx_out, html as html_out
        from nianbao.workbook import template
        from nianbao.workbook.fill import fill_bytes

        self.report = consistent(sample(), 3)
        unit = Unit(self.report.unit, self.report.parent, self.report.level)
        self.template = template.build_bytes(unit, Settings(self.report.year))
        self.filled = fill_bytes(self.template, self.report)
        self.json = jsonform.dumps(self.report)
        self.page = html_out.render_bytes(self.report)
        self.docx = docx_out.render_bytes(self.report)
        published = HERE / "fixtures" / "published"
        self.pdf = (published / "01_huaian-shi-zhengfu_2024.pdf").read_bytes()
        self.blank_form = (published / "blank-national-form.docx").read_bytes()


# ---------------------------------------------------------------- makers


def zip_of(members: dict[str, bytes | str], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def members(data: bytes) -> dict[str, bytes]:
    zf = zipfile.ZipFile(io.BytesIO(data))
    return {info.filename: zf.read(info) for info in zf.infolist()}


def patched(data: bytes, part: str, edit: Callable[[str], str]) -> bytes:
    parts = members(data)
    parts[part] = edit(parts[part].decode("utf-8")).encode("utf-8")
    return zip_of(parts)


def sheet_part(data: bytes, sheet: str) -> str:
    book = members(data)["xl/workbook.xml"].decode()
    names = re.findall(r'<sheet\b[^>]*?\bname="([^"]+)"', book)
    return f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"


def in_sheet(code: str, edit: Callable[[str, str], str]) -> Callable[[Context], bytes]:
    """Edit the worksheet that holds contract cell ``code``: ``edit(xml, a1) -> xml``."""
    def make(ctx: Context) -> bytes:
        from nianbao.workbook import layout

        cell = layout.address_of(code)
        return patched(ctx.filled, sheet_part(ctx.filled, cell.sheet),
                       lambda xml: edit(xml, cell.a1))
    return make


def value(code: str, text: str, kind: str = "") -> Callable[[Context], bytes]:
    """The stored value of cell ``code`` replaced by ``text`` (with cell type ``kind``)."""
    def edit(xml: str, a1: str) -> str:
        def swap(m: re.Match) -> str:
            attrs = re.sub(r'\st="[^"]*"', "", m.group(1))
            typed = f' t="{kind}"' if kind else ""
            return f"<c{attrs}{typed}><v>{text}</v></c>"
        new, n = re.subn(rf'<c( r="{a1}"[^>]*?)(?:/>|>.*?</c>)', swap, xml, count=1)
        assert n == 1, a1
        return new
    return in_sheet(code, edit)


def inline_text(code: str, text: str) -> Callable[[Context], bytes]:
    """Cell ``code`` holding ``text`` as an inline string (as some generators write text)."""
    from xml.sax.saxutils import escape

    body = escape(text)

    def swap(m: re.Match) -> str:
        attrs = re.sub(r'\st="[^"]*"', "", m.group(1))
        return f'<c{attrs} t="inlineStr"><is><t>{body}</t></is></c>'

    def edit(xml: str, a1: str) -> str:
        new, n = re.subn(rf'<c( r="{a1}"[^>]*?)(?:/>|>.*?</c>)', swap, xml, count=1)
        assert n == 1, a1
        return new
    return in_sheet(code, edit)


def rows(extra: str) -> Callable[[str, str], str]:
    return lambda xml, a1: xml.replace("</sheetData>", extra + "</sheetData>")


def shared_formula_bomb(xml: str, a1: str) -> str:
    long = "+".join(f"A{i}" for i in range(1, 1500))
    body = "".join(f'<row r="{r}"><c r="Z{r}"><f t="shared" si="0"'
                   + (f' ref="Z1:Z4000">{long}</f>' if r == 1 else "/>") + "<v>0</v></c></row>"
                   for r in range(1, 4001))
    return re.sub(r"<sheetData>.*</sheetData>", f"<sheetData>{body}</sheetData>", xml, flags=re.S)


def encrypted(ctx: Context) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(ctx.template)).encrypt("secret", out)
    return out.getvalue()


def plain_workbook(ctx: Context) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.add_worksheet("Sheet1").write("A1", "别的表")
    wb.close()
    return buf.getvalue()


def pdf_of(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1,
                                                                              xref)
    return bytes(out)


def pdf_page(content: bytes, compress: bool = False) -> bytes:
    stream = zlib.compress(content, 9) if compress else content
    filt = b" /Filter /FlateDecode" if compress else b""
    return pdf_of([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(stream), filt) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


def page(body: str, charset: str = "utf-8") -> bytes:
    return (f"<html><head><meta charset='{charset}'><title>某镇2024年政府信息公开工作年度报告</title>"
            f"</head><body><h1>某镇2024年政府信息公开工作年度报告</h1>{body}</body></html>"
            ).encode(charset, "replace")


def report_page_with(ctx: Context, old: str, new: str) -> bytes:
    text = ctx.page.decode("utf-8")
    assert old in text, old
    return text.replace(old, new, 1).encode("utf-8")


def docx_with(ctx: Context, edit: Callable[[str], str]) -> bytes:
    return patched(ctx.docx, "word/document.xml", edit)


def json_with(old: str, new: str) -> Callable[[Context], bytes]:
    def make(ctx: Context) -> bytes:
        assert old in ctx.json, old
        return ctx.json.replace(old, new, 1).encode("utf-8")
    return make


def big(size: int, head: bytes = b"", fill: bytes = b" ") -> Callable[[Context], bytes]:
    return lambda ctx: head + fill * ((size - len(head)) // len(fill))


def varied(n: int) -> str:
    """``n`` Chinese characters and report words that do not compress like a bomb."""
    words = ("本年度", "申请", "公开", "12件", "行政复议", "0", "，", "。", "主动", "依法", "平台")
    state, out = 12345, []
    for _ in range(n // 3):
        state = (state * 1103515245 + 12345) % 2**31
        out.append(words[state % len(words)] if state % 3 else chr(0x4E00 + state % 20000))
    return "".join(out)[:n]


FEE = '"T2_FEES": '
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
          '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


def doctype(part: str, prolog: str, use: str = "") -> Callable[[Context], bytes]:
    def make(ctx: Context) -> bytes:
        def edit(xml: str) -> str:
            body = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
            return prolog + (body.replace("</sst>", f"<si><t>{use}</t></si></sst>")
                             if use else body)
        return patched(ctx.template, part, edit)  # xlsxwriter's, with shared strings
    return make


def o(*codes: str) -> frozenset[str]:
    return frozenset(codes)


def _t(text: str) -> Callable[[str, str], str]:
    return rows(text)


CASES: list[Case] = [
    # ------------------------------------------------ returned workbooks: the container
    Case("an empty file", "empty.xlsx", lambda c: b"", o("EMPTY")),
    Case("an Excel lock file", "~$高凤镇.xlsx",
         lambda c: b"\x0c" + "高凤镇".encode("utf-16-le") + b"\0" * 140, o("LOCK_FILE")),
    Case("a text file named .xlsx", "notes.xlsx", lambda c: "这是一封邮件".encode(), o("NOT_EXCEL")),
    Case("a workbook cut in half", "half.xlsx", lambda c: c.filled[: len(c.filled) // 2],
         o("TRUNCATED")),
    Case("only a zip's first bytes", "head.xlsx", lambda c: c.filled[:30], o("TRUNCATED")),
    Case("an encrypted workbook", "locked.xlsx", encrypted, o("ENCRYPTED")),
    Case("an OLE file that is nothing known", "ole.xlsx",
         lambda c: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, o("TRUNCATED", "OLE_OTHER")),
    Case("an .ods", "calc.xlsx", lambda c: zip_of({
        "mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}),
         o("ODS")),
    Case("a workbook with macros", "macro.xlsm", lambda c: zip_of({
        "[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>",
        "xl/vbaProject.bin": b"\0" * 64}), o("MACRO")),
    Case("Strict Open XML", "strict.xlsx", lambda c: patched(
        c.filled, "xl/workbook.xml", lambda x: x.replace(
            "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            "http://purl.oclc.org/ooxml/spreadsheetml/main")), o("STRICT")),
    Case("a zip bomb (one member inflating to 40 MB)", "bomb.xlsx", lambda c: zip_of({
        "[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>",
        "xl/worksheets/sheet1.xml": b" " * (40 * 1024 * 1024)}), o("BOMB", "TOO_LARGE")),
    Case("a zip of 2,000 members", "members.xlsx", lambda c: zip_of({
        "[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>",
        **{f"x/{i}.xml": "<a/>" for i in range(2000)}}), o("BOMB")),
    Case("a member inflating 1000 times", "ratio.xlsx", lambda c: zip_of({
        **members(c.filled), "xl/media/x.bin": b"\0" * (3 * 1024 * 1024)}), o("BOMB")),
    Case("a member over 8 MB that does not compress", "member.xlsx", lambda c: zip_of({
        **members(c.filled), "xl/media/x.bin": hashlib.shake_256(b"x").digest(9 * 1024 * 1024)},
        zipfile.ZIP_STORED), o("TOO_LARGE")),
    Case("a file over 20 MB", "huge.xlsx", big(21 * 1024 * 1024, b"PK\x03\x04"), o("TOO_LARGE")),
    Case("an entity bomb in the shared strings", "laughs.xlsx",
         doctype("xl/sharedStrings.xml", LAUGHS, "&lol3;"), o("UNSAFE_XML", "CORRUPT")),
    Case("an external entity (XXE)", "xxe.xlsx",
         doctype("xl/sharedStrings.xml", XXE, "&e;"), o("UNSAFE_XML", "CORRUPT")),
    Case("a DOCTYPE in the workbook part", "doctype.xlsx",
         doctype("xl/workbook.xml", '<?xml version="1.0"?><!DOCTYPE workbook>'), o("UNSAFE_XML")),
    Case("6,000 rows", "rows.xlsx", in_sheet("TEXT_PREAMBLE", rows("".join(
        f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(40, 6040)))),
         o("TOO_MANY_ROWS")),
    Case("a cell at row 1,048,576", "far.xlsx", in_sheet("TEXT_PREAMBLE", rows(
        '<row r="1048576"><c r="A1048576"><v>1</v></c></row>')), o("TOO_MANY_ROWS")),
    Case("250,000 cells in rows without addresses", "cells.xlsx", in_sheet("TEXT_PREAMBLE", rows(
        "".join("<row>" + "".join(f"<c><v>{(r * 7919 + c) % 100003}</v></c>" for c in range(250))
                + "</row>" for r in range(1000)))), o("TOO_MANY_ROWS", "BOMB")),
    Case("a workbook nianbao did not make", "other.xlsx", plain_workbook, o("NOT_NIANBAO")),
    Case("a template of an unknown future format", "future.xlsx", lambda c: patched(
        c.filled, "docProps/custom.xml", lambda x: x.replace(">gov-2021<", ">gov-2031<")),
         o("FORMAT_UNKNOWN")),
    Case("malformed XML in a worksheet", "malformed.xlsx", in_sheet(
        "T3_NEW_NATURAL", lambda x, a: x.replace("</sheetData>", "<row><c></sheetData>")),
         o("CORRUPT")),
    Case("XML nested 10,000 deep in a worksheet", "deep.xlsx", in_sheet(
        "T3_NEW_NATURAL", lambda x, a: x.replace("</worksheet>", "<x>" * 10_000 + "</x>" * 10_000
                                                 + "</worksheet>")), o("CORRUPT", READ)),
    Case("a shared string index past the end", "sst.xlsx",
         value("T3_NEW_NATURAL", "999999", "s"), o("CORRUPT")),
    Case("a negative shared string index", "sst-neg.xlsx",
         value("T3_NEW_NATURAL", "-1", "s"), o("CORRUPT")),
    Case("a shared string index that is not a number", "sst-nan.xlsx",
         value("T3_NEW_NATURAL", "abc", "s"), o("CORRUPT")),
    Case("no workbook part", "nobook.xlsx", lambda c: zip_of({
        k: v for k, v in members(c.filled).items() if k != "xl/workbook.xml"}), o("NOT_EXCEL")),
    Case("no content types", "notypes.xlsx", lambda c: zip_of({
        k: v for k, v in members(c.filled).items() if k != "[Content_Types].xml"}),
         o("NOT_EXCEL")),
    Case("a sheet relationship pointing outside the package", "escape.xlsx", lambda c: patched(
        c.filled, "xl/_rels/workbook.xml.rels",
        lambda x: x.replace('Target="worksheets/sheet1.xml"', 'Target="../../../etc/passwd"')),
         o(READ, "NOT_NIANBAO")),
    # ------------------------------------------------ returned workbooks: the values
    Case("a number with a billion-digit exponent", "exp.xlsx",
         value("T3_NEW_NATURAL", "1e999999999"), o("NUMBER_INVALID")),
    Case("a number beyond a double", "e400.xlsx", value("T3_NEW_NATURAL", "-1E+400"),
         o("NUMBER_INVALID")),
    Case("a number of 10,000 digits", "digits.xlsx", value("T3_NEW_NATURAL", "7" * 10_000),
         o("NUMBER_INVALID")),
    Case("NaN as a stored number", "nan.xlsx", value("T3_NEW_NATURAL", "NaN"),
         o("NUMBER_INVALID")),
    Case("Infinity as a stored number", "inf.xlsx", value("T3_NEW_NATURAL", "Infinity"),
         o("NUMBER_INVALID")),
    Case("a vanishing exponent", "tiny.xlsx", value("T3_NEW_NATURAL", "1e-999999999"),
         o("NUMBER_INVALID")),
    Case("a stored number that is not one", "word.xlsx", value("T3_NEW_NATURAL", "abc"),
         o("NUMBER_INVALID")),
    Case("10,000 digits typed as text", "text-digits.xlsx",
         inline_text("T3_NEW_NATURAL", "8" * 10_000), o(READ)),
    Case("a number typed with a huge exponent as text", "text-exp.xlsx",
         inline_text("T3_NEW_NATURAL", "1e999999999"), o(READ)),
    Case("a boolean in a number cell", "bool.xlsx", value("T3_NEW_NATURAL", "1", "b"), o(READ)),
    Case("an error value in a number cell", "error.xlsx",
         value("T3_NEW_NATURAL", "#DIV/0!", "e"), o(READ)),
    Case("a date serial far beyond the calendar", "date.xlsx", value("META_DATE", "1e300"),
         o(READ)),
    Case("a negative date serial", "date-neg.xlsx", value("META_DATE", "-5"), o(READ)),
    Case("a shared formula with 4,000 dependants of 8,000 characters", "shared.xlsx",
         in_sheet("T3_NEW_NATURAL", shared_formula_bomb), o("TOO_COMPLEX")),
    Case("a formula longer than Excel allows", "longformula.xlsx", in_sheet(
        "T3_NEW_NATURAL", rows('<row r="4000"><c r="A4000"><f>' + "1+" * 5000 + "1</f></c></row>")),
         o("TOO_COMPLEX")),
    Case("a formula in a text cell", "formula-text.xlsx",
         inline_text("TEXT_PROACTIVE", '=HYPERLINK("http://x","点我")'), o(READ)),
    Case("a right-to-left override in a text", "rtl.xlsx",
         inline_text("TEXT_PROACTIVE", "本年度\u202e政府信息公开"), o(READ)),
    Case("a text of 2 million characters", "longtext.xlsx",
         inline_text("TEXT_PROACTIVE", varied(2_000_000)), o(READ)),
    Case("a text of 100,000 lines", "lines.xlsx",
         inline_text("TEXT_PROACTIVE", "一行\n" * 100_000), o(READ)),
    Case("a text of invisible characters only", "invisible.xlsx",
         inline_text("TEXT_PROACTIVE", "\u200b\u3000\ufeff" * 1000), o(READ)),
    Case("a text with every escape Excel writes", "escapes.xlsx",
         inline_text("TEXT_PROACTIVE", "_x000D__x0000__xD800__x005F_x0041_" * 5000), o(READ)),
    Case("a number cell holding 300,000 characters of text", "bigtext.xlsx",
         inline_text("T3_NEW_NATURAL", varied(300_000)), o(READ)),
    Case("a cell address with a column past XFD", "col.xlsx", in_sheet(
        "TEXT_PREAMBLE", rows('<row r="45"><c r="ZZZZ45"><v>1</v></c></row>')),
         o(READ, "CORRUPT")),
    Case("row numbers that are not numbers", "rowattr.xlsx", in_sheet(
        "TEXT_PREAMBLE", rows('<row r="abc"><c><v>1</v></c></row><row r="-5"><c><v>1</v></c></row>')),
         o(READ, "CORRUPT")),
    Case("50,000 defined names", "names.xlsx", lambda c: patched(
        c.filled, "xl/workbook.xml", lambda x: x.replace("</definedNames>", "".join(
            f'<definedName name="N{i}">表三!$A$1</definedName>' for i in range(50_000))
            + "</definedNames>")), o(READ)),
    Case("a defined name pointing at a missing sheet", "badname.xlsx", lambda c: patched(
        c.filled, "xl/workbook.xml", lambda x: re.sub(
            r'(<definedName name="T3_NEW_NATURAL">)[^<]*', r"\1'没有这张表'!$Z$9", x)), o(READ)),
    Case("the custom properties gone", "noprops.xlsx", lambda c: zip_of({
        k: v for k, v in members(c.filled).items() if k != "docProps/custom.xml"}), o(READ)),
    Case("duplicate zip members", "dup.xlsx", lambda c: c.filled + b"", o(READ)),
    # ------------------------------------------------ report JSON
    Case("JSON nested 200,000 deep", "deep.json",
         lambda c: ('{"x": ' + "[" * 200_000 + "]" * 200_000 + "}").encode(), o("JSON_INVALID")),
    Case("JSON with NaN", "nan.json", json_with(FEE, FEE + 'NaN, "x": '), o("JSON_INVALID")),
    Case("JSON with -Infinity", "inf.json", json_with(FEE, FEE + '-Infinity, "x": '),
         o("JSON_INVALID")),
    Case("JSON with 1e999", "e999.json", json_with(FEE, FEE + '1e999, "x": '),
         o("JSON_INVALID")),
    Case("JSON with a 200,000-digit integer", "int.json",
         json_with(FEE, FEE + "1" * 200_000 + ', "x": '), o("JSON_INVALID")),
    Case("JSON with a 200,000-digit year", "year.json",
         json_with('"year": ', '"year": ' + "9" * 200_000 + ', "y": '), o("JSON_INVALID")),
    Case("JSON with a 200,000-digit fraction", "frac.json",
         json_with(FEE, FEE + "0." + "1" * 200_000 + ', "x": '), o("JSON_INVALID")),
    Case("JSON over 5 MB", "big.json", big(6 * 1024 * 1024, b"{", b" "), o("TOO_LARGE")),
    Case("JSON in GBK", "gbk.json", lambda c: c.json.encode("gbk"), o("JSON_INVALID")),
    Case("JSON of another schema", "schema.json", json_with("nianbao.report/1", "other/9"),
         o("JSON_INVALID")),
    Case("JSON with an unknown code", "code.json", json_with(FEE, '"T9_X": 1, ' + FEE),
         o("JSON_INVALID")),
    Case("JSON figures as strings", "strings.json", json_with(FEE, FEE + '"5件", "x": '),
         o("JSON_INVALID")),
    Case("JSON year as a boolean", "boolyear.json", json_with('"year": 2024', '"year": true'),
         o("JSON_INVALID")),
    Case("JSON cut short", "cut.json", lambda c: c.json.encode()[:200], o("JSON_INVALID")),
    Case("JSON with 100,000 unknown codes", "codes.json", json_with(
        FEE, "".join(f'"X{i}": 1, ' for i in range(100_000)) + FEE), o("JSON_INVALID")),
    Case("JSON with a 4 MB text", "text.json", json_with(
        '"TEXT_OTHER": "', '"TEXT_OTHER": "' + "无" * 1_300_000), o(READ)),
    Case("JSON behind a byte-order mark", "bom.json", lambda c: b"\xef\xbb\xbf" + c.json.encode(),
         o(READ, "JSON_INVALID")),
    Case("JSON with a right-to-left override in the unit", "rtl.json", json_with(
        '"unit": "', '"unit": "\u202e'), o(READ)),
    # ------------------------------------------------ web pages
    Case("a page over 16 MB", "big.html", big(17 * 1024 * 1024, b"<html><body>", b"<p>x</p>"),
         o("PUBLISHED_TOO_LARGE")),
    Case("spans claiming a grid of billions", "spans.html", lambda c: page(
        "<table>" + "<tr>" + '<td colspan="1000" rowspan="65534">x</td>' * 4000 + "</tr>" * 50
        + "</table>"), o("TOO_COMPLEX")),
    Case("spans of 999,999 in many rows", "spans2.html", lambda c: page("<table>" + (
        '<tr><td rowspan="999999">1</td>' + '<td colspan="999999">2</td>' * 300 + "</tr>") * 100
        + "</table>"), o("TOO_COMPLEX")),
    Case("a million tiny cells", "cells.html", lambda c: page(
        "<table>" + ("<tr>" + "<td>1</td>" * 1000 + "</tr>") * 1000 + "</table>"),
         o("TOO_COMPLEX")),
    Case("an encoding that is neither UTF-8 nor GBK", "broken.html",
         lambda c: b"<html><body>" + bytes(range(128, 256)) * 2000 + b"</body></html>",
         o("ENCODING_BROKEN", "NOT_A_REPORT")),
    Case("a page that is not a report", "news.html",
         lambda c: page("<p>今日天气晴。</p>").replace("年度报告".encode(), "新闻稿".encode()),
         o("NOT_A_REPORT")),
    Case("elements nested 100,000 deep", "deep.html", lambda c: page(
        "<div>" * 100_000 + "x" + "</div>" * 100_000), o("NOT_A_REPORT", "HTML_CORRUPT")),
    Case("tables nested 1,000 deep", "tables.html", lambda c: page(
        "<table><tr><td>" * 1000 + "1" + "</td></tr></table>" * 1000),
         o("NOT_A_REPORT", "NO_FIGURES", "HTML_CORRUPT", "TOO_COMPLEX")),
    Case("NUL bytes through the page", "nul.html", lambda c: c.page.replace(b"<p", b"\0<p"),
         o(READ)),
    Case("a page in UTF-16", "utf16.html", lambda c: c.page.decode().encode("utf-16"), o(READ)),
    Case("an unknown declared charset", "charset.html",
         lambda c: c.page.replace(b"utf-8", b"x-no-such-charset", 1), o(READ)),
    Case("a figure of 10,000 digits in a table", "digits.html", lambda c: report_page_with(
        c, ">" + str(int(c.report.figures["T3_NEW_NATURAL"])) + "<", ">" + "9" * 10_000 + "<"),
         o(READ)),
    Case("a figure written 1e999", "exp.html", lambda c: report_page_with(
        c, ">" + str(int(c.report.figures["T3_NEW_NATURAL"])) + "<", ">1e999<"), o(READ)),
    Case("a script and a style of 8 MB", "script.html", lambda c: c.page.replace(
        b"</body>", b"<script>" + b"x" * (8 * 1024 * 1024) + b"</script></body>"), o(READ)),
    Case("200,000 comments", "comments.html", lambda c: c.page.replace(
        b"</body>", b"<!-- x -->" * 200_000 + b"</body>"), o(READ)),
    Case("rowspan zero and negative spans", "zerospan.html", lambda c: c.page.replace(
        b"<td", b'<td rowspan="0" colspan="-3"', 5), o(READ)),
    # ------------------------------------------------ PDFs
    Case("a PDF claiming 200,000 pages", "pages.pdf", lambda c: pdf_of([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 200000 /Kids [" + b" ".join(b"3 0 R" for _ in range(200_000))
        + b"] >>", b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]),
         o("TOO_MANY_PAGES")),
    Case("a PDF whose page tree is a cycle", "cycle.pdf", lambda c: pdf_of([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        b"<< /Type /Pages /Parent 2 0 R /Count 1 /Kids [2 0 R] >>"]),
         o("PDF_CORRUPT", "NO_TEXT_LAYER", "NOT_A_REPORT")),
    Case("a PDF cut in half", "half.pdf", lambda c: c.pdf[: len(c.pdf) // 2],
         o("PDF_CORRUPT", READ, "NOT_A_REPORT", "NO_FIGURES")),
    Case("garbage behind a PDF header", "garbage.pdf", lambda c: b"%PDF-1.7\n" + b"\xff" * 5000,
         o("PDF_CORRUPT")),
    Case("a PDF over 64 MB", "big.pdf", big(65 * 1024 * 1024, b"%PDF-1.7\n"),
         o("PUBLISHED_TOO_LARGE")),
    Case("a PDF whose stream inflates to 400 MB", "inflate.pdf", lambda c: pdf_page(
        b"BT /F1 12 Tf 72 712 Td (A) Tj ET\n" * 12_000_000, compress=True),
         o("TIMEOUT", "MEMORY")),
    Case("a PDF with no text", "blank.pdf", lambda c: pdf_page(b""),
         o("NO_TEXT_LAYER", "NOT_A_REPORT")),
    Case("a PDF whose text is not a report", "letter.pdf", lambda c: pdf_page(
        b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET"), o("NOT_A_REPORT", "NO_TEXT_LAYER")),
    # ------------------------------------------------ Word files
    Case("a Word zip bomb", "bomb.docx", lambda c: zip_of({
        "[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>",
        "word/document.xml": b" " * (40 * 1024 * 1024)}), o("BOMB", "TOO_LARGE")),
    Case("a Word file cut in half", "half.docx", lambda c: c.docx[: len(c.docx) // 2],
         o("TRUNCATED", "NOT_PUBLISHED", "NOT_EXCEL")),
    Case("an entity bomb in a Word file", "laughs.docx", lambda c: docx_with(
        c, lambda x: LAUGHS + x.split("?>", 1)[1]), o("UNSAFE_XML", "CORRUPT")),
    Case("content controls nested 200 deep", "sdt.docx", lambda c: docx_with(c, lambda x: x.replace(
        "<w:body>", "<w:body>" + "<w:sdt><w:sdtContent>" * 200 + "<w:p><w:r><w:t>x</w:t></w:r></w:p>"
        + "</w:sdtContent></w:sdt>" * 200, 1)), o(READ, "CORRUPT")),
    Case("gridSpan of a billion", "grid.docx", lambda c: docx_with(c, lambda x: re.sub(
        r"<w:tcPr>", '<w:tcPr><w:gridSpan w:val="999999999"/>', x, count=50)),
         o(READ, "NO_FIGURES", "NOT_A_REPORT")),
    Case("a figure of 10,000 digits in a Word table", "digits.docx", lambda c: docx_with(
        c, lambda x: x.replace(">" + str(int(c.report.figures["T3_NEW_NATURAL"])) + "<",
                               ">" + "9" * 10_000 + "<", 1)), o(READ)),
    Case("a Word file that is not a report", "letter.docx", lambda c: docx_with(
        c, lambda x: re.sub(r"<w:t([^>]*)>[^<]*</w:t>", r"<w:t\1>你好</w:t>", x)),
         o("NOT_A_REPORT", "NO_FIGURES")),
    Case("the blank national form", "blank.docx", lambda c: c.blank_form, o("NO_FIGURES")),
    Case("a Word file over 50 MB", "big.docx", big(51 * 1024 * 1024, b"PK\x03\x04"),
         o("PUBLISHED_TOO_LARGE", "TOO_LARGE", "NOT_EXCEL", "TRUNCATED")),
    Case("1,000,000 runs in one paragraph", "runs.docx", lambda c: docx_with(c, lambda x: x.replace(
        "<w:body>", "<w:body><w:p>" + "<w:r><w:t>字</w:t></w:r>" * 300_000 + "</w:p>", 1)),
         o(READ, "TOO_LARGE", "BOMB")),
    # ------------------------------------------------ odd file names
    Case("a name with a right-to-left override", "报告\u202exslx.xlsx", lambda c: c.filled,
         o(READ)),
    Case("a name of 80 Chinese characters (240 bytes)", "高" * 80 + ".xlsx", lambda c: c.filled,
         o(READ)),
    Case("a name with a newline and spaces", "报 告\n 高凤镇 .xlsx", lambda c: c.filled, o(READ)),
    Case("a name that looks like a device", "CON.xlsx", lambda c: c.filled, o(READ)),
    Case("no suffix at all", "高凤镇", lambda c: c.filled, o(READ)),
    Case("a workbook named .pdf", "报告.pdf", lambda c: c.filled, o(READ)),
    Case("a web page named .xlsx", "网页.xlsx", lambda c: c.page, o(READ, "NOT_EXCEL")),
]

#: Seconds and peak-memory growth (MB) any class may cost on a loaded 2-core machine. PDFs
#: are read in a child bounded by its own limits (``published.bounded``), set lower here.
SECONDS, GROWTH_MB = 30.0, 400
PDF_SECONDS, PDF_MEMORY = 8.0, 512 * 1024 * 1024


def _peak_mb() -> tuple[float, float]:
    try:
        import resource
    except ImportError:  # Windows: no peak to read; the time bound still holds
        return 0.0, 0.0
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def run(folder: Path) -> list[dict]:
    from nianbao.api import check_file
    from nianbao.published import bounded

    bounded.SECONDS, bounded.MEMORY = PDF_SECONDS, PDF_MEMORY
    ctx = Context()
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for i, case in enumerate(CASES):
        path = folder / f"{i:03d}" / case.filename
        path.parent.mkdir()
        try:
            path.write_bytes(case.make(ctx))
        except Exception as exc:  # noqa: BLE001 - a broken maker is the corpus's bug: say so
            results.append({"name": case.name, "code": f"MAKER {type(exc).__name__}: {exc}"})
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        before, _ = _peak_mb()
        start = time.monotonic()
        _, result = check_file(path)
        seconds = time.monotonic() - start
        after, children = _peak_mb()
        results.append({"name": case.name, "code": result.problem_code or READ,
                        "findings": sorted({f.code for f in result.findings}),
                        "seconds": round(seconds, 3), "growth_mb": round(after - before, 1),
                        "children_mb": round(children, 1),
                        "unchanged": hashlib.sha256(path.read_bytes()).hexdigest() == digest})
        path.unlink()
    return results


if __name__ == "__main__":
    for line in run(Path(sys.argv[1])):
        print(json.dumps(line, ensure_ascii=False), flush=True)
