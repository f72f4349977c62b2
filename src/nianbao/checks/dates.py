"""Rules on the years and dates: the 成文日期 (条例第四十九条: published by 1月31日 of the
following year) and the report year against the round's."""

from __future__ import annotations

from ..model.unit import Settings
from .findings import Finding, make
from .registry import Context, rule


@rule("DATE_MISSING")
def date_missing(context: Context) -> list[Finding]:
    """No date at all is flagged; a date the source could not read is DATE_UNREADABLE instead."""
    if context.report.date is None and not context.date_unreadable:
        return [make("DATE_MISSING", "未填写成文日期", codes=("META_DATE",))]
    return []


@rule("DATE_OUT_OF_RANGE")
def date_out_of_range(context: Context) -> list[Finding]:
    """2025-02-10 for 2024 with the default deadline is flagged; 2025-01-09 passes."""
    report = context.report
    if report.date is None:
        return []
    deadline = Settings(report.year, report.deadline).effective_deadline
    if report.date.year != report.year + 1 or report.date > deadline:
        return [make("DATE_OUT_OF_RANGE", f"成文日期为 {report.date.isoformat()}（报告年度 "
                     f"{report.year}，截止日期 {deadline.isoformat()}）", codes=("META_DATE",))]
    return []


@rule("YEAR_MISMATCH")
def year_mismatch(context: Context) -> list[Finding]:
    """A 2023 workbook sent into the 2024 round is flagged at its year cell; outside a round, or
    of the round's year, nothing."""
    wanted, year = context.round_year, context.report.year
    if wanted is None or year == wanted:
        return []
    return [make("YEAR_MISMATCH", f"报表年度为 {year} 年，本轮收集的是 {wanted} 年度的报告",
                 codes=("META_YEAR",))]
