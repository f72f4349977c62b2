"""The library API (``nianbao.validate``): validate a returned file, get its check result as data."""

from __future__ import annotations

from pathlib import Path

from . import reading
from .check import check_report
from .findings import CheckResult, sort_findings
from .report import Report
from .xlsx import FileProblem


def result_of(reading_: reading.Reading, file: str, previous: Report | None = None
              ) -> CheckResult:
    report = reading_.report
    unreadable_date = any(f.code == "DATE_UNREADABLE" for f in reading_.findings)
    findings = list(reading_.findings) + check_report(
        report, unreadable=reading_.unreadable, previous=previous,
        unreadable_date=unreadable_date)
    return CheckResult(file, report.unit, report.year, sort_findings(findings))


def inspect(path: Path, previous: Report | None = None
            ) -> tuple[reading.Reading | None, CheckResult]:
    """Read and check one file; an unreadable file gives ``(None, result with problem)``."""
    try:
        read = reading.read(Path(path))
    except FileProblem as exc:
        return None, CheckResult(str(path), problem=exc.message, problem_code=exc.code)
    return read, result_of(read, str(path), previous)


def validate(path: Path | str, previous: Path | str | Report | None = None) -> CheckResult:
    """Check one workbook or report JSON; ``previous`` is last year's file or report.

    Raises :class:`FileProblem` only when ``previous`` cannot be read.
    """
    last = previous
    if isinstance(previous, (str, Path)):
        last = reading.read(Path(previous)).report
    return inspect(Path(path), last if isinstance(last, Report) else None)[1]
