"""How values are read and written: numbers and dates as people and office programs give them.

No dependency on any reader or writer: every source (returned workbook, report JSON, published
report) parses through these functions, so one policy holds everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?$")

#: Status of a parsed number cell.
OK, NORMALISED, BLANK, NOT_NUMBER = "ok", "normalised", "blank", "not_number"
#: Status of a parsed date.
UNREADABLE = "unreadable"


def fmt_number(value: Decimal) -> str:
    """A figure as a person writes it: no exponent, no trailing zeros."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def parse_number(raw: Any) -> tuple[Decimal | None, str]:
    """A number cell → (value, status); status is ok, normalised, blank or not_number."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, BLANK
    if isinstance(raw, bool):
        return None, NOT_NUMBER
    if isinstance(raw, (int, Decimal)):
        return Decimal(raw), OK
    if isinstance(raw, float):
        return Decimal(repr(raw)), OK
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "").replace(" ", "")
    if _NUMBER.match(text):
        try:
            return Decimal(text), NORMALISED
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
            return None, NOT_NUMBER
    return None, NOT_NUMBER


def parse_date(raw: Any, date1904: bool = False) -> tuple[dt.date | None, str]:
    """成文日期 → (date, status): a date serial, or text 2025年1月9日 / 2025-01-09 / 2025.1.9."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, BLANK
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        base = dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30)
        try:
            return base + dt.timedelta(days=int(raw)), OK
        except (OverflowError, ValueError):
            return None, UNREADABLE
    if isinstance(raw, dt.datetime):
        return raw.date(), OK
    if isinstance(raw, dt.date):
        return raw, OK
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    match = _DATE_TEXT.match(text.split("T")[0])
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups())), OK
        except ValueError:
            return None, UNREADABLE
    return None, UNREADABLE
