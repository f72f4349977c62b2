"""The rules declared as conditions in the spec (arithmetic, ranges, text, who may make 规章):
the same declarations the template's totals, 校验 panel and highlights are generated from.
Nothing to write here to add one."""

from __future__ import annotations

from .. import spec
from ..spec.expr import Unknown
from .findings import Finding, make
from .registry import Context, rule


def _checker(declared: spec.Rule):
    def check(context: Context) -> list[Finding]:
        values = context.values
        findings = []
        for check in declared.checks:
            try:
                if check.condition.holds(values):
                    continue
                detail = check.condition.describe(values)
                failing = check.condition.failing(values)
            except Unknown:
                continue  # a cell it needs could not be read: already reported as VALUE_NOT_NUMBER
            findings.append(make(check.rule_code, detail,
                                 table=check.table.name if check.table else "", row=check.row,
                                 column=check.column, codes=failing, where=check.prefix))
        return findings

    check.__doc__ = declared.title
    return check


for _declared in spec.DECLARED_RULES:
    if not _declared.panel_only:
        rule(_declared.code)(_checker(_declared))
