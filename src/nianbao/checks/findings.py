"""Findings and check results: what validation returns, as data.

A rule says *what* is wrong in terms of contract codes (``T3_NEW_NATURAL``); the source the
report was read from says *where* that is (``表三!D6`` in a returned workbook, a page and a row
in a published PDF). :func:`place` joins the two through the source's locator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from .. import spec

#: contract code → the place it was read from, as the user sees it (``表三!D6``); None: nowhere.
Locator = Callable[[str], "str | None"]


def code_locator(code: str) -> str:
    """The locator of a source with no places of its own: the contract code itself."""
    return code


@dataclass(frozen=True)
class Finding:
    """One broken rule. ``codes`` are the contract codes involved; ``cells`` and ``message``
    are filled in by :func:`place` from the source's locator."""

    code: str
    severity: str
    detail: str
    table: str = ""
    row: str = ""
    column: str = ""
    codes: tuple[str, ...] = ()
    where: str | None = None
    cells: tuple[str, ...] = ()
    message: str = ""
    explained: str = ""  # a 提示 the unit explained (情况说明): reported, but not as a 提示

    @property
    def is_error(self) -> bool:
        return self.severity == spec.ERROR

    def to_dict(self) -> dict[str, Any]:
        data = {"code": self.code, "severity": self.severity, "table": self.table,
                "row": self.row, "column": self.column, "cells": list(self.cells),
                "message": self.message}
        if self.explained:
            data["explained"] = self.explained
        return data


def location(table: str = "", row: str = "", column: str = "",
             cells: tuple[str, ...] = ()) -> str:
    """The one location phrase: 表三 “（七）总计”行 自然人列（表三!D27）."""
    parts = [table] if table else []
    if row:
        parts.append(f"“{row}”行")
    if column:
        parts.append(f"{column}列")
    where = " ".join(parts)
    if cells:
        shown = "、".join(cells[:4]) + ("等" if len(cells) > 4 else "")
        where = f"{where}（{shown}）" if where else shown
    return where


def make(code: str, detail: str, *, table: str = "", row: str = "", column: str = "",
         codes: Iterable[str] = (), where: str | None = None) -> Finding:
    """A finding of the declared rule ``code``: what (the figures) and the codes involved."""
    rule = spec.RULES[code]
    return Finding(code, rule.severity, detail, table or rule.table, row, column, tuple(codes),
                   where)


def place(finding: Finding, locator: Locator) -> Finding:
    """The finding with its places in the source and its full message (where, what, how to fix)."""
    cells = tuple(dict.fromkeys(p for p in map(locator, finding.codes) if p))
    if finding.where is None:
        head = location(finding.table, finding.row, finding.column, cells)
    else:
        head = location(finding.where, cells=cells)
    message = f"{head}：" if head else ""
    message += f"{finding.detail}。{spec.RULES[finding.code].fix}"
    return replace(finding, cells=cells, message=message)


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """错误 first; otherwise the order the rules produced them (stable, deterministic)."""
    return tuple(sorted(findings, key=lambda f: 0 if f.is_error else 1))


@dataclass(frozen=True)
class CheckResult:
    """One file's check result. ``problem`` is set when the file could not be processed."""

    file: str
    unit: str = ""
    year: int | None = None
    findings: tuple[Finding, ...] = ()
    problem: str = ""
    problem_code: str = ""

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        """提示 not explained by the unit."""
        return sum(1 for f in self.findings if not f.is_error and not f.explained)

    @property
    def explained(self) -> int:
        return sum(1 for f in self.findings if f.explained)

    @property
    def ok(self) -> bool:
        return not self.problem and self.errors == 0

    def to_dict(self) -> dict[str, Any]:
        findings = [f.to_dict() for f in self.findings]
        if self.problem:
            findings = [Finding(self.problem_code, spec.ERROR, "", message=self.problem).to_dict()]
        return {"file": self.file, "unit": self.unit, "year": self.year, "ok": self.ok,
                "findings": findings}
