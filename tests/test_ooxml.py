"""Every kind of Office file nianbao writes is valid OOXML, as the Open XML SDK's validator (the
schema Word and Excel are built on; pinned in .ci/web) judges it: templates for every level, the
master, the 名单 template, 退回件, 汇总, the report (demo, a city's fill, with a reference .docx
made by WPS, a draft) and reference.docx."""

from __future__ import annotations

import datetime
import html
import io
import json
import re
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree

from conftest import FIXTURES, city
from nianbao import assets, spec
from nianbao.demo import sample
from nianbao.model.unit import Settings, Unit
from nianbao.outputs import docstyle, docx, schema
from nianbao.round import results
from nianbao.serve.folder import RESULTS, ROSTER
from nianbao.workbook import template
from nianbao.workbook.roster import roster_template_bytes


def validator_of(modules: Path) -> Path:
    """The Open XML SDK validator's self-contained binary (JSON verdict on stdout)."""
    return modules / "@xarsh" / "ooxml-validator-linux-x64" / "ooxml-validator"


WPS_REFERENCE = FIXTURES / "published" / "blank-national-form.docx"


def generated(sample_report, demo_round: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    settings = Settings(2024, datetime.date(2025, 1, 31), website="井研县人民政府网 http://www.jingyan.gov.cn")
    for level in spec.LEVELS:
        files[f"模板-{level}.xlsx"] = template.build_bytes(Unit(f"测试{level}单位", "", level),
                                                          settings)
    files["模板-有密码.xlsx"] = template.build_bytes(Unit("某某县司法局", "某某县", "县级部门"),
                                                    settings, password="nianbao")
    files["母版.xlsx"] = assets.master_bytes()
    files["名单模板.xlsx"] = roster_template_bytes(2024)
    files["演示名单.xlsx"] = (demo_round / ROSTER).read_bytes()
    out = demo_round / RESULTS
    returns = sorted((out / results.RETURNS).glob("*.xlsx"))
    assert returns, "the demo round has 退回件"
    for path in returns:
        files[f"退回-{path.name}"] = path.read_bytes()
    files["汇总.xlsx"] = (out / results.SUMMARY).read_bytes()
    wps = WPS_REFERENCE.read_bytes()
    files["报告-示例.docx"] = docx.render_bytes(sample_report)
    files["报告-城市.docx"] = docx.render_bytes(city(sample_report))
    files["报告-草稿.docx"] = docx.render_bytes(sample_report, draft=True)
    files["报告-WPS样式.docx"] = docx.render_bytes(city(sample_report), reference=wps, draft=True)
    files["报告-换字体.docx"] = docx.render_bytes(
        sample_report, fonts=docstyle.Fonts(title="华文中宋", body="仿宋"))
    files["reference.docx"] = docstyle.reference_bytes()
    files["reference-换字体.docx"] = docstyle.build_reference(docstyle.Fonts(title="华文中宋"))
    return files


def _validate(validator: Path, path: Path) -> list[str]:
    done = subprocess.run([str(validator), str(path)], capture_output=True, text=True,
                          timeout=300, check=False)
    if done.returncode == 2:
        pytest.fail(f"the validator could not run on {path.name}: {done.stderr[-400:]}")
    verdict = json.loads(done.stdout)
    return [f"{e['path']} {e.get('xPath', '')}: {e['description']}" for e in verdict["errors"]]


def test_every_file_nianbao_writes_is_valid_ooxml(sample_report, demo_round, judges, tmp_path):
    validator = validator_of(judges)
    paths = []
    for name, data in generated(sample_report, demo_round).items():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(path)
    with ThreadPoolExecutor(2) as pool:
        verdicts = dict(zip((p.name for p in paths), pool.map(lambda p: _validate(validator, p),
                                                                 paths), strict=True))
    invalid = {name: errors[:5] for name, errors in verdicts.items() if errors}
    assert not invalid, json.dumps(invalid, ensure_ascii=False, indent=1)
    assert len(verdicts) >= len(spec.LEVELS) + 10


def test_the_judge_finds_an_out_of_order_child(judges, tmp_path, sample_report):
    """The validator is not a rubber stamp: the order python-docx's ``append`` used to give
    (``w:spacing`` after ``w:rFonts``'s later siblings) is an error it reports."""
    validator = validator_of(judges)
    data = docx.render_bytes(sample_report)
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "word/document.xml":
                body = body.replace(b"<w:tblBorders>", b"<w:tblLook/><w:tblBorders>", 1)
            dst.writestr(info, body)
    assert _validate(validator, broken)


def _parts(data: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: etree.fromstring(zf.read(n)) for n in zf.namelist()
                if n.startswith("word/") and n.endswith(".xml")}


@pytest.mark.parametrize("draft", [False, True])
def test_property_elements_are_in_schema_order(sample_report, draft):
    """nianbao's own check of the sequences it writes, without the validator."""
    for report in (sample_report, city(sample_report)):
        for name, root in _parts(docx.render_bytes(report, draft=draft)).items():
            assert schema.misordered(root) == [], name


def test_a_reference_made_by_wps_is_put_in_order():
    """WPS writes ``w:uiPriority`` after ``w:qFormat``: the reference's styles become the
    report's, so the report puts them in order (and the check sees the fixture's disorder)."""
    assert schema.misordered(_parts(WPS_REFERENCE.read_bytes())["word/styles.xml"])
    report = sample()
    styles = _parts(docx.render_bytes(report, reference=WPS_REFERENCE.read_bytes()))
    assert schema.misordered(styles["word/styles.xml"]) == []


def test_put_places_a_child_before_its_successors_and_replaces_a_twin():
    ppr = etree.fromstring(
        '<w:pPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:pStyle w:val="a"/><w:spacing w:line="240"/><w:jc w:val="both"/></w:pPr>')
    schema.put(ppr, "w:keepNext")
    schema.put(ppr, "w:ind", left="10")
    schema.put(ppr, "w:jc", val="left")
    schema.put(ppr, "w:rPr")
    names = [etree.QName(c).localname for c in ppr]
    assert names == ["pStyle", "keepNext", "spacing", "ind", "jc", "rPr"]
    assert ppr[4].get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") == "left"


_STRINGS = re.compile(r'"(?:[^"]|"")*"')
_SHEET_REF = re.compile(r"(?:'((?:[^']|'')+)'|([^\s'!(),=+\-*/&<>:;{}\"]+))!")


def _other_sheets(formula: str, own: str) -> set[str]:
    """The sheets a formula refers to other than its own (string literals left out)."""
    code = _STRINGS.sub('""', html.unescape(formula))
    names = {(quoted or bare).replace("''", "'") for quoted, bare in _SHEET_REF.findall(code)}
    return names - {own}


def _rule_formulas(data: bytes) -> list[tuple[str, str, str]]:
    """(sheet, kind, formula) of every conditional format and data validation formula."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        book = etree.fromstring(zf.read("xl/workbook.xml"))
        rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        for sheet in book.iterfind("m:sheets/m:sheet", ns):
            target = targets[sheet.get(f"{{{ns['r']}}}id")].lstrip("/").removeprefix("xl/")
            root = etree.fromstring(zf.read(f"xl/{target}"))
            name = sheet.get("name")
            for f in root.iterfind(".//m:conditionalFormatting//m:formula", ns):
                found.append((name, "conditional format", f.text or ""))
            for f in root.iterfind(".//m:dataValidation/*", ns):
                found.append((name, "data validation", f.text or ""))
            ext = root.find("m:extLst", ns)
            if ext is not None and b"conditionalFormatting" in etree.tostring(ext):
                found.append((name, "conditional format in an extension", "x14"))
    return found


def test_rules_refer_only_to_their_own_sheet(sample_report, demo_round):
    """Conditional formats and data validations read their own sheet (or a defined name):
    what Excel 2007, later Excel and WPS all show as written."""
    checked = 0
    for name, data in generated(sample_report, demo_round).items():
        if not name.endswith(".xlsx"):
            continue
        for sheet, kind, formula in _rule_formulas(data):
            assert kind != "conditional format in an extension", (name, sheet)
            assert not _other_sheets(formula, sheet), (name, sheet, kind, formula)
            checked += 1
    assert checked > 200


def test_the_own_sheet_check_sees_another_sheets_reference():
    assert _other_sheets("'校验'!$C$12=\"不通过\"", "表二") == {"校验"}
    assert _other_sheets("校验!C12=\"a!b\"", "表二") == {"校验"}
    assert _other_sheets("$AO$1", "表二") == set()
    assert _other_sheets("表二!$B$5>=0", "表二") == set()
    assert _other_sheets("AND(ISNUMBER(B5),B5>=0)", "表二") == set()
