"""Hostile and broken files: sniffed, refused with one Chinese line, never modified."""

from __future__ import annotations

import hashlib
import io
import time
import zipfile

import pytest
import xlsxwriter
from click.testing import CliRunner

from conftest import make_zip, needs, write
from nianbao import sources
from nianbao.cli import cli
from nianbao.errors import FILE_PROBLEMS, FileProblem
from nianbao.outputs.pdf import convert_many
from nianbao.workbook import reader as xlsx
from rule_cases import patch_member, sheet_member

BOMB_ENTITIES = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                 '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                 '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


_zip = make_zip


def _entity(doctype: str, use: str):
    def edit(data: bytes) -> bytes:
        return patch_member(data, "xl/sharedStrings.xml",
                            lambda xml: doctype + xml.split("?>", 1)[1].replace(
                                "<t>校验结果</t>", f"<t>{use}</t>", 1))
    return edit


def _rows(n: int):
    def edit(data: bytes) -> bytes:
        rows = "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(40, 40 + n))
        return patch_member(data, sheet_member(data, "正文"),
                            lambda xml: xml.replace("</sheetData>", rows + "</sheetData>"))
    return edit


def _plain_workbook() -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.add_worksheet("Sheet1").write("A1", "别的表")
    wb.close()
    return buf.getvalue()


def _encrypted(template: bytes) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(template)).encrypt("secret", out)
    return out.getvalue()


def _prop(value: str):
    def edit(data: bytes) -> bytes:
        return patch_member(data, "docProps/custom.xml",
                            lambda xml: xml.replace(">gov-2021<", f">{value}<"))
    return edit


def _bomb() -> bytes:
    return _zip({"[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>",
                 "xl/worksheets/sheet1.xml": b" " * (40 * 1024 * 1024)})


HOSTILE = {
    "EMPTY": ("empty.xlsx", lambda t: b""),
    "NOT_EXCEL": ("notes.xlsx", lambda t: "这是一封邮件的正文".encode()),
    "TRUNCATED": ("half.xlsx", lambda t: t[: len(t) // 2]),
    "ENCRYPTED": ("locked.xlsx", _encrypted),
    "ODS": ("calc.xlsx", lambda t: _zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                                         "content.xml": "<x/>"})),
    "STRICT": ("strict.xlsx", lambda t: patch_member(t, "xl/workbook.xml", lambda x: x.replace(
        "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "http://purl.oclc.org/ooxml/spreadsheetml/main"))),
    "MACRO": ("macro.xlsm", lambda t: _zip({"[Content_Types].xml": "<Types/>",
                                            "xl/workbook.xml": "<workbook/>",
                                            "xl/vbaProject.bin": b"\0" * 64})),
    "LOCK_FILE": ("~$高凤镇.xlsx", lambda t: b"\x0c" + "高凤镇".encode("utf-16-le") + b"\0" * 140),
    "UNSAFE_XML": ("laughs.xlsx", lambda t: _entity(BOMB_ENTITIES, "&lol3;")(t)),
    "BOMB": ("bomb.xlsx", lambda t: _bomb()),
    "TOO_MANY_ROWS": ("rows.xlsx", lambda t: _rows(6000)(t)),
    "NOT_NIANBAO": ("other.xlsx", lambda t: _plain_workbook()),
    "FORMAT_UNKNOWN": ("future.xlsx", lambda t: _prop("gov-2031")(t)),
}


@pytest.mark.parametrize("code", list(HOSTILE))
def test_a_hostile_file_is_refused_quickly_and_left_untouched(code, sample_template, tmp_path):
    name, make = HOSTILE[code]
    path = write(tmp_path, name, make(sample_template))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    start = time.perf_counter()
    with pytest.raises(FileProblem) as exc:
        sources.read(path)
    assert time.perf_counter() - start < 5
    assert exc.value.code == code
    assert "\n" not in exc.value.message
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_external_entities_are_refused(sample_template, tmp_path):
    path = write(tmp_path, "xxe.xlsx", _entity(XXE, "&e;")(sample_template))
    with pytest.raises(FileProblem) as exc:
        sources.read(path)
    assert exc.value.code == "UNSAFE_XML"


def test_a_far_away_cell_is_refused_as_too_many_rows(sample_template, tmp_path):
    far = patch_member(sample_template, sheet_member(sample_template, "正文"),
                       lambda xml: xml.replace("</sheetData>", '<row r="1048576"><c r="A1048576">'
                                               '<v>1</v></c></row></sheetData>'))
    with pytest.raises(FileProblem) as exc:
        sources.read(write(tmp_path, "far.xlsx", far))
    assert exc.value.code == "TOO_MANY_ROWS"


@pytest.mark.office
def test_legacy_xls_asks_to_save_as_xlsx(sample_template, tmp_path):
    needs("soffice")
    src = write(tmp_path, "old.xlsx", sample_template)
    xls = convert_many([src], "xls", tmp_path / "xls")[0]
    with pytest.raises(FileProblem) as exc:
        sources.read(xls)
    assert exc.value.code == "LEGACY_XLS" and "另存为" in exc.value.message


def test_content_decides_not_the_name(sample_template, tmp_path):
    for name in ("报表.et", "报表 (1).XLSX", "-报表.bin", "报表"):
        read = sources.read(write(tmp_path, name, sample_template))
        assert read.report.unit == "井研县高凤镇人民政府"


@pytest.mark.parametrize("code", ["ENCRYPTED", "EMPTY", "NOT_NIANBAO", "LOCK_FILE"])
def test_the_cli_prints_one_line_and_exits_3(code, sample_template, tmp_path):
    name, make = HOSTILE[code]
    path = write(tmp_path, name, make(sample_template))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"无法读取 {path}：")


def test_json_output_of_an_unreadable_file_keeps_the_schema(sample_template, tmp_path):
    import json

    path = write(tmp_path, "locked.xlsx", _encrypted(sample_template))
    result = CliRunner().invoke(cli, ["validate", "--format", "json", str(path)])
    data = json.loads(result.output)
    assert data == [{"file": str(path), "unit": "", "year": None, "ok": False, "findings": [
        {"code": "ENCRYPTED", "severity": "error", "table": "", "row": "", "column": "",
         "cells": [], "message": FILE_PROBLEMS["ENCRYPTED"]}]}]


def test_shared_formulas_are_expanded_from_their_master_cell():
    from lxml import etree

    ns = xlsx.NS[1:-1]
    master = etree.fromstring(f'<f xmlns="{ns}" t="shared" ref="F2:F4" si="0">SUM(A2:E2)</f>')
    dependant = etree.fromstring(f'<f xmlns="{ns}" t="shared" si="0"/>')
    orphan = etree.fromstring(f'<f xmlns="{ns}" t="shared" si="9"/>')
    shared: dict = {}
    assert xlsx._formula(master, "F2", shared) == "=SUM(A2:E2)"
    assert xlsx._formula(dependant, "F4", shared) == "=SUM(A4:E4)"
    assert xlsx._formula(orphan, "F5", shared) is None


def test_parts_are_found_through_relationships_not_fixed_paths(sample_template, tmp_path):
    """Some writers put the workbook elsewhere; the package relationships say where."""
    moved = {}
    src = zipfile.ZipFile(io.BytesIO(sample_template))
    for info in src.infolist():
        name = info.filename.replace("xl/", "book/", 1) if info.filename.startswith("xl/") \
            else info.filename
        body = src.read(info)
        if name in ("_rels/.rels", "[Content_Types].xml"):
            body = body.replace(b"/xl/", b"/book/").replace(b'"xl/', b'"book/')
        moved[name] = body
    path = write(tmp_path, "moved.xlsx", _zip(moved))
    read = sources.read(path)
    assert read.report.unit == "井研县高凤镇人民政府" and not read.findings


def test_custom_properties_lost_falls_back_to_the_meta_sheet(sample_template, tmp_path):
    """A program that drops custom document properties still leaves the _meta sheet."""
    stripped = patch_member(sample_template, "docProps/custom.xml",
                            lambda xml: xml.split("<property")[0] + "</Properties>")
    read = sources.read(write(tmp_path, "wps.xlsx", stripped))
    assert (read.report.unit, read.report.year) == ("井研县高凤镇人民政府", 2024)
    assert not [f for f in read.findings if f.code == "TEMPLATE_ALTERED"]
