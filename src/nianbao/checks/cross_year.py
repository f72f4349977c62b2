"""Rules across years (``--previous``): this year's report against the same unit's last one."""

from __future__ import annotations

from .. import spec
from ..model.values import fmt_number
from .findings import Finding, make
from .registry import Context, rule


@rule("PREVIOUS_UNIT")
def previous_unit(context: Context) -> list[Finding]:
    """Last year's file of another unit (or year) is flagged."""
    report, previous = context.report, context.previous
    if previous is None or (previous.unit == report.unit and previous.year == report.year - 1):
        return []
    return [make("PREVIOUS_UNIT", f"上年度数据为 {previous.unit} {previous.year} 年，"
                 f"本报告为 {report.unit} {report.year} 年", where="跨年度")]


@rule("PREVIOUS_CARRIED")
def previous_carried(context: Context) -> list[Finding]:
    """上年结转 (表三 row 二) must equal last year's 结转下年度 (row 四), column by column."""
    report, previous = context.report, context.previous
    if previous is None:
        return []
    findings = []
    for ckey, cname in spec.T3_COLUMNS:
        now, before = f"T3_CARRIED_IN_{ckey}", f"T3_CARRIED_FORWARD_{ckey}"
        if report.figure(now) != previous.figure(before):
            findings.append(make(
                "PREVIOUS_CARRIED", f"上年结转 {fmt_number(report.figure(now))}，上年度报告结转下年度 "
                f"{fmt_number(previous.figure(before))}", table="表三",
                row=spec.FIGURES[now].row_name, column=cname, codes=(now,)))
    return findings


@rule("PREVIOUS_INFORCE")
def previous_inforce(context: Context) -> list[Finding]:
    """现行有效 usually equals last year's 现行有效 + 本年制发 − 本年废止."""
    report, previous = context.report, context.previous
    if previous is None:
        return []
    findings = []
    for key in ("REG", "NORM"):
        inforce = spec.FIGURES[f"T2_{key}_INFORCE"]
        before = previous.figure(f"T2_{key}_INFORCE")
        issued, repealed = report.figure(f"T2_{key}_ISSUED"), report.figure(f"T2_{key}_REPEALED")
        expected = before + issued - repealed
        actual = report.figure(inforce.code)
        if actual != expected:
            findings.append(make(
                "PREVIOUS_INFORCE", f"上年现行有效 {fmt_number(before)} + 本年制发 "
                f"{fmt_number(issued)} − 本年废止 {fmt_number(repealed)} = "
                f"{fmt_number(expected)}，但现行有效为 {fmt_number(actual)}", table="表二",
                row=inforce.row_name, column=inforce.col_name, codes=(inforce.code,)))
    return findings
