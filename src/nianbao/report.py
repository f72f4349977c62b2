"""The report model: one unit's annual report, and its lossless JSON form."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from . import spec

SCHEMA = "nianbao.report/1"


class ReportFormatError(ValueError):
    """A JSON document that is not a report in nianbao's JSON form."""


@dataclass(frozen=True)
class Report:
    """One unit's report for one year. ``figures`` maps codes to numbers; absent means blank."""

    unit: str
    year: int
    level: str = "其他"
    parent: str = ""
    date: dt.date | None = None
    title: str = ""
    texts: Mapping[str, str] = field(default_factory=dict)
    figures: Mapping[str, Decimal] = field(default_factory=dict)
    website: str = ""
    deadline: dt.date | None = None
    format: str = spec.FORMAT_ID

    @property
    def display_title(self) -> str:
        return self.title or default_title(self.unit, self.year)

    def figure(self, code: str) -> Decimal:
        return self.figures.get(code, Decimal(0))

    def with_totals(self, unreadable: Iterable[str] = ()) -> Report:
        """A copy whose computed cells are recomputed from the inputs."""
        figures = dict(self.figures)
        figures.update(compute_totals(self.figures, unreadable))
        return replace(self, figures=figures)


def default_title(unit: str, year: int) -> str:
    return f"{unit}{year}年政府信息公开工作年度报告"


def compute_totals(figures: Mapping[str, Decimal], unreadable: Iterable[str] = ()) -> dict:
    """Every computed code from the input figures; a total over an unreadable cell is left out."""
    values: dict[str, Decimal | None] = {c: figures[c] for c in spec.INPUT_CODES if c in figures}
    values.update(dict.fromkeys(unreadable))
    result: dict[str, Decimal] = {}

    def resolve(code: str) -> Decimal | None:
        if code not in spec.COMPUTED:
            return values.get(code, Decimal(0))
        if code not in result:
            terms = spec.COMPUTED[code].terms
            parts = [resolve(t.code) for t in terms]
            known = [p for p in parts if p is not None]
            if len(known) < len(parts):
                return None
            result[code] = sum(known, Decimal(0))
        return result[code]

    for code in spec.COMPUTED:
        resolve(code)
    return result


# ---------------------------------------------------------------- JSON form


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
        figures={k: to_number(v) for k, v in figures.items() if v is not None},
        format=str(data.get("format") or spec.FORMAT_ID),
    )


def dumps(report: Report) -> str:
    return json.dumps(to_dict(report), ensure_ascii=False, indent=2) + "\n"


def loads(text: str) -> Report:
    try:
        return from_dict(json.loads(text))
    except json.JSONDecodeError as exc:
        raise ReportFormatError(f"JSON 无法解析：{exc.msg}（第 {exc.lineno} 行）") from exc
