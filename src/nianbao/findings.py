"""Findings and check results: what validation returns, as data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from . import layout, spec


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    table: str = ""
    row: str = ""
    column: str = ""
    cells: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == spec.ERROR

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "table": self.table,
                "row": self.row, "column": self.column, "cells": list(self.cells),
                "message": self.message}


def cells_of(codes: Iterable[str]) -> tuple[str, ...]:
    """Contract codes → cell addresses as users see them (``表三!D6``), in first-seen order."""
    return tuple(dict.fromkeys(layout.address_of(c).ref for c in codes))


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
         codes: Iterable[str] = (), cells: tuple[str, ...] = (), where: str | None = None,
         severity: str | None = None) -> Finding:
    """A finding of rule ``code``: where, what (the figures), and the rule's fix."""
    rule = spec.RULES[code]
    cells = cells or cells_of(codes)
    place = location(table, row, column, cells) if where is None else location(where, cells=cells)
    head = f"{place}：" if place else ""
    message = f"{head}{detail}。{rule.fix}"
    return Finding(code, severity or rule.severity, message, table or rule.table, row, column,
                   cells)


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
        return sum(1 for f in self.findings if not f.is_error)

    @property
    def ok(self) -> bool:
        return not self.problem and self.errors == 0

    def to_dict(self) -> dict[str, Any]:
        findings = [f.to_dict() for f in self.findings]
        if self.problem:
            findings = [Finding(self.problem_code, spec.ERROR, self.problem).to_dict()]
        return {"file": self.file, "unit": self.unit, "year": self.year, "ok": self.ok,
                "findings": findings}
