"""How values are read and written: numbers and dates as people and office programs give them.

No dependency on any reader or writer: every source (returned workbook, report JSON, published
report) parses through these functions, so one policy holds everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from ..errors import problem
from ..spec.expr import fmt_number
from ..spec.normalise import NUMBER_SHAPE, number_text

__all__ = ["fmt_number", "in_range", "parse_date", "parse_number", "shown", "stored_number"]

#: Excel and WPS keep and show 15 significant digits of a double; the XML carries 17.
SHOWN_DIGITS = 15

#: Status of a parsed number cell.
OK, NORMALISED, BLANK, NOT_NUMBER = "ok", "normalised", "blank", "not_number"
#: Status of a parsed date.
UNREADABLE = "unreadable"


def shown(value: Decimal) -> Decimal:
    """A stored double as the office program shows it: 15 significant digits, then normalised.

    Excel writes the fee typed as 96171.6 as ``96171.600000000006`` and a count of 3 computed
    as ``3.0000000000000004``; both are read as what the clerk typed and sees (96171.6, 3).
    """
    if not value.is_finite() or value == 0:
        return value
    digits = len(value.as_tuple().digits)
    if digits <= SHOWN_DIGITS:
        return value
    quantum = Decimal(1).scaleb(value.adjusted() - SHOWN_DIGITS + 1)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_EVEN).normalize()
    return rounded if rounded.as_tuple().exponent <= 0 else Decimal(int(rounded))  # type: ignore[operator]


#: The longest number text read as a number: a 7-digit count or a fee with 6 decimals needs
#: far fewer; ten thousand digits are an attack on arithmetic, not a figure.
MAX_NUMBER_TEXT = 64
#: A double, which is all any office program stores, is below 1.8e308.
MAX_EXPONENT = 308


def in_range(number: Decimal) -> bool:
    """Finite and of a magnitude an office program can store: checked before any arithmetic,
    since Decimal takes 1e999999999 in its stride and a later int() or format() does not."""
    return number.is_finite() and (number == 0 or abs(number.adjusted()) <= MAX_EXPONENT)


def stored_number(text: str) -> Decimal:
    """A number as written in a spreadsheet's XML (``<v>``), read as the program shows it;
    raises :class:`FileProblem` ``NUMBER_INVALID`` for what no office program writes."""
    text = text.strip()
    try:
        number = Decimal(text) if len(text) <= MAX_NUMBER_TEXT else None
    except InvalidOperation:
        number = None
    if number is None or not in_range(number):
        raise problem("NUMBER_INVALID", text[:20] + ("…" if len(text) > 20 else ""))
    return shown(number)


def parse_number(raw: Any) -> tuple[Decimal | None, str]:
    """A number cell → (value, status); status is ok, normalised, blank or not_number.

    A number typed as text is read after ``spec.normalise.number_text`` (spaces, separators,
    full-width digits) — the same reading the workbook's own formulas make of it."""
    if raw is None:
        return None, BLANK
    if isinstance(raw, bool):
        return None, NOT_NUMBER
    if isinstance(raw, int):
        if raw.bit_length() > 1024:  # past any double, and past int → str limits
            return None, NOT_NUMBER
        raw = Decimal(raw)
    if isinstance(raw, float):
        raw = Decimal(repr(raw))
    if isinstance(raw, Decimal):
        return (shown(raw), OK) if in_range(raw) else (None, NOT_NUMBER)
    text = number_text(str(raw)[:MAX_NUMBER_TEXT * 4])
    if not text:
        return None, BLANK
    if len(text) <= MAX_NUMBER_TEXT and NUMBER_SHAPE.match(text):
        return shown(Decimal(text)), NORMALISED
    return None, NOT_NUMBER


_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3,
              "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN_NUMBER = "〇零○一二两三四五六七八九十百千万"
#: year, month, day in digits or Chinese numerals, with 年月日/号 or - / . separators; an
#: optional weekday and time of day after it (2025-01-20 10:30:00, 2025/1/20 10:30).
_DATE = re.compile(
    rf"^(?P<y>\d{{4}}|[{_CN_NUMBER}O]{{4}})\s*(?:年|[-/.])\s*"
    rf"(?P<m>\d{{1,2}}|[{_CN_NUMBER}]{{1,3}})\s*(?:月|[-/.])\s*"
    rf"(?P<d>\d{{1,2}}|[{_CN_NUMBER}]{{1,4}})\s*(?:日|号)?"
    r"(?:\s*[（(]?(?:星期|周|礼拜)[一二三四五六日天][）)]?)?"
    r"(?:\s*[T ]?\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?)?\s*$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def chinese_number(text: str) -> int | None:
    """Chinese numerals as people write counts and dates: 三, 十二, 二十, 一百零五, 两千;
    digit by digit (二〇二五) when there is no unit. ``None`` when it is not a number."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    if not any(ch in _CN_UNITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total = section = 0
    digit = None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return total + section + (digit or 0)


def _part(text: str) -> int | None:
    return int(text) if text.isdigit() else chinese_number(text)


def parse_date(raw: Any, date1904: bool = False) -> tuple[dt.date | None, str]:
    """成文日期 → (date, status). Anything a person reads as a date is one: a date serial or
    value, 2025年1月9日, 2025-01-09, 2025.1.9, 2025/1/9 10:30, 2025年1月20号, 20250120,
    二〇二五年一月二十日, with or without weekday and time of day."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, BLANK
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        base = dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30)
        try:
            return base + dt.timedelta(days=int(raw)), OK
        except (OverflowError, ValueError, InvalidOperation):
            return None, UNREADABLE
    if isinstance(raw, dt.datetime):
        return raw.date(), OK
    if isinstance(raw, dt.date):
        return raw, OK
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    match = _DATE.match(text)
    parts = ((_part(match["y"]), _part(match["m"]), _part(match["d"])) if match
             else tuple(int(g) for g in m.groups()) if (m := _COMPACT.match(text)) else None)
    if parts is None or None in parts:
        return None, UNREADABLE
    try:
        return dt.date(*parts), OK  # type: ignore[arg-type]
    except ValueError:
        return None, UNREADABLE
