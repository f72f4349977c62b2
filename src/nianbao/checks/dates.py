"""Rules on the 成文日期 (条例第四十九条: published by 1月31日 of the following year)."""

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
