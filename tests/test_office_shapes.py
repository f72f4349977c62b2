"""Returns shaped the way Microsoft Excel and WPS write them, not the way our writer does.

Each variant rewrites a filled workbook's package as an office program would: 17-digit
doubles, shared strings with rich-text and phonetic runs, inline strings, ``t="str"``,
``_xHHHH_`` escapes, part names in other cases, absolute part paths, no custom properties,
the 1904 date system, cells without addresses, thousands of formatted empty rows. For every
variant the lean reader must give, for every contract cell, what openpyxl reads from the
unchanged file (numbers compared as the office program shows them).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given, settings, strategies as st
from lxml import etree

from conftest import consistent, make_zip, with_figures
from nianbao import sources, spec
from nianbao.model.values import parse_number, shown, stored_number
from nianbao.workbook import layout
from nianbao.workbook.fill import fill_bytes
from nianbao.workbook.reader import unescape

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
N = f"{{{NS}}}"
TEXT = "全年收到申请3件，上年结转0件；\r\n二是规范答复。\r特殊字符 _ 与 & < > 保持原样。"


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


_zip = make_zip


def _sheets(members: dict[str, bytes]) -> list[str]:
    return [n for n in members if re.match(r"xl/worksheets/sheet\d+\.xml$", n, re.I)]


def _each_cell(edit: Callable[[etree._Element, dict], None]):
    """Apply ``edit(cell, state)`` to every cell of every worksheet."""

    def variant(data: bytes) -> bytes:
        members = _members(data)
        state: dict = {"strings": []}
        for name in _sheets(members):
            root = etree.fromstring(members[name])
            for c in root.iter(f"{N}c"):
                edit(c, state)
            members[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                           standalone=True)
        if state["strings"]:
            sst = etree.Element(f"{N}sst", count=str(len(state["strings"])),
                                uniqueCount=str(len(state["strings"])))
            for item in state["strings"]:
                sst.append(item)
            members["xl/sharedStrings.xml"] = etree.tostring(sst, xml_declaration=True,
                                                             encoding="UTF-8", standalone=True)
            _register_shared_strings(members)
        return _zip(members)

    return variant


def _register_shared_strings(members: dict[str, bytes]) -> None:
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    if "sharedStrings" not in rels:
        rels = rels.replace("</Relationships>", '<Relationship Id="rIdSst" Type="http://schemas.'
                            'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                            'Target="sharedStrings.xml"/></Relationships>')
        members["xl/_rels/workbook.xml.rels"] = rels.encode()
    types = members["[Content_Types].xml"].decode()
    if "sharedStrings" not in types:
        types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType='
                              '"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                              'sharedStrings+xml"/></Types>')
        members["[Content_Types].xml"] = types.encode()


def _text_of(c: etree._Element) -> str | None:
    """An inline string's text as the file means it (escapes decoded)."""
    if c.get("t") != "inlineStr":
        return None
    node = c.find(f"{N}is")
    return "" if node is None else unescape("".join(node.itertext()))


def _excel_escape(text: str) -> str:
    """How Excel writes control characters and a literal ``_xHHHH_`` in a string."""
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    return "".join(f"_x{ord(ch):04X}_" if ord(ch) < 32 and ch != "\n" else ch for ch in text)


def _shared(rich: bool) -> Callable[[etree._Element, dict], None]:
    """Inline strings become shared strings (as Excel and WPS write them), escaped the Excel
    way; with ``rich``, split into two runs with a phonetic run after them."""

    def edit(c: etree._Element, state: dict) -> None:
        text = _text_of(c)
        if text is None:
            return
        si = etree.Element(f"{N}si")
        escaped = _excel_escape(text)
        if rich and len(escaped) > 1:
            half = len(escaped) // 2
            for i, part in enumerate((escaped[:half], escaped[half:])):
                r = etree.SubElement(si, f"{N}r")
                if i:
                    rpr = etree.SubElement(r, f"{N}rPr")
                    etree.SubElement(rpr, f"{N}b")
                t = etree.SubElement(r, f"{N}t")
                t.text = part
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            ph = etree.SubElement(si, f"{N}rPh", sb="0", eb="1")
            etree.SubElement(ph, f"{N}t").text = "ヨミ"
        else:
            etree.SubElement(si, f"{N}t").text = escaped
        state["strings"].append(si)
        for child in list(c):
            c.remove(child)
        c.set("t", "s")
        etree.SubElement(c, f"{N}v").text = str(len(state["strings"]) - 1)

    return edit


def _str_cells(c: etree._Element, state: dict) -> None:
    text = _text_of(c)
    if text is not None:
        for child in list(c):
            c.remove(child)
        c.set("t", "str")
        etree.SubElement(c, f"{N}v").text = _excel_escape(text)


def _doubles(c: etree._Element, state: dict) -> None:
    """Every number written with 17 significant digits, as Excel does."""
    v = c.find(f"{N}v")
    if c.get("t", "n") == "n" and v is not None and v.text and c.find(f"{N}f") is None:
        v.text = repr(float(v.text)) if "e" in v.text.lower() else f"{float(v.text):.17g}"


def _no_refs(c: etree._Element, state: dict) -> None:
    c.attrib.pop("r", None)


def _rename(members: dict[str, bytes], old: str, new: str) -> None:
    members[new] = members.pop(old)


def _case_parts(data: bytes) -> bytes:
    data = _each_cell(_shared(False))(data)
    members = _members(data)
    _rename(members, "xl/sharedStrings.xml", "xl/SharedStrings.xml")
    for name in _sheets(members):
        _rename(members, name, name.replace("sheet", "Sheet"))
    return _zip(members)


def _absolute_targets(data: bytes) -> bytes:
    members = _members(data)
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    members["xl/_rels/workbook.xml.rels"] = re.sub(
        r'Target="(?!/)([^"]+)"', r'Target="/xl/\1"', rels).encode()
    return _zip(members)


def _no_custom_properties(data: bytes) -> bytes:
    members = _members(data)
    members.pop("docProps/custom.xml")
    members["_rels/.rels"] = re.sub(rb"<Relationship[^>]*custom-properties[^>]*/>", b"",
                                    members["_rels/.rels"])
    return _zip(members)


def _date1904(data: bytes) -> bytes:
    """The workbook switched to the 1904 date system, the 成文日期 serial written in it."""
    members = _members(data)
    book = members["xl/workbook.xml"].decode()
    book = re.sub(r"<workbookPr([^>]*?)/?>", r'<workbookPr\1 date1904="1">', book, count=1)
    members["xl/workbook.xml"] = book.replace('<workbookPr date1904="1">', '<workbookPr '
                                              'date1904="1"/>').encode()
    date = layout.address_of("META_DATE")
    part = next(n for n in _sheets(members) if _sheet_name(members, n) == date.sheet)
    root = etree.fromstring(members[part])
    cell = next(c for c in root.iter(f"{N}c") if c.get("r") == date.a1)
    v = cell.find(f"{N}v")
    v.text = str(int(float(v.text)) - 1462)
    members[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return _zip(members)


def _sheet_name(members: dict[str, bytes], part: str) -> str:
    book = etree.fromstring(members["xl/workbook.xml"])
    rels = etree.fromstring(members["xl/_rels/workbook.xml.rels"])
    target = {r.get("Id"): r.get("Target") for r in rels}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    for sh in book.iter(f"{N}sheet"):
        if part.endswith(target[sh.get(rid)].lstrip("/").replace("xl/", "")):
            return sh.get("name")
    return ""


def _formatted_rows(data: bytes) -> bytes:
    members = _members(data)
    name = _sheets(members)[0]
    rows = "".join(f'<row r="{i}" ht="20.1" customHeight="1"/>' for i in range(200, 8200))
    members[name] = members[name].replace(b"</sheetData>", rows.encode() + b"</sheetData>")
    return _zip(members)


VARIANTS: dict[str, Callable[[bytes], bytes]] = {
    "excel doubles": _each_cell(_doubles),
    "shared strings, escaped": _each_cell(_shared(False)),
    "rich text and phonetic runs": _each_cell(_shared(True)),
    "t=str": _each_cell(_str_cells),
    "part names in other cases": _case_parts,
    "absolute part paths": _absolute_targets,
    "no custom properties": _no_custom_properties,
    "1904 date system": _date1904,
    "cells without r": _each_cell(_no_refs),
    "8000 formatted rows": _formatted_rows,
}


@pytest.fixture(scope="module")
def base(sample_report, sample_template):
    """A filled return with a real city's fee, counts, and text that needs escaping."""
    report = with_figures(consistent(sample_report, 11), T2_FEES="96171.6", T2_LICENSE=1234567)
    report = dataclasses.replace(report, texts={**report.texts, "TEXT_ON_REQUEST": TEXT},
                                 date=dt.date(2025, 1, 20))
    return fill_bytes(sample_template, report)


def _openpyxl_view(data: bytes) -> dict[str, object]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    values: dict[str, object] = {}
    for code in layout.INPUT_NAMES:
        sheet, coord = next(iter(wb.defined_names[code].destinations))
        value = wb[sheet][coord.replace("$", "")].value
        if code in spec.FIGURES:
            values[code] = parse_number(value)[0]  # as the office program shows it
        elif isinstance(value, dt.datetime):
            values[code] = value.date()
        else:
            values[code] = (unescape(value).replace("\r\n", "\n").replace("\r", "\n").strip()
                            if isinstance(value, str) else value)
            if code in spec.NOTE_CODES and value is None:
                values[code] = ""  # an empty explanation is no explanation
    return values


def _our_view(path) -> dict[str, object]:
    read = sources.read(path)
    report = read.report
    values: dict[str, object] = {code: report.figures.get(code) for code in spec.INPUT_CODES}
    values.update({code: report.texts[code] for code in report.texts})
    values["META_DATE"] = report.date
    values["META_TITLE"] = report.title
    for rule, code in zip(spec.EXPLAINABLE, spec.NOTE_CODES, strict=True):
        values[code] = report.notes.get(rule, "")
    return values


@pytest.mark.parametrize("name", list(VARIANTS))
def test_the_reader_agrees_with_openpyxl_on_every_office_shape(base, name, tmp_path):
    expected = _openpyxl_view(base)
    path = tmp_path / "return.xlsx"
    path.write_bytes(VARIANTS[name](base))
    ours = _our_view(path)
    assert {k: ours[k] for k in expected} == expected
    assert ours["T2_FEES"] == Decimal("96171.6") and ours["META_DATE"] == dt.date(2025, 1, 20)
    assert "_x000D_" not in str(ours["TEXT_ON_REQUEST"]) and "\r" not in str(ours["TEXT_ON_REQUEST"])


def test_a_real_citys_fee_as_excel_stores_it_passes(base, tmp_path):
    path = tmp_path / "city.xlsx"
    path.write_bytes(VARIANTS["excel doubles"](base))
    assert b"96171.600000000006" in b"".join(_members(path.read_bytes()).values())
    codes = {f.code for f in sources_check(path)}
    assert "FEE_RANGE" not in codes and "COUNT_RANGE" not in codes


def sources_check(path):
    from nianbao.api import check_file

    return check_file(path)[1].findings


@pytest.mark.parametrize("stored, shown_as", [
    ("96171.600000000006", "96171.6"), ("96171.60000000001", "96171.6"),
    ("3.0000000000000004", "3"), ("2.9999999999999996", "3"), ("0.30000000000000004", "0.3"),
    ("5949.088667", "5949.088667"), ("1.0000001", "1.0000001"), ("-0", "0"), ("1E+20", "1E+20"),
])
def test_stored_numbers_are_read_as_shown(stored, shown_as):
    assert stored_number(stored) == Decimal(shown_as)


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=0, max_value=10**8, places=6, allow_nan=False, allow_infinity=False))
def test_any_amount_survives_a_double_written_with_17_digits(amount):
    as_double = float(amount)
    for text in (f"{as_double:.17g}", repr(as_double), f"{as_double:.16g}"):
        assert stored_number(text) == amount


@pytest.mark.parametrize("escaped, text", [
    ("a_x000D_b", "a\rb"), ("_x005F_x0041_", "_x0041_"), ("_x000B_", "\x0b"),
    ("无转义", "无转义"), ("_xD83D__xDE00_", "\U0001F600"), ("_x00_", "_x00_"),
])
def test_excel_escapes_are_decoded_once(escaped, text):
    assert unescape(escaped) == text


def test_shown_keeps_what_has_fifteen_digits_or_fewer():
    assert shown(Decimal("123456789.012345")) == Decimal("123456789.012345")
