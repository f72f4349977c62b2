"""Fill a generated workbook through its defined names, as a script or a provincial platform would."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import openpyxl

from .. import spec
from ..model.report import Report

_W3CDTF = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)([^<]*)(</dcterms:)")


def _value(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def fill_bytes(workbook: bytes, report: Report, overrides: dict[str, object] | None = None,
               saved: dt.datetime | None = None) -> bytes:
    """The workbook with the report's inputs, date, title and texts set; ``overrides`` sets raw
    cell values by code (a test's way of typing "5件" into a number cell); ``saved``: when the
    unit saved it (default: the report's date, so that the same report fills to the same
    bytes; a later save of a corrected file gives a later time)."""
    wb = openpyxl.load_workbook(io.BytesIO(workbook))
    values: dict[str, object] = {code: _value(report.figures[code])
                                 for code in spec.INPUT_CODES if code in report.figures}
    values.update({code: text for code, text in report.texts.items()})
    if report.date is not None:
        values["META_DATE"] = report.date
    if report.title:
        values["META_TITLE"] = report.title
    values.update(overrides or {})
    for code, value in values.items():
        sheet, coord = next(iter(wb.defined_names[code].destinations))
        wb[sheet][coord.replace("$", "")].value = value
    buf = io.BytesIO()
    wb.save(buf)
    wb.close()
    return _stamped(buf.getvalue(), saved or dt.datetime.combine(
        report.date or dt.date(report.year + 1, 1, 1), dt.time()))


def _stamped(data: bytes, when: dt.datetime) -> bytes:
    """openpyxl stamps the save's clock into every zip entry and into docProps/core.xml; the fill
    stamps ``when`` instead."""
    stamp = f"{when.replace(microsecond=0).isoformat()}Z".encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/core.xml":
                body = _W3CDTF.sub(lambda m: m.group(1) + stamp + m.group(3), body)
            dst.writestr(zipfile.ZipInfo(info.filename, (when.year, when.month, when.day,
                                                         when.hour, when.minute, when.second)),
                         body, zipfile.ZIP_DEFLATED)
    return out.getvalue()
