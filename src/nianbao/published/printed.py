"""The rules that apply to a report as printed: cells printed blank (not zeros), printed
totals that are not the sum printed beside them, the superseded 2019 form, and figures the
importer could not place (never a silent guess)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .. import spec
from ..checks.findings import Finding, make
from ..model.values import fmt_number
from .tables import Printed, Segment


def blank_findings(printed: dict[str, Printed]) -> list[Finding]:
    """One VALUE_BLANK per table with blank cells (a blank is not a 0), naming its columns."""
    tables: dict[str, list[str]] = {}
    for code, p in printed.items():
        if p.value is None:
            tables.setdefault(spec.FIGURE_TABLE[code].name, []).append(code)
    out = []
    for table, codes in tables.items():
        columns = "、".join(dict.fromkeys(spec.FIGURES[c].col_name for c in codes))
        rows = "、".join(dict.fromkeys(spec.FIGURES[c].short for c in codes))
        detail = (f"{len(codes)} 个单元格印成空白（{columns}列）" if len(codes) > 1
                  else f"“{rows}”印成空白")
        out.append(make("VALUE_BLANK", detail, table=table, codes=codes))
    return out


def total_findings(figures: dict[str, Decimal], printed: dict[str, Printed]) -> list[Finding]:
    """PRINTED_TOTAL_MISMATCH where a printed total is not the sum of the figures printed
    beside it (a printed subtotal counts as printed; a blank counts 0)."""
    out = []
    for code, total in spec.COMPUTED.items():
        parts = [t.code for t in total.terms]
        if code not in figures or not any(c in printed for c in parts):
            continue
        summed = sum((figures.get(c, Decimal(0)) for c in parts), Decimal(0))
        if figures[code] != summed:
            fig = spec.FIGURES[code]
            out.append(make(
                "PRINTED_TOTAL_MISMATCH",
                f"印的是 {fmt_number(figures[code])}，{total.name or '各项之和'}为 {fmt_number(summed)}",
                table=spec.FIGURE_TABLE[code].name, row=fig.row_name, column=fig.col_name,
                codes=(code,)))
    return out


def outdated_findings(outdated: list[str], codes: list[str], year: int) -> list[Finding]:
    """FORMAT_OUTDATED: a report of a year the 2021 format applies to, printed in the 2019 form."""
    if not outdated or year < spec.FORMAT_2021_FROM:
        return []
    return [make("FORMAT_OUTDATED", "；".join(outdated), codes=codes)]


def unsure_findings(table: str, lines: Sequence[Segment]) -> list[Finding]:
    """PRINTED_PLACE_UNSURE: figures printed on lines whose row or columns the file does not
    tell (no row label at their height; 表四 printed with fewer figures than columns)."""
    if not lines:
        return []
    pages = "、".join(dict.fromkeys(f"第{s.page}页" for s in lines))
    figures = "、".join(" ".join(fmt_number(p.value) if p.value is not None else "空"
                                 for p in s.values) for s in lines[:3])
    more = f"等 {len(lines)} 行" if len(lines) > 3 else ""
    return [make("PRINTED_PLACE_UNSURE", f"印的数字“{figures}”{more}无法确定属于哪一行或哪一列，未读取",
                 table=table, where=f"{pages} {table}")]
