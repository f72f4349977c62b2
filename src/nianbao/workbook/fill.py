"""Fill a generated workbook through its defined names, as a script or a provincial platform would."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl

from .. import spec
from ..model.report import Report


def _value(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def fill_bytes(workbook: bytes, report: Report, overrides: dict[str, object] | None = None
               ) -> bytes:
    """The workbook with the report's inputs, date, title and texts set; ``overrides`` sets raw
    cell values by code (a test's way of typing "5件" into a number cell)."""
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
    return buf.getvalue()
