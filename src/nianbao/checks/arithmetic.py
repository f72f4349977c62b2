"""The arithmetic rules, declared as expressions in the spec: the same declarations the
template's totals and check panel are generated from. Nothing to write here to add one."""

from __future__ import annotations

from decimal import Decimal

from .. import spec
from ..model.report import Report
from ..spec.expr import Unknown, Values
from .findings import Finding, make
from .registry import Context, rule


def values_of(report: Report, unreadable: frozenset[str] = frozenset()) -> Values:
    """The report's figures for the rule language; an unreadable cell is ``None``."""
    values: dict[str, Decimal | None] = dict(report.figures)
    values.update(dict.fromkeys(unreadable))
    return values


def _checker(declared: spec.Rule):
    def check(context: Context) -> list[Finding]:
        values = values_of(context.report, context.unreadable)
        findings = []
        for check in declared.checks:
            try:
                if check.condition.holds(values):
                    continue
                detail = check.condition.describe(values)
                failing = check.condition.failing(values)
            except Unknown:
                continue  # a cell it needs could not be read: already reported as VALUE_NOT_NUMBER
            findings.append(make(check.rule_code, detail, table=check.table.name, row=check.row,
                                 column=check.column, codes=failing, where=check.prefix))
        return findings

    check.__doc__ = declared.title
    return check


for _declared in spec.ARITHMETIC_RULES:
    rule(_declared.code)(_checker(_declared))
