"""The library API (``nianbao.validate``): check a returned file, get its check result as data."""

from __future__ import annotations

from pathlib import Path

from . import sources
from .checks import check_reading
from .checks.findings import CheckResult
from .errors import FileProblem
from .model.report import Report
from .sources.base import Reading


def check_file(path: Path, previous: Report | None = None) -> tuple[Reading | None, CheckResult]:
    """Read and check one file; an unreadable file gives ``(None, result with its problem)``."""
    try:
        read = sources.read(Path(path))
    except FileProblem as exc:
        return None, CheckResult(str(path), problem=exc.message, problem_code=exc.code)
    return read, check_reading(read, str(path), previous)


def read_previous(path: Path | str) -> Report:
    """Last year's report from any supported file; raises :class:`FileProblem` naming the file."""
    try:
        return sources.read(Path(path)).report
    except FileProblem as exc:
        raise FileProblem(exc.code, f"上年度文件 {path} 无法读取：{exc.message}") from exc


def validate(path: Path | str, previous: Path | str | Report | None = None) -> CheckResult:
    """Check one workbook or report JSON; ``previous`` is last year's file or report.

    Raises :class:`FileProblem` only when ``previous`` cannot be read.
    """
    last = read_previous(previous) if isinstance(previous, (str, Path)) else previous
    return check_file(Path(path), last)[1]
