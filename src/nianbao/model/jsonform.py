"""The report model's JSON form ``nianbao.report/1`` (``data/*.json``, ``--previous``): lossless."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import spec
from ..errors import ReportFormatError
from .report import Report

SCHEMA = "nianbao.report/1"



def to_number(value: Any) -> Decimal:
    """A JSON number as an exact Decimal (floats via their shortest repr)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ReportFormatError(f"不是数字：{value!r}")
    try:
        return Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    except InvalidOperation as exc:  # nan, inf
        raise ReportFormatError(f"不是有限数字：{value!r}") from exc


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


def loads(text: str) -> Report:
    try:
        return from_dict(json.loads(text))
    except json.JSONDecodeError as exc:
        raise ReportFormatError(f"JSON 无法解析：{exc.msg}（第 {exc.lineno} 行）") from exc
