"""The collection campaign: the year's settings and the units that report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import spec


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
        """条例第四十九条: 1月31日 of the following year unless the campaign sets another."""
        return self.deadline or dt.date(self.year + 1, 1, 31)


@dataclass(frozen=True)
class Unit:
    name: str
    parent: str = ""
    level: str = "其他"
    contact: str = ""
    phone: str = ""


def preamble(unit: Unit, settings: Settings) -> str:
    """The prefilled 导语: legal basis, the campaign's notices, and the report's structure."""
    basis = f"和{settings.basis}" if settings.basis else ""
    headings = "、".join(p.heading.split("、", 1)[1] for p in spec.PARTS)
    return (
        f"本报告由{unit.name}根据《中华人民共和国政府信息公开条例》{basis}要求编制。"
        f"全文包括{headings}六个部分。"
    )


def data_period(year: int) -> str:
    return f"本报告中所列数据统计期限自{year}年1月1日起至{year}年12月31日止。"


def website_sentence(website: str) -> str:
    return f"如需了解更多政府信息，请登录{website}查询。" if website else ""
