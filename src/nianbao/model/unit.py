"""A collection round's settings (the roster's 设置) and the units that report (its 单位)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """The 设置 sheet of a roster: what every unit's workbook is pre-filled with."""

    year: int
    deadline: dt.date | None = None
    basis: str = ""
    website: str = ""
    contact: str = ""

    @property
    def effective_deadline(self) -> dt.date:
        """条例第四十九条: 1月31日 of the following year unless the round sets another."""
        return self.deadline or dt.date(self.year + 1, 1, 31)


@dataclass(frozen=True)
class Unit:
    name: str
    parent: str = ""
    level: str = "其他"
    contact: str = ""
    phone: str = ""
