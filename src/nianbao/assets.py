"""Committed generated files: the blank master workbook and the bundled reference .docx."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from .model.unit import Settings, Unit
from .outfile import write_atomic
from .outputs import docstyle
from .workbook import reader as xlsx, template

ROOT = Path(__file__).resolve().parents[2]
MASTER_NAME = "nianbao-gov-2021-master.xlsx"
MASTER_UNIT = Unit("（单位全称）", "（上级）", "乡镇")
MASTER_SETTINGS = Settings(2024)


def master_bytes() -> bytes:
    return template.build_bytes(MASTER_UNIT, MASTER_SETTINGS)


def zip_content(data: bytes) -> dict[str, bytes]:
    """A zip's members by name (zip timestamps aside)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def workbook_content(data: bytes) -> dict[str, object]:
    """What a workbook says, independent of how a library version serialises it: sheets, cells,
    formulas, names, properties, merges, validations, protection and unlocked cells."""
    import openpyxl

    book = xlsx.read_bytes(data)
    props = {k: v for k, v in book.properties.items() if not k.endswith("generator")}
    wb = openpyxl.load_workbook(io.BytesIO(data))
    sheets = {}
    for ws in wb.worksheets:
        sheets[ws.title] = {
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "validations": sorted((str(dv.sqref), dv.type, dv.operator, dv.formula1, dv.formula2,
                                   dv.prompt, dv.error) for dv in ws.data_validations.dataValidation),
            "protected": bool(ws.protection.sheet),
            "unlocked": sorted(c.coordinate for row in ws.iter_rows() for c in row
                               if c.has_style and not c.protection.locked),
        }
    return {"sheets": book.sheets, "names": book.names, "cells": book.cells, "props": props,
            "structure": bool(wb.security and wb.security.lockStructure), "layout": sheets}


def document_content(data: bytes) -> dict[str, object]:
    """What the reference document sets: nianbao's styles, the page, footers, odd/even pages."""
    from docx import Document
    from lxml import etree

    doc = Document(io.BytesIO(data))
    ours = {docstyle.STYLE_BODY, docstyle.STYLE_TITLE, docstyle.STYLE_H1, docstyle.STYLE_H2,
            docstyle.STYLE_TABLE, docstyle.STYLE_SIGN, docstyle.STYLE_DRAFT}
    styles = {s.style_id: etree.tostring(s.element, method="c14n") for s in doc.styles
              if s.style_id in ours}
    section = doc.sections[0]
    return {"styles": styles, "page": etree.tostring(section._sectPr, method="c14n"),
            "footers": [etree.tostring(f._element, method="c14n")
                        for f in (section.footer, section.even_page_footer)],
            "odd_even": doc.settings.odd_and_even_pages_header_footer}


def same_content(path: Path, current: bytes, generated: bytes) -> bool:
    reader = workbook_content if path.suffix == ".xlsx" else document_content
    return reader(current) == reader(generated)


def assets(root: Path = ROOT) -> dict[Path, bytes]:
    return {
        root / "workbook_templates" / MASTER_NAME: master_bytes(),
        root / "src" / "nianbao" / "data" / "reference.docx": docstyle.build_reference(),
    }


def build_assets(check: bool = False, root: Path = ROOT) -> list[Path]:
    """Paths whose committed content differs from what the code generates (written unless check)."""
    stale = []
    for path, data in assets(root).items():
        current = path.read_bytes() if path.exists() else b""
        if not current or not same_content(path, current, data):
            stale.append(path)
            if not check:
                write_atomic(path, data)
    return stale
