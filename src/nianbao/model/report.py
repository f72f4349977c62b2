"""The report model: one unit's annual report for one year — what every source reads into,
what the checks examine and what every output is made from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from .. import spec


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
    #: 情况说明 by rule code (FEE_IMPLAUSIBLE → the unit's explanation of a true figure).
    notes: Mapping[str, str] = field(default_factory=dict)

    @property
    def display_title(self) -> str:
        return self.title or default_title(self.unit, self.year)

    def figure(self, code: str) -> Decimal:
        return self.figures.get(code, Decimal(0))

    def with_totals(self, unreadable: Iterable[str] = ()) -> Report:
        """A copy whose computed cells are recomputed from the inputs; a total over an unreadable
        cell is absent (not kept from before)."""
        figures = {k: v for k, v in self.figures.items() if k not in spec.COMPUTED}
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
