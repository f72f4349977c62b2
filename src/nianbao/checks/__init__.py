"""Every declared rule over a reading; findings are data, placed by the source's locator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from ..model.report import Report
from ..spec import normalise
from . import cross_year, dates, declared, domain, text  # noqa: F401 - they register their rules
from .findings import CheckResult, Finding, place, sort_findings
from .registry import Context, run

if TYPE_CHECKING:  # sources import findings from this package; a type is all that is needed here
    from ..sources.base import Reading


def check_reading(reading: Reading, file: str, previous: Report | None = None,
                  units: tuple[tuple[str, str], ...] = (),
                  round_year: int | None = None) -> CheckResult:
    """The reading's own findings and every rule's, placed in the source and sorted;
    ``units`` and ``round_year`` are the round's roster and year, when it is part of one."""
    context = Context(reading.report, reading.unreadable, reading.date_unreadable, previous,
                      units, round_year)
    findings = [explain(place(f, reading.locator), reading.report.notes)
                for f in (*reading.findings, *run(context, reading.skips))]
    return CheckResult(file, reading.report.unit, reading.report.year, sort_findings(findings))


def explain(finding: Finding, notes: Mapping[str, str]) -> Finding:
    """A 提示 the unit explained carries its explanation; an error never does."""
    note = normalise.visible(notes.get(finding.code, ""))
    if finding.is_error or not note:
        return finding
    return replace(finding, explained=notes[finding.code].strip())


__all__ = ["CheckResult", "Context", "check_reading"]
