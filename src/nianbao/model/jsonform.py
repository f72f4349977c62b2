"""The report model's JSON form ``nianbao.report/1`` (``data/*.json``, ``--previous``): lossless."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import spec
from ..errors import ReportFormatError
from .report import Report
from .values import MAX_NUMBER_TEXT, in_range

SCHEMA = "nianbao.report/1"



def to_number(value: Any) -> Decimal:
    """A JSON number as an exact Decimal (floats via their shortest repr), within the range an
    office program can store."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ReportFormatError(f"不是数字：{str(value)[:20]}")
    try:
        number = value if isinstance(value, Decimal) else (
            Decimal(value) if isinstance(value, int) else Decimal(repr(value)))
    except InvalidOperation as exc:
        raise ReportFormatError(f"不是有限数字：{str(value)[:20]}") from exc
    if not in_range(number):  # nan, inf, 1e999
        raise ReportFormatError(f"不是有限数字或超出范围：{str(value)[:20]}")
    return number


def _json_number(value: Decimal) -> int | float:
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def to_dict(report: Report) -> dict[str, Any]:
    """The documented JSON form: stable key order, figures keyed by contract code."""
    return {
        "schema": SCHEMA,
        "format": report.format,
        "meta": {
            "unit": report.unit,
            "parent": report.parent,
            "level": report.level,
            "year": report.year,
            "date": report.date.isoformat() if report.date else None,
            "title": report.title,
            "website": report.website,
            "deadline": report.deadline.isoformat() if report.deadline else None,
        },
        "texts": {f.code: report.texts.get(f.code, "") for f in spec.TEXT_FIELDS},
        "notes": {code: report.notes[code] for code in spec.EXPLAINABLE if report.notes.get(code)},
        "figures": {code: _json_number(report.figures[code])
                    for code in spec.FIGURES if code in report.figures},
    }


def _date(value: Any, what: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ReportFormatError(f"{what} 不是 YYYY-MM-DD 日期：{value!r}") from exc


def from_dict(data: Any) -> Report:
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ReportFormatError(f"不是 {SCHEMA} 格式的 JSON")
    meta, texts, figures = data.get("meta"), data.get("texts", {}), data.get("figures", {})
    if not isinstance(meta, dict) or not isinstance(texts, dict) or not isinstance(figures, dict):
        raise ReportFormatError("meta、texts、figures 必须是对象")
    unknown = set(figures) - set(spec.FIGURES)
    if unknown:
        raise ReportFormatError(f"未知的代码：{', '.join(sorted(unknown))}")
    year = meta.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise ReportFormatError("meta.year 必须是整数")
    return Report(
        unit=str(meta.get("unit") or ""),
        parent=str(meta.get("parent") or ""),
        level=str(meta.get("level") or "其他"),
        year=year,
        date=_date(meta.get("date"), "meta.date"),
        title=str(meta.get("title") or ""),
        website=str(meta.get("website") or ""),
        deadline=_date(meta.get("deadline"), "meta.deadline"),
        texts={k: str(v) for k, v in texts.items() if v is not None},
        notes=_notes(data.get("notes", {})),
        figures={k: to_number(v) for k, v in figures.items() if v is not None},
        format=str(data.get("format") or spec.FORMAT_ID),
    )


def _notes(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ReportFormatError("notes 必须是对象")
    unknown = set(value) - set(spec.EXPLAINABLE)
    if unknown:
        raise ReportFormatError(f"这些提示不能说明：{', '.join(sorted(unknown))}")
    return {k: str(v) for k, v in value.items() if v}


def dumps(report: Report) -> str:
    return json.dumps(to_dict(report), ensure_ascii=False, indent=2) + "\n"


#: Deeper than this no report is: the form has three levels.
MAX_DEPTH = 16


def _bounded_int(text: str) -> int:
    """A JSON integer token, refused before conversion when it is longer than any figure (a
    10⁵-digit integer costs quadratic time to convert)."""
    if len(text) > MAX_NUMBER_TEXT:
        raise ReportFormatError(f"数字过长（{len(text)} 个字符）")
    return int(text)


def _bounded_float(text: str) -> Decimal:
    """A JSON fraction or exponent token as an exact Decimal (1e999 is not infinity here, and
    to_number refuses it as out of range)."""
    if len(text) > MAX_NUMBER_TEXT:
        raise ReportFormatError(f"数字过长（{len(text)} 个字符）")
    return Decimal(text)


def _constant(name: str) -> None:
    raise ReportFormatError(f"不是有限数字：{name}")


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def _depth(text: str) -> int:
    """The deepest nesting of objects and arrays outside strings; linear, no recursion."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def loads(text: str) -> Report:
    """A report from its JSON form; raises :class:`ReportFormatError` for anything else, deep
    nesting, NaN, Infinity and absurd numbers included (each checked before it costs)."""
    if _depth(text) > MAX_DEPTH:
        raise ReportFormatError(f"嵌套超过 {MAX_DEPTH} 层")
    try:
        data = json.loads(text, parse_int=_bounded_int, parse_float=_bounded_float,
                          parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise ReportFormatError(f"JSON 无法解析：{exc.msg}（第 {exc.lineno} 行）") from exc
    return from_dict(data)
