"""Rules from the law and from plausibility: who may make 规章, fees typed in 元."""

from __future__ import annotations

from .. import spec
from ..model.values import fmt_number
from .findings import Finding, make
from .registry import Context, rule

REGULATION_CODES = ("T2_REG_ISSUED", "T2_REG_REPEALED", "T2_REG_INFORCE")


@rule("REGULATION_UNUSUAL")
def regulation_unusual(context: Context) -> list[Finding]:
    """市级部门 with 规章 制发 1 is flagged; without, nothing. 立法法 第九十一条、第九十三条: 规章
    are made by governments; the levels where one is unusual are the spec's policy (the error
    for townships and counties, REGULATION_NOT_ALLOWED, is declared in the spec)."""
    report = context.report
    entered = [c for c in REGULATION_CODES if report.figure(c) != 0]
    if not entered or spec.REGULATION_POLICY.get(report.level) != spec.WARNING:
        return []
    shown = "、".join(f"{spec.FIGURES[c].col_name} {fmt_number(report.figure(c))}" for c in entered)
    row = spec.FIGURES[entered[0]].row_name
    return [make("REGULATION_UNUSUAL", f"层级为{report.level}，但填报了{row} {shown}",
                 table=spec.T2.name, row=row, codes=entered)]


@rule("FEE_IMPLAUSIBLE")
def fee_implausible(context: Context) -> list[Finding]:
    """A township's 35000 万元 was probably typed in 元; 3.5 万元 passes."""
    report = context.report
    limit = spec.FEE_PLAUSIBLE_MAX.get(report.level, spec.FEE_PLAUSIBLE_MAX["其他"])
    fees = report.figure("T2_FEES")
    if fees <= limit:
        return []
    return [make("FEE_IMPLAUSIBLE", f"收费金额 {fmt_number(fees)} 万元，超过{report.level}"
                 f"通常水平（{limit} 万元）", table=spec.T2.name,
                 row=spec.FIGURES["T2_FEES"].row_name, codes=("T2_FEES",))]
